import type { AuthMethod } from './authentication.js';
import type { Status } from './user.js';

/**
 * Why a sign-in attempt was refused, as the audit log records it (`signin.failed`):
 *
 *   unknown_identifier  no user has the email or User ID typed (the identifier is kept)
 *   bad_password        a wrong password for a known user
 *   locked              a lock refused the attempt before any check: the password
 *                       lockout, or the second step's lock (`factor` says which)
 *   status_<status>     the right password (or a passkey) of a user whose status
 *                       forbids signing in: status_pending, status_inactive, status_locked
 *   expired             the right password (or a factor) of a user whose account had ended
 *                       (`expiresAt`): made inactive there and then
 *   no_licence          the right password (or a passkey) of a user without a licence
 *                       of a type required to sign in
 *   mfa_failed          a wrong, replayed or missing second factor (TOTP, recovery
 *                       code, passkey as second step), or a wrong first code at enrolment
 *   bad_passkey         a passkey alone that was not accepted
 *   throttled           refused by a rate limit before any check
 *   federation_required the right password of a user whose organisation requires its identity provider
 *   upstream_error      the organisation's identity provider answered with an error
 *   upstream_invalid    its answer failed validation (state, nonce, signature, issuer, audience, expiry)
 *   upstream_unknown_user  it signed in someone no user is linked to, and JIT provisioning is off
 *   upstream_signature, upstream_issuer, upstream_audience, upstream_recipient, upstream_expired,
 *   upstream_replay, upstream_unknown_request
 *                       a SAML answer refused by that check (services/saml-response.ts)
 */
export type SignInFailureReason =
  | 'unknown_identifier'
  | 'bad_password'
  | 'locked'
  | `status_${Status}`
  | 'expired'
  | 'no_licence'
  | 'mfa_failed'
  | 'bad_passkey'
  | 'throttled'
  | 'federation_required'
  | UpstreamFailure;

/** Why a sign-in through an identity provider (federation) was refused. */
export type UpstreamFailure =
  | 'upstream_error'
  | 'upstream_invalid'
  | 'upstream_unknown_user'
  | 'upstream_signature'
  | 'upstream_issuer'
  | 'upstream_audience'
  | 'upstream_recipient'
  | 'upstream_expired'
  | 'upstream_replay'
  | 'upstream_unknown_request';

/** Where an attempt came from: what the audit row keeps beside the outcome. */
export interface SignInAttemptContext {
  ip: string | null;
  /** The request's User-Agent header, trimmed (see `USER_AGENT_MAX`). */
  userAgent: string | null;
  /** The client the person was signing in to (the interaction's client_id). */
  clientId: string | null;
}

export interface SignInSuccess {
  userId: string;
  amr: readonly AuthMethod[];
}

export interface SignInFailure {
  reason: SignInFailureReason;
  /** The user, when the attempt named a known one. */
  userId?: string | null;
  /** What was typed in the identifier field (never a password field). */
  identifier?: string | null;
  /** The step that refused it: `password`, `totp`, `recovery_code`, `passkey`, `enrolment`. */
  factor?: string;
}
