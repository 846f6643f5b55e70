import { ROLES, type Role, type Status } from '../domain/user.js';

export interface RolePlan {
  /** The unscoped roles to hold among the grantable ones (the others stay as they are). */
  grantable: Role[];
  /** Every role the user holds afterwards. */
  held: Role[];
  mainRole: Role;
}

/** Why a provisioning request may not set these roles: the roles it may not grant. */
export class RoleNotGrantable extends Error {
  constructor(readonly roles: Role[]) {
    super(`roles not grantable: ${roles.join(', ')}`);
  }
}

const highest = (roles: Role[]): Role =>
  [...roles].sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0] ?? 'individual';

/**
 * The roles a provisioning client (a SCIM token) leaves a user with. It may add
 * only roles it may grant; roles it may not grant that the user already holds are
 * kept, whatever the request says. A user always holds at least `individual`.
 * The main role is the requested primary, else the current one while still held,
 * else the highest held.
 */
export function planRoles(input: {
  current: Role[];
  currentMain: Role | null;
  requested: Role[];
  primary: Role | null;
  grantable: readonly Role[];
}): RolePlan {
  const { current, requested, grantable } = input;
  const refused = requested.filter((r) => !current.includes(r) && !grantable.includes(r));
  if (refused.length) throw new RoleNotGrantable(refused);
  const kept = current.filter((r) => !grantable.includes(r));
  let granted = requested.filter((r) => grantable.includes(r));
  if (!kept.length && !granted.length) granted = ['individual'];
  const held = [...new Set([...kept, ...granted])];
  const mainRole =
    input.primary && held.includes(input.primary)
      ? input.primary
      : input.currentMain && held.includes(input.currentMain)
        ? input.currentMain
        : highest(held);
  return { grantable: granted, held, mainRole };
}

/** SCIM `active` ↔ status: false deactivates, true brings back only a deactivated user. */
export function statusForActive(current: Status | undefined, active: boolean | undefined): Status {
  if (current === undefined) return active === false ? 'inactive' : 'new';
  if (active === false) return 'inactive';
  if (active === true && current === 'inactive') return 'active';
  return current;
}
