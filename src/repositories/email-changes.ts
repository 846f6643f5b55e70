import type { Db, Executor } from '../db/database.js';

/** A person's own change of email, waiting for the link sent to the new address (SHA-256 of its token). */
export function createEmailChangesRepository(db: Db) {
  return {
    /** The user's request; an earlier one is replaced (its link stops working). */
    async put(userId: string, newEmail: string, tokenHash: string, expiresAt: Date, trx: Executor = db): Promise<void> {
      await trx('email_changes')
        .insert({ user_id: userId, new_email: newEmail, token_hash: tokenHash, expires_at: expiresAt })
        .onConflict('user_id')
        .merge();
    },
    /** The address a live request of the user waits on. */
    async pending(userId: string, now: Date, trx: Executor = db): Promise<string | undefined> {
      const row = await trx('email_changes')
        .select('new_email')
        .where({ user_id: userId })
        .where('expires_at', '>', now)
        .first();
      return row?.new_email;
    },
    /** The new address a live link stands for, without using it up. */
    async peek(tokenHash: string, now: Date, trx: Executor = db): Promise<string | undefined> {
      const row = await trx('email_changes')
        .select('new_email')
        .where('token_hash', tokenHash)
        .where('expires_at', '>', now)
        .first();
      return row?.new_email;
    },
    /** Uses the request up (deleted): its user and new address, to the one caller that did. */
    async take(tokenHash: string, now: Date, trx: Executor): Promise<{ userId: string; newEmail: string } | undefined> {
      const [row] = await trx('email_changes')
        .where('token_hash', tokenHash)
        .where('expires_at', '>', now)
        .delete()
        .returning(['user_id', 'new_email']);
      return row && { userId: row.user_id, newEmail: row.new_email };
    },
  };
}
export type EmailChangesRepository = ReturnType<typeof createEmailChangesRepository>;
