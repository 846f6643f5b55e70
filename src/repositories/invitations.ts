import type { Db, Executor } from '../db/database.js';
import type { InvitationRecord } from '../domain/invitation.js';

/** A user's invitation with what its state needs from the user record. */
export interface StoredInvitation extends InvitationRecord {
  invitedBy: string | null;
}

/** The invitation columns of `users`. */
interface InvitationRow {
  scheduled_at: Date | string | null;
  sent_at: Date | string | null;
  confirmed_at: Date | string | null;
  invited_by: string | null;
}

const toInvitation = (r: InvitationRow): StoredInvitation => ({
  scheduledAt: r.scheduled_at ? new Date(r.scheduled_at) : null,
  sentAt: r.sent_at ? new Date(r.sent_at) : null,
  confirmedAt: r.confirmed_at ? new Date(r.confirmed_at) : null,
  invitedBy: r.invited_by,
});

/**
 * Invitations, one row per user: scheduled (`scheduled_at`, no `sent_at`), sent
 * (`sent_at`, `token_hash` of the link mailed), confirmed (`confirmed_at`).
 * Sending claims the row in one statement, so two servers never mail it twice.
 */
export function createInvitationsRepository(db: Db) {
  return {
    async find(userId: string, trx: Executor = db): Promise<StoredInvitation | undefined> {
      const row = await trx('invitations')
        .select('scheduled_at', 'sent_at', 'confirmed_at', 'invited_by')
        .where('user_id', userId)
        .first();
      return row && toInvitation(row);
    },

    /** A new invitation to send at `at` (replacing any earlier one). */
    async schedule(userId: string, at: Date, invitedBy: string | null, trx: Executor): Promise<StoredInvitation> {
      const values = { scheduled_at: at, sent_at: null, confirmed_at: null, token_hash: null, invited_by: invitedBy };
      const [row] = await trx('invitations')
        .insert({ user_id: userId, ...values })
        .onConflict('user_id')
        .merge({ ...values, created_at: trx.fn.now() })
        .returning('*');
      return toInvitation(row);
    },

    /** The invitation mail went out at `sentAt` with the link `tokenHash` (replacing any earlier one). */
    async markSent(
      userId: string,
      sentAt: Date,
      tokenHash: string,
      invitedBy: string | null,
      trx: Executor,
    ): Promise<StoredInvitation> {
      const values = {
        scheduled_at: null,
        sent_at: sentAt,
        confirmed_at: null,
        token_hash: tokenHash,
        invited_by: invitedBy,
      };
      const [row] = await trx('invitations')
        .insert({ user_id: userId, ...values })
        .onConflict('user_id')
        .merge({ ...values, created_at: trx.fn.now() })
        .returning('*');
      return toInvitation(row);
    },

    /** Removes a scheduled invitation that has not gone yet; false when there is none. */
    async cancelScheduled(userId: string, trx: Executor): Promise<boolean> {
      return (
        (await trx('invitations').where('user_id', userId).whereNull('sent_at').whereNotNull('scheduled_at').delete()) >
        0
      );
    },

    /** Users whose scheduled invitation is due at `now`, the oldest first. */
    async due(now: Date, limit: number, trx: Executor = db): Promise<string[]> {
      const rows = await trx('invitations')
        .select('user_id')
        .whereNull('sent_at')
        .where('scheduled_at', '<=', now)
        .orderBy('scheduled_at')
        .limit(limit);
      return rows.map((r) => r.user_id);
    },

    /** Takes a due invitation for sending (`sent_at` = now); false when another sender took it first or it is not due. */
    async claim(userId: string, now: Date, trx: Executor = db): Promise<boolean> {
      return (
        (await trx('invitations')
          .where('user_id', userId)
          .whereNull('sent_at')
          .where('scheduled_at', '<=', now)
          .update({ sent_at: now, confirmed_at: null })) > 0
      );
    },

    /** Gives a claimed invitation back (its mail could not go): due again at the next run. */
    async release(userId: string, trx: Executor = db): Promise<void> {
      await trx('invitations').where('user_id', userId).update({ sent_at: null });
    },

    async setLink(userId: string, tokenHash: string, trx: Executor = db): Promise<void> {
      await trx('invitations').where('user_id', userId).update({ token_hash: tokenHash });
    },

    async remove(userId: string, trx: Executor = db): Promise<void> {
      await trx('invitations').where('user_id', userId).delete();
    },

    /** The user completed the link of their invitation mail; true when it confirmed it now. */
    async confirmByLink(userId: string, tokenHash: string, at: Date, trx: Executor = db): Promise<boolean> {
      return (
        (await trx('invitations')
          .where({ user_id: userId, token_hash: tokenHash })
          .whereNotNull('sent_at')
          .whereNull('confirmed_at')
          .update({ confirmed_at: at })) > 0
      );
    },
  };
}
export type InvitationsRepository = ReturnType<typeof createInvitationsRepository>;
