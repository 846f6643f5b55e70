import { isMultiFactor, type AuthMethod } from '../domain/authentication.js';
import type { MfaRequirement } from '../policies/mfa-requirement.js';

/**
 * What comes after a factor has succeeded:
 *
 *   password ok ─ multi-factor already? ─────────────────────────────▶ done
 *        │ requirement none ───────────────────────────────────────────▶ done
 *        │ requirement verify (has TOTP or a passkey) ──▶ verify ─ ok ─▶ done
 *        └ requirement enrol (role or RP asks, no factor) ▶ enrol ─ ok ─▶ recovery_codes ▶ done
 *
 * `verify`, `enrol` and `recovery_codes` are the steps a person sees; the
 * interaction stores the step with the methods already completed.
 */
export type SignInStep = 'verify' | 'enrol' | 'recovery_codes';

export interface PendingSignIn {
  userId: string;
  amr: AuthMethod[];
  need: SignInStep;
}

export function nextStep(
  amr: readonly AuthMethod[],
  requirement: MfaRequirement,
  facts: { justEnrolled: boolean },
): SignInStep | 'done' {
  // A new authenticator comes with new recovery codes: old ones may be long forgotten.
  if (isMultiFactor(amr)) return facts.justEnrolled ? 'recovery_codes' : 'done';
  return requirement === 'none' ? 'done' : requirement;
}
