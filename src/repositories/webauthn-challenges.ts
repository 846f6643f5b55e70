import type { Db, Executor } from '../db/database.js';

export type ChallengePurpose = 'register' | 'authenticate';

export interface IssuedChallenge {
  purpose: ChallengePurpose;
  /** Null: a passkey sign-in, the user is not known yet. */
  userId: string | null;
}

/**
 * WebAuthn challenges in flight. A challenge is consumed by one DELETE … RETURNING,
 * whatever the outcome of the ceremony: of two requests presenting it, one at most
 * gets it back, and never after it expired.
 */
export function createWebAuthnChallengesRepository(db: Db) {
  return {
    async issue(
      input: { challenge: string; purpose: ChallengePurpose; userId: string | null; expiresAt: Date },
      trx: Executor = db,
    ): Promise<void> {
      await trx('webauthn_challenges').insert({
        challenge: input.challenge,
        purpose: input.purpose,
        user_id: input.userId,
        expires_at: input.expiresAt,
      });
    },

    async consume(challenge: string, now: Date, trx: Executor = db): Promise<IssuedChallenge | undefined> {
      const [row] = await trx('webauthn_challenges')
        .where('challenge', challenge)
        .where('expires_at', '>', now)
        .delete()
        .returning(['purpose', 'user_id']);
      return row && { purpose: row.purpose, userId: row.user_id };
    },

    /** Removes challenges that ran out; answers how many. */
    async purgeExpired(now: Date, trx: Executor = db): Promise<number> {
      return trx('webauthn_challenges').where('expires_at', '<=', now).delete();
    },
  };
}
export type WebAuthnChallengesRepository = ReturnType<typeof createWebAuthnChallengesRepository>;
