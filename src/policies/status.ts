import type { Status } from '../domain/user.js';
import type { LoginCode } from '../errors/codes.js';

/**
 * SPEC "Statuses": who may sign in, and what a person is told after a correct
 * password when they may not. `reason` is the `login.*` code shown on the page.
 */
export const STATUS_RULES: Record<Status, { maySignIn: boolean; reason?: LoginCode }> = {
  active: { maySignIn: true },
  new: { maySignIn: true },
  import: { maySignIn: true },
  temporary: { maySignIn: true },
  pending: { maySignIn: false, reason: 'login.pending' },
  inactive: { maySignIn: false, reason: 'login.inactive' },
  locked: { maySignIn: false, reason: 'login.locked' },
  deleted: { maySignIn: false, reason: 'login.deleted' },
};

/** The statuses that may sign in. */
export const SIGN_IN_STATUSES = (Object.keys(STATUS_RULES) as Status[]).filter((s) => STATUS_RULES[s].maySignIn);

export function maySignIn(status: Status): boolean {
  return STATUS_RULES[status].maySignIn;
}

/** The status a user moves to after a successful sign-in. */
export function statusAfterSignIn(status: Status): Status {
  return status === 'new' ? 'active' : status;
}
