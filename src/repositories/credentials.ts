import type { Db, Executor } from '../db/database.js';
import type { PasswordCredential, Status } from '../domain/user.js';
import { unlocked, whereIdentifier } from './users.js';

/**
 * Password hashes and the failed-attempt counter. The only reader of
 * `password_hash`; every counter change is a single atomic statement.
 */
/** The columns of `users` a password check reads. */
interface CredentialRow {
  id: string;
  status: Status;
  password_hash: string | null;
  failed_attempts: number;
  locked_until: Date | null;
  expires_at: Date | null;
}

export function createCredentialsRepository(db: Db) {
  const base = (trx: Executor) =>
    trx('users')
      .select('id', 'status', 'password_hash', 'failed_attempts', 'locked_until', 'expires_at')
      .whereNot('status', 'deleted');
  const toCredential = (r: CredentialRow): PasswordCredential => ({
    userId: r.id,
    status: r.status,
    passwordHash: r.password_hash,
    failedAttempts: r.failed_attempts,
    lockedUntil: r.locked_until,
    expiresAt: r.expires_at,
  });

  return {
    /**
     * The credential behind an email or userCode (case-insensitive). An email shared
     * by several users (allowed by a setting) is ambiguous and finds nothing.
     */
    async forVerification(identifier: string, trx: Executor = db): Promise<PasswordCredential | undefined> {
      const rows = await whereIdentifier(base(trx), identifier).limit(2);
      return rows.length === 1 ? toCredential(rows[0]) : undefined;
    },

    async forVerificationById(userId: string, trx: Executor = db): Promise<PasswordCredential | undefined> {
      const row = await base(trx).where('id', userId).first();
      return row && toCredential(row);
    },

    /**
     * Reserves one evaluation slot: increments the counter only while it is below
     * `max`. Concurrent callers serialise on the row, so at most `max` slots are
     * ever handed out between two resets. Returns the new count, or null when full.
     *
     * The statement commits without waiting for the WAL flush (`synchronous_commit`
     * off for its own transaction only): a wrong password for a known user then
     * takes the time of one for an unknown user, who causes no write at all. A
     * database crash could forget the last few increments, never hand out more.
     */
    async reserveAttempt(userId: string, max: number, trx: Executor = db): Promise<number | null> {
      const { rows } = (await trx.raw(
        `UPDATE users SET failed_attempts = failed_attempts + 1
           FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush
          WHERE id = ? AND failed_attempts < ?
          RETURNING failed_attempts`,
        [userId, max],
      )) as { rows: { failed_attempts: number }[] };
      return rows[0]?.failed_attempts ?? null;
    },

    /** A successful sign-in: frees the counter and moves `new` users to `active` (a new version). */
    async recordSuccess(
      userId: string,
      nextStatus: Status,
      rehashed: string | null,
      trx: Executor = db,
    ): Promise<void> {
      const statusChanges = trx.raw('status <> ?', [nextStatus]);
      await trx('users')
        .where('id', userId)
        .update({
          failed_attempts: 0,
          last_sign_in_at: trx.fn.now(),
          status: nextStatus,
          version: trx.raw('CASE WHEN ? THEN version + 1 ELSE version END', [statusChanges]),
          updated_at: trx.raw('CASE WHEN ? THEN now() ELSE updated_at END', [statusChanges]),
          ...(rehashed ? { password_hash: rehashed } : {}),
        });
    },

    /** A correct password for a user who may not sign in: only frees the counter. */
    async resetAttempts(userId: string, trx: Executor = db): Promise<void> {
      await trx('users').where('id', userId).update({ failed_attempts: 0 });
    },

    /** Locks the user (once) until `until`; null means until a password reset. */
    async lock(userId: string, until: Date | null, trx: Executor = db): Promise<boolean> {
      const n = await trx('users')
        .where('id', userId)
        .whereNot('status', 'locked')
        .update({
          status_before_lock: trx.raw('status'),
          status: 'locked',
          locked_until: until,
          updated_at: trx.fn.now(),
          version: trx.raw('version + 1'),
        });
      return n > 0;
    },

    /** Lifts a timed lock that has run out; safe to race. */
    async unlockExpired(userId: string, now: Date, trx: Executor = db): Promise<boolean> {
      const n = await trx('users')
        .where('id', userId)
        .where('status', 'locked')
        .where('locked_until', '<=', now)
        .update(unlocked(trx));
      return n > 0;
    },

    /**
     * Stores a new password, records it in the history and, when `unlock`, lifts a
     * lock and frees the counter (a completed reset).
     */
    async setPassword(userId: string, hash: string, options: { unlock: boolean }, trx: Executor): Promise<void> {
      await trx('users')
        .where('id', userId)
        .update({
          password_hash: hash,
          password_changed_at: trx.fn.now(),
          updated_at: trx.fn.now(),
          version: trx.raw('version + 1'),
          ...(options.unlock
            ? {
                failed_attempts: 0,
                locked_until: null,
                status: trx.raw(
                  "CASE WHEN status = 'locked' THEN coalesce(status_before_lock, 'active') ELSE status END",
                ),
                status_before_lock: null,
              }
            : {}),
        });
      await trx('password_history').insert({ user_id: userId, password_hash: hash });
    },

    /** The last `n` password hashes, newest first. */
    async recentPasswordHashes(userId: string, n: number, trx: Executor = db): Promise<string[]> {
      if (n <= 0) return [];
      const rows = await trx('password_history')
        .select('password_hash')
        .where('user_id', userId)
        .orderBy('id', 'desc')
        .limit(n);
      return rows.map((r) => r.password_hash);
    },

    async failedAttempts(userId: string, trx: Executor = db): Promise<number> {
      const row = await trx('users').select('failed_attempts').where('id', userId).first();
      return row?.failed_attempts ?? 0;
    },
  };
}
export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;
