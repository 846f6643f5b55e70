import type { Db, Executor } from '../db/database.js';
import { isUuid } from '../util/uuid.js';

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
 * The kinds issued under a grant, which go when it is revoked (oidc-provider's own
 * adapters use the same list). Sessions and interactions carry a grant id too, but
 * they belong to the browser: revoking a grant when one person signs out and another
 * signs in must not take the new sign-in's interaction with it.
 */
const GRANTABLE = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'];
const REVOKE_GRANT = `DELETE FROM oidc_payloads WHERE grant_id = ? AND kind IN (${GRANTABLE.map(() => '?').join(', ')})`;

// Impersonations by or of the user end; the grants to revoke are the user's, the
// exchanged tokens', and those listed in the sessions going (an admin's session
// acting as someone). Each set is an index lookup; rows go by primary key. Bindings:
// the user id as a uuid (null when it is not one), twice, then as text, three times.
const REVOKE_ACCOUNT = `
  WITH ended AS (
    UPDATE impersonations SET ended_at = now(), ended_reason = 'account_ended'
     WHERE ended_at IS NULL AND (actor_id = CAST(? AS uuid) OR target_id = CAST(? AS uuid))
    RETURNING kind, grant_id, session_uid
  ), sessions AS (
    SELECT id, payload FROM oidc_payloads
     WHERE kind = 'Session' AND (account_id = ? OR uid IN (SELECT session_uid FROM ended WHERE kind = 'interactive'))
  ), grants AS (
    SELECT id FROM oidc_payloads WHERE kind = 'Grant' AND account_id = ?
    UNION SELECT grant_id FROM ended WHERE grant_id IS NOT NULL
    UNION SELECT a.value->>'grantId' FROM sessions s, jsonb_each(coalesce(s.payload->'authorizations', '{}')) a
  ), doomed AS (
    SELECT kind, id FROM oidc_payloads WHERE account_id = ?
    UNION SELECT kind, id FROM oidc_payloads WHERE grant_id IN (SELECT id FROM grants)
    UNION SELECT 'Grant', id FROM grants
    UNION SELECT 'Session', id FROM sessions
  ), gone AS (
    DELETE FROM oidc_payloads p USING doomed d WHERE p.kind = d.kind AND p.id = d.id RETURNING 1
  )
  SELECT count(*)::int AS n FROM gone`;

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
      await db.raw(REVOKE_GRANT, [grantId, ...GRANTABLE]);
    },
    /** Revokes grants: each grant and every token and code issued under it. */
    async revokeGrants(grantIds: string[], trx: Executor = db): Promise<void> {
      if (!grantIds.length) return;
      await trx('oidc_payloads')
        .where((q) => q.whereIn('grant_id', grantIds).whereIn('kind', GRANTABLE))
        .orWhere((q) => q.where('kind', 'Grant').whereIn('id', grantIds))
        .delete();
    },
    /**
     * Ends everything a user holds: sessions, grants and every token and code
     * issued under those grants; and every impersonation they started or that
     * acts as them: the exchanged tokens' grants, and an admin's session switched
     * to another user with the grants it made. Returns how many payload rows went.
     * Inside `trx` when given (an admin change that ends sessions with it).
     */
    async revokeAccount(accountId: string, trx: Executor = db): Promise<number> {
      const uuid = isUuid(accountId) ? accountId : null;
      const { rows } = (await trx.raw(REVOKE_ACCOUNT, [uuid, uuid, accountId, accountId, accountId])) as { rows: { n: number }[] };
      return rows[0]!.n;
    },
    /** A user's live sessions (oidc-provider `Session` payloads), the newest sign-in first. */
    async sessionsOf(accountId: string, trx: Executor = db): Promise<{ payload: OidcPayload; expiresAt: Date | null }[]> {
      const rows = await trx('oidc_payloads')
        .select('payload', 'expires_at')
        .where({ kind: 'Session', account_id: accountId })
        .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now()))
        .orderByRaw("(payload->>'loginTs')::bigint DESC NULLS LAST, id");
      return rows.map((r) => ({ payload: r.payload, expiresAt: r.expires_at ? new Date(r.expires_at) : null }));
    },
    /** Drops rows that expired more than `graceSeconds` ago. */
    async deleteExpired(graceSeconds = 3600): Promise<number> {
      return db('oidc_payloads').where('expires_at', '<', new Date(Date.now() - graceSeconds * 1000)).delete();
    },
  };
}
export type OidcPayloadsRepository = ReturnType<typeof createOidcPayloadsRepository>;
