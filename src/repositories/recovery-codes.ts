import type { Db, Executor } from '../db/database.js';

/** Single-use recovery codes, stored as keyed hashes (`recovery_codes`). */
export function createRecoveryCodesRepository(db: Db) {
  return {
    /** Replaces every code of the user by these hashes; call inside a transaction. */
    async replace(userId: string, codeHashes: readonly string[], trx: Executor): Promise<void> {
      await trx('recovery_codes').where('user_id', userId).delete();
      if (codeHashes.length)
        await trx('recovery_codes').insert(codeHashes.map((code_hash) => ({ user_id: userId, code_hash })));
    },

    /** Marks an unused code used; false when there is none (wrong, or used already). One use wins a race. */
    async consume(userId: string, codeHash: string, trx: Executor = db): Promise<boolean> {
      const { rows } = (await trx.raw(
        'UPDATE recovery_codes SET used_at = now() WHERE user_id = ? AND code_hash = ? AND used_at IS NULL RETURNING id',
        [userId, codeHash],
      )) as { rows: unknown[] };
      return rows.length > 0;
    },
  };
}
export type RecoveryCodesRepository = ReturnType<typeof createRecoveryCodesRepository>;
