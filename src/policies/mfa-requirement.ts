import type { Role } from '../domain/user.js';

export interface MfaRequirementFacts {
  roles: readonly Role[];
  /** A confirmed TOTP factor or at least one passkey. */
  hasFactor: boolean;
  /** The relying party asked for a second factor (acr_values). */
  requested: boolean;
}

export interface MfaRequirementSettings {
  /** Roles that must use a second factor (MFA_REQUIRED_ROLES). */
  requiredRoles: readonly Role[];
}

/**
 * What sign-in asks after the password:
 * - `verify`: the user has a factor, so it is always used;
 * - `enrol`: no factor yet, but a role of theirs requires one or the relying party
 *   asked for one: they set one up now;
 * - `none`: the password is enough.
 */
export type MfaRequirement = 'none' | 'verify' | 'enrol';

export function mfaRequirement(facts: MfaRequirementFacts, settings: MfaRequirementSettings): MfaRequirement {
  if (facts.hasFactor) return 'verify';
  if (facts.requested || facts.roles.some((role) => settings.requiredRoles.includes(role))) return 'enrol';
  return 'none';
}
