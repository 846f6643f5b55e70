import type { Db } from '../db/database.js';

export type OidcPayload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  consumed?: number;
};

/**
 * Storage for every oidc-provider model in one table. `kind` is the model name;
 * the lookup columns are copied out of the payload so they can be indexed.
 */
export function createOidcPayloadsRepository(db: Db) {
  const live = (kind: string) =>
    db('oidc_payloads')
      .select('payload', 'consumed_at')
      .where('kind', kind)
      .where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
  const withConsumed = (row: { payload: OidcPayload; consumed_at: Date | null } | undefined) => {
    if (!row) return undefined;
    return row.consumed_at ? { ...row.payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : row.payload;
  };

  return {
    async upsert(kind: string, id: string, payload: OidcPayload, expiresIn: number | undefined): Promise<void> {
      await db('oidc_payloads')
        .insert({
          kind,
          id,
          payload: JSON.stringify(payload),
          grant_id: payload.grantId ?? null,
          uid: payload.uid ?? null,
          user_code: payload.userCode ?? null,
          account_id: payload.accountId ?? null,
          expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
        })
        .onConflict(['kind', 'id'])
        .merge();
    },
    find: async (kind: string, id: string) => withConsumed(await live(kind).where('id', id).first()),
    findByUid: async (kind: string, uid: string) => withConsumed(await live(kind).where('uid', uid).first()),
    findByUserCode: async (kind: string, userCode: string) => withConsumed(await live(kind).where('user_code', userCode).first()),
    async consume(kind: string, id: string): Promise<void> {
      await db('oidc_payloads').where({ kind, id }).whereNull('consumed_at').update({ consumed_at: db.fn.now() });
    },
    async destroy(kind: string, id: string): Promise<void> {
      await db('oidc_payloads').where({ kind, id }).delete();
    },
    async revokeByGrantId(grantId: string): Promise<void> {
      await db('oidc_payloads').where('grant_id', grantId).delete();
    },
    /**
     * Ends everything a user holds: sessions, grants and every token and code
     * issued under those grants. Returns how many rows went.
     */
    async revokeAccount(accountId: string): Promise<number> {
      return db('oidc_payloads')
        .where('account_id', accountId)
        .orWhereIn('grant_id', db('oidc_payloads').select('id').where({ kind: 'Grant', account_id: accountId }))
        .delete();
    },
    /** Drops rows that expired more than `graceSeconds` ago. */
    async deleteExpired(graceSeconds = 3600): Promise<number> {
      return db('oidc_payloads').where('expires_at', '<', new Date(Date.now() - graceSeconds * 1000)).delete();
    },
  };
}
export type OidcPayloadsRepository = ReturnType<typeof createOidcPayloadsRepository>;
