import type { Db } from '../db/database.js';
import type { Role } from '../domain/user.js';

export interface ScimToken {
  id: string;
  name: string;
  grantableRoles: Role[];
  /** The system behind it vouches for the emails it sends: they are verified. */
  trustEmails: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A row of `scim_tokens`, without the hash. */
interface ScimTokenRow {
  id: string;
  name: string;
  grantable_roles: Role[];
  trust_emails: boolean;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toToken = (r: ScimTokenRow): ScimToken => ({
  id: r.id,
  name: r.name,
  grantableRoles: r.grantable_roles,
  trustEmails: r.trust_emails,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});
const COLUMNS = ['id', 'name', 'grantable_roles', 'trust_emails', 'created_at', 'last_used_at', 'revoked_at'];

/** SCIM bearer tokens, stored as SHA-256 hashes of the token. */
export function createScimTokensRepository(db: Db) {
  return {
    async create(input: {
      name: string;
      tokenHash: string;
      grantableRoles: Role[];
      trustEmails: boolean;
    }): Promise<ScimToken> {
      const [row] = await db('scim_tokens')
        .insert({
          name: input.name,
          token_hash: input.tokenHash,
          grantable_roles: input.grantableRoles,
          trust_emails: input.trustEmails,
        })
        .returning(COLUMNS);
      return toToken(row);
    },

    async nameTaken(name: string): Promise<boolean> {
      return Boolean(
        await db('scim_tokens').select('id').whereRaw('lower(name) = lower(?)', [name]).whereNull('revoked_at').first(),
      );
    },

    /** The live token with this hash. */
    async findByHash(tokenHash: string): Promise<ScimToken | undefined> {
      const row = await db('scim_tokens')
        .select(COLUMNS)
        .where('token_hash', tokenHash)
        .whereNull('revoked_at')
        .first();
      return row && toToken(row);
    },

    async touch(id: string): Promise<void> {
      await db('scim_tokens').where({ id }).update({ last_used_at: db.fn.now() });
    },

    list: async (): Promise<ScimToken[]> =>
      (await db('scim_tokens').select(COLUMNS).orderBy('created_at')).map(toToken),

    /** Revokes by id or name; returns the token, or undefined when no live one matches. */
    async revoke(idOrName: string): Promise<ScimToken | undefined> {
      const isUuid = /^[0-9a-f-]{36}$/i.test(idOrName);
      const [row] = await db('scim_tokens')
        .whereNull('revoked_at')
        .where((q) => (isUuid ? q.where('id', idOrName) : q.whereRaw('lower(name) = lower(?)', [idOrName])))
        .update({ revoked_at: db.fn.now() })
        .returning(COLUMNS);
      return row && toToken(row);
    },
  };
}
export type ScimTokensRepository = ReturnType<typeof createScimTokensRepository>;
