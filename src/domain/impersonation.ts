/**
 * An admin acting as a user (SPEC "Impersonation").
 *
 *   exchange     a token for the user obtained at the token endpoint (RFC 8693)
 *   interactive  the admin's own Gatehouse session acts as the user
 *
 *   interactive:  ticket made ──redeemed in the admin's browser──▶ started ──▶ ended
 *                      └── unused after 2 minutes: worthless          (stop, sign-out,
 *   exchange:     started (the token is issued) ──────────────────▶ ended  expiry, revocation)
 */
export type ImpersonationKind = 'exchange' | 'interactive';

export type ImpersonationEndReason = 'stopped' | 'expired' | 'signed_out' | 'account_ended';

export interface Impersonation {
  id: string;
  kind: ImpersonationKind;
  actorId: string;
  targetId: string;
  clientId: string | null;
  grantId: string | null;
  sessionUid: string | null;
  createdAt: Date;
  startedAt: Date | null;
  expiresAt: Date;
  endedAt: Date | null;
  endedReason: string | null;
}

/** What tokens say about an impersonation: RFC 8693 `act`, and when it ends. */
export interface ActingAdmin {
  impersonationId: string;
  actorId: string;
  expiresAt: Date;
}
