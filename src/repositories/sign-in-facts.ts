import type { Db, Executor } from '../db/database.js';
import type { User } from '../domain/user.js';
import { isUuid } from '../util/uuid.js';
import { licensedSql } from './licences.js';
import { toUser, USER_COLUMNS } from './users.js';

/** What sign-in decides the next step on, after a factor succeeded. */
export interface SignInFacts {
  user: User;
  /** The distinct names of the user's role assignments. */
  roleNames: string[];
  /** A confirmed authenticator app. */
  totp: boolean;
  passkeys: number;
  /** No licence type is required to sign in, or the user holds one that is. */
  licensed: boolean;
}

/**
 * The user, their role names and which second factors they have, in one
 * statement: the sign-in path reads them once per factor, so one round trip
 * fewer leaves room for the attempt's audit row (`signin.succeeded`).
 */
export function createSignInFactsRepository(db: Db) {
  return {
    async forUser(id: string, trx: Executor = db): Promise<SignInFacts | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await trx('users')
        .select(USER_COLUMNS.map((c) => `users.${c}`))
        .select(
          trx.raw(
            "(SELECT coalesce(array_agg(DISTINCT role), '{}') FROM role_assignments WHERE user_id = users.id) AS role_names",
          ),
          trx.raw(
            'EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = users.id AND t.confirmed_at IS NOT NULL) AS has_totp',
          ),
          trx.raw('(SELECT count(*) FROM webauthn_credentials w WHERE w.user_id = users.id)::int AS passkeys'),
          trx.raw(`${licensedSql('users')} AS licensed`),
        )
        .where('users.id', id)
        .first();
      return (
        row && {
          user: toUser(row),
          roleNames: row.role_names,
          totp: row.has_totp === true,
          passkeys: Number(row.passkeys),
          licensed: row.licensed === true,
        }
      );
    },
  };
}
export type SignInFactsRepository = ReturnType<typeof createSignInFactsRepository>;
