import type { Db, Executor } from '../db/database.js';

/** Reset tokens, stored as SHA-256 hashes; redeeming one is a single atomic update. */
export function createPasswordResetTokensRepository(db: Db) {
  return {
    async create(userId: string, tokenHash: string, expiresAt: Date, trx: Executor = db): Promise<void> {
      await trx('password_reset_tokens').insert({ user_id: userId, token_hash: tokenHash, expires_at: expiresAt });
    },
    /** The user a live token belongs to, without using it up. */
    async peek(tokenHash: string, now: Date, trx: Executor = db): Promise<string | undefined> {
      const row = await trx('password_reset_tokens')
        .select('user_id')
        .where('token_hash', tokenHash)
        .whereNull('used_at')
        .where('expires_at', '>', now)
        .first();
      return row?.user_id;
    },
    /** Uses the token up; returns its user only to the one caller that did. */
    async redeem(tokenHash: string, now: Date, trx: Executor = db): Promise<string | undefined> {
      const [row] = await trx('password_reset_tokens')
        .where('token_hash', tokenHash)
        .whereNull('used_at')
        .where('expires_at', '>', now)
        .update({ used_at: now })
        .returning('user_id');
      return row?.user_id;
    },
    /** Voids every other outstanding token of the user. */
    async voidAll(userId: string, now: Date, trx: Executor = db): Promise<void> {
      await trx('password_reset_tokens').where('user_id', userId).whereNull('used_at').update({ used_at: now });
    },
  };
}
export type PasswordResetTokensRepository = ReturnType<typeof createPasswordResetTokensRepository>;
