import type { Db, Executor } from '../db/database.js';
import { announced } from './change-notices.js';

/** The `settings` table: one JSON value per key; and the email index the duplicate-email switch turns off. */
export function createSettingsRepository(db: Db) {
  return {
    async all(trx: Executor = db): Promise<Record<string, unknown>> {
      const rows = await trx('settings').select('key', 'value');
      return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    },

    /** Locks the settings for the rest of the transaction (one writer at a time). */
    async lock(trx: Executor): Promise<void> {
      await trx.raw("SELECT pg_advisory_xact_lock(hashtext('gatehouse.settings'))");
    },

    async put(values: Record<string, unknown>, trx: Executor): Promise<void> {
      const rows = Object.entries(values).map(([key, value]) => ({
        key,
        value: JSON.stringify(value),
        updated_at: trx.fn.now(),
      }));
      // Every instance reads the settings again once this transaction has committed.
      if (rows.length)
        await announced(trx, { topic: 'settings' }, (t) => t('settings').insert(rows).onConflict('key').merge());
    },

    /** Whether two users who are not deleted share an email (case-insensitively). */
    async hasDuplicateEmails(trx: Executor): Promise<boolean> {
      const row = await trx('users')
        .select(trx.raw('1'))
        .whereNotNull('email')
        .whereNot('status', 'deleted')
        .groupByRaw('lower(email)')
        .havingRaw('count(*) > 1')
        .first();
      return Boolean(row);
    },

    /** The database enforces unique emails unless duplicates are allowed. */
    async enforceUniqueEmails(enforce: boolean, trx: Executor): Promise<void> {
      if (enforce)
        await trx.raw(
          "CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (lower(email)) WHERE status <> 'deleted'",
        );
      else await trx.raw('DROP INDEX IF EXISTS users_email_key');
    },
  };
}
export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
