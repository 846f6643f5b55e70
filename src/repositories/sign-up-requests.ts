import type { Db, Executor } from '../db/database.js';

/** A sign-up waiting for its email to be confirmed. */
export interface SignUpRequest {
  email: string;
  givenName: string;
  familyName: string;
  passwordHash: string;
  createdAt: Date;
}

interface SignUpRequestRow {
  email: string;
  given_name: string;
  family_name: string;
  password_hash: string;
  created_at: Date;
}

const COLUMNS = ['email', 'given_name', 'family_name', 'password_hash', 'created_at'];

const toRequest = (row: SignUpRequestRow): SignUpRequest => ({
  email: row.email,
  givenName: row.given_name,
  familyName: row.family_name,
  passwordHash: row.password_hash,
  createdAt: new Date(row.created_at),
});

/** Sign-up requests, their link tokens stored as SHA-256 hashes; redeeming one is a single atomic update. */
export function createSignUpRequestsRepository(db: Db) {
  /** The request of a token not used and not expired. */
  const live = (trx: Executor, tokenHash: string, now: Date) =>
    trx('sign_up_requests').where('token_hash', tokenHash).whereNull('used_at').where('expires_at', '>', now);

  return {
    /** Stores a request and voids the earlier live ones for the same address: only the latest link works. */
    async create(
      request: Omit<SignUpRequest, 'createdAt'>,
      tokenHash: string,
      expiresAt: Date,
      now: Date,
      trx: Executor = db,
    ): Promise<void> {
      await trx('sign_up_requests')
        .whereRaw('lower(email) = lower(?)', [request.email])
        .whereNull('used_at')
        .update({ used_at: now });
      await trx('sign_up_requests').insert({
        email: request.email,
        given_name: request.givenName,
        family_name: request.familyName,
        password_hash: request.passwordHash,
        token_hash: tokenHash,
        expires_at: expiresAt,
      });
    },

    /** The live request of a token, without using it up. */
    async peek(tokenHash: string, now: Date, trx: Executor = db): Promise<SignUpRequest | undefined> {
      const row = await live(trx, tokenHash, now).select(COLUMNS).first();
      return row && toRequest(row);
    },

    /** Uses the token up; returns its request only to the one caller that did. */
    async redeem(tokenHash: string, now: Date, trx: Executor = db): Promise<SignUpRequest | undefined> {
      const [row] = await live(trx, tokenHash, now).update({ used_at: now }).returning(COLUMNS);
      return row && toRequest(row);
    },

    /** Deletes used and expired requests (they hold names and a password hash); returns how many. */
    async deleteFinished(now: Date, trx: Executor = db): Promise<number> {
      return trx('sign_up_requests').where('expires_at', '<=', now).orWhereNotNull('used_at').delete();
    },
  };
}
export type SignUpRequestsRepository = ReturnType<typeof createSignUpRequestsRepository>;
