/**
 * The MFA failure pool, a pool of its own (a full one never locks the password):
 * - `open`: a second factor may be checked, if an attempt can still be reserved;
 * - `locked`: the pool is full, until `lockedUntil` or, without one, until an
 *   MFA reset;
 * - `expired`: a timed lock has run out and is lifted before the next check.
 */
export type MfaLockState = 'open' | 'locked' | 'expired';

export interface MfaLockFacts {
  failedAttempts: number;
  lockedUntil: Date | null;
}

export function evaluateMfaLock(facts: MfaLockFacts, settings: { maxAttempts: number }, now: Date): MfaLockState {
  if (facts.lockedUntil) return facts.lockedUntil.getTime() <= now.getTime() ? 'expired' : 'locked';
  return facts.failedAttempts >= settings.maxAttempts ? 'locked' : 'open';
}
