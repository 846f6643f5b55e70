import type { Status } from '../domain/user.js';

export interface LockoutSettings {
  /** Failed attempts before the account is locked. */
  maxAttempts: number;
  /** Length of a lock in minutes; 0 keeps it until a password reset. */
  minutes: number;
}

export interface LockoutFacts {
  status: Status;
  failedAttempts: number;
  lockedUntil: Date | null;
}

/**
 * - `open`: a password may be evaluated, if an attempt can still be reserved.
 * - `locked`: the failure counter is full; no password is evaluated until the lock
 *   runs out or a password reset clears it.
 * - `expired`: a timed lock has run out and is lifted before evaluating.
 * A `locked` status set by an administrator leaves the counter free, so a correct
 * password there reveals the lock and how to lift it (a password reset).
 */
export type LockoutState = 'open' | 'locked' | 'expired';

export function evaluateLockout(facts: LockoutFacts, settings: LockoutSettings, now: Date): LockoutState {
  if (facts.status === 'locked' && facts.lockedUntil)
    return facts.lockedUntil.getTime() <= now.getTime() ? 'expired' : 'locked';
  return facts.failedAttempts >= settings.maxAttempts ? 'locked' : 'open';
}

/** When a lock that starts `now` ends; null means until a password reset. */
export function lockUntil(settings: LockoutSettings, now: Date): Date | null {
  return settings.minutes > 0 ? new Date(now.getTime() + settings.minutes * 60_000) : null;
}

/** Whether the failure that brought the counter to `attempts` locks the account. */
export function failureLocks(attempts: number, settings: LockoutSettings): boolean {
  return attempts >= settings.maxAttempts;
}
