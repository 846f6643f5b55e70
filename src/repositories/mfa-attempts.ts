import type { Db, Executor } from '../db/database.js';

/**
 * The MFA failure pool on `users.mfa_failed_attempts` / `mfa_locked_until`, apart
 * from the password counter. Every change is one atomic statement.
 *
 * A lock is the counter at its maximum: with `mfa_locked_until` for a timed lock,
 * without it until an MFA reset.
 */
export function createMfaAttemptsRepository(db: Db) {
  return {
    /**
     * Reserves one check: increments the counter only while it is below `max` and
     * no timed lock is set. Concurrent callers serialise on the row, so at most
     * `max` checks run between two resets. Returns the new count, or null.
     *
     * Commits without waiting for the WAL flush (as the password counter does): a
     * database crash could forget the last few increments, never hand out more.
     */
    async reserve(userId: string, max: number, trx: Executor = db): Promise<number | null> {
      const { rows } = (await trx.raw(
        `UPDATE users SET mfa_failed_attempts = mfa_failed_attempts + 1
           FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush
          WHERE id = ? AND mfa_failed_attempts < ? AND mfa_locked_until IS NULL
          RETURNING mfa_failed_attempts`,
        [userId, max],
      )) as { rows: { mfa_failed_attempts: number }[] };
      return rows[0]?.mfa_failed_attempts ?? null;
    },

    /**
     * A successful check in slot `slot` frees the counter, unless checks reserved
     * after it have counted failures since (a lock they filled, timed or not, is
     * never lifted by an earlier success). Without a WAL flush: losing it only keeps a count.
     */
    async reset(userId: string, slot: number, trx: Executor = db): Promise<void> {
      await trx.raw(
        `UPDATE users SET mfa_failed_attempts = 0
           FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush
          WHERE id = ? AND mfa_failed_attempts > 0 AND mfa_failed_attempts <= ? AND mfa_locked_until IS NULL`,
        [userId, slot],
      );
    },

    /** Ends the lock the full counter already is at `until`; null keeps it until an MFA reset. */
    async lock(userId: string, until: Date | null, trx: Executor = db): Promise<void> {
      if (until) await trx('users').where('id', userId).update({ mfa_locked_until: until });
    },

    /** Lifts a timed lock that has run out and frees the counter; safe to race. */
    async unlockExpired(userId: string, now: Date, trx: Executor = db): Promise<boolean> {
      const n = await trx('users')
        .where('id', userId)
        .where('mfa_locked_until', '<=', now)
        .update({ mfa_failed_attempts: 0, mfa_locked_until: null });
      return n > 0;
    },

    /** An MFA reset: no failures, no lock. */
    async clear(userId: string, trx: Executor = db): Promise<void> {
      await trx('users').where('id', userId).update({ mfa_failed_attempts: 0, mfa_locked_until: null });
    },
  };
}
export type MfaAttemptsRepository = ReturnType<typeof createMfaAttemptsRepository>;
