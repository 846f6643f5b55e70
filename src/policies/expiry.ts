import { STATUSES, type Status, type User } from '../domain/user.js';

/** The statuses an expiry ends (to `inactive`): every one but `inactive` and `deleted`. */
export const EXPIRING_STATUSES: readonly Status[] = STATUSES.filter((s) => s !== 'inactive' && s !== 'deleted');

/** Whether an account's end (`expiresAt`) has come at `now`; null never comes. */
export function isPastExpiry(expiresAt: Date | string | null | undefined, now: Date): boolean {
  return expiresAt != null && new Date(expiresAt).getTime() <= now.getTime();
}

/**
 * Whether a temporary account's end has come and it must become `inactive`
 * (refused at sign-in and flipped, or flipped by the sweep).
 */
export function evaluateExpiry(user: Pick<User, 'status' | 'expiresAt'>, now: Date): 'expired' | 'current' {
  return EXPIRING_STATUSES.includes(user.status) && isPastExpiry(user.expiresAt, now) ? 'expired' : 'current';
}
