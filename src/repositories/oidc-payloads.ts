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
// The hottest statements of the server (every OIDC request runs several): written
// once as parameterised SQL, so no query builder runs per request.
const SELECT_LIVE = `SELECT payload, consumed_at FROM oidc_payloads
  WHERE kind = ? AND %s = ? AND (expires_at IS NULL OR expires_at > now()) LIMIT 1`;
const FIND_BY = { id: SELECT_LIVE.replace('%s', 'id'), uid: SELECT_LIVE.replace('%s', 'uid'), user_code: SELECT_LIVE.replace('%s', 'user_code') };
const UPSERT = `INSERT INTO oidc_payloads (kind, id, payload, grant_id, uid, user_code, account_id, expires_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (kind, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
    user_code = excluded.user_code, account_id = excluded.account_id, expires_at = excluded.expires_at`;
const CONSUME = 'UPDATE oidc_payloads SET consumed_at = now() WHERE kind = ? AND id = ? AND consumed_at IS NULL';
const DESTROY = 'DELETE FROM oidc_payloads WHERE kind = ? AND id = ?';

type Row = { payload: OidcPayload; consumed_at: Date | null };

/**
 * Storage for every oidc-provider model in one table. `kind` is the model name;
 * the lookup columns are copied out of the payload so they can be indexed.
 */
export function createOidcPayloadsRepository(db: Db) {
  const findBy = async (column: keyof typeof FIND_BY, kind: string, value: string) => {
    const { rows } = (await db.raw(FIND_BY[column], [kind, value])) as { rows: Row[] };
    const row = rows[0];
    if (!row) return undefined;
    return row.consumed_at ? { ...row.payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : row.payload;
  };

  return {
    async upsert(kind: string, id: string, payload: OidcPayload, expiresIn: number | undefined): Promise<void> {
      await db.raw(UPSERT, [
        kind,
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        payload.accountId ?? null,
        expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      ]);
    },
    find: (kind: string, id: string) => findBy('id', kind, id),
    findByUid: (kind: string, uid: string) => findBy('uid', kind, uid),
    findByUserCode: (kind: string, userCode: string) => findBy('user_code', kind, userCode),
    async consume(kind: string, id: string): Promise<void> {
      await db.raw(CONSUME, [kind, id]);
    },
    async destroy(kind: string, id: string): Promise<void> {
      await db.raw(DESTROY, [kind, id]);
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
