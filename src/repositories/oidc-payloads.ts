import type { Db, Executor } from '../db/database.js';
import { systemClock, type Clock } from '../util/clock.js';
import { hashToken } from '../util/crypto.js';
import { isUuid } from '../util/uuid.js';
import { defined } from '../util/defined.js';
import { coalesce } from '../util/coalesce.js';
import { preparedStatement } from '../db/prepared.js';

export type OidcPayload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  consumed?: number;
};

// The hottest statements of the server (every OIDC request runs several): prepared
// statements sent straight to the driver (db/prepared.ts), no query builder per request.
// Live by the repository's clock, the one `upsert` computed `expires_at` with.
const SELECT_LIVE = `SELECT id, payload, consumed_at FROM oidc_payloads
  WHERE kind = $1 AND %s = $2 AND (expires_at IS NULL OR expires_at > $3) LIMIT 1`;
const FIND_BY = {
  id: SELECT_LIVE.replace('%s', 'id'),
  uid: SELECT_LIVE.replace('%s', 'uid'),
  user_code: SELECT_LIVE.replace('%s', 'user_code'),
};
/**
 * Upserts rows given as one JSON array (`payload` nested as an object, not as a string in
 * a string): the statement is the same for one row or many, so concurrent writes share it
 * (`coalesce`). Rows carry their key, so ON CONFLICT never meets one twice.
 */
const UPSERT_FROM = `INSERT INTO oidc_payloads (kind, id, payload, grant_id, uid, user_code, account_id, expires_at)
  SELECT r.kind, r.id, r.payload, r.grant_id, r.uid, r.user_code, r.account_id, r.expires_at
    FROM json_to_recordset($1::json) AS r(kind text, id text, payload jsonb, grant_id text, uid text, user_code text,
      account_id text, expires_at timestamptz)`;
const ON_CONFLICT = `ON CONFLICT (kind, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
    uid = excluded.uid, user_code = excluded.user_code, account_id = excluded.account_id, expires_at = excluded.expires_at`;
const UPSERT = `${UPSERT_FROM} ${ON_CONFLICT}`;
/**
 * Access tokens (opaque, and client credentials) commit without waiting for the WAL
 * flush: `synchronous_commit` off for the statement's own transaction. A token lost to
 * a database crash only makes its client ask for another; refresh tokens, codes,
 * grants and sessions keep the server's setting (their loss would sign people out).
 */
const UPSERT_NO_FLUSH = `${UPSERT_FROM}, (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush
  ${ON_CONFLICT}`;
const NO_FLUSH_KINDS = new Set(['AccessToken', 'ClientCredentials']);
const CONSUME = 'UPDATE oidc_payloads SET consumed_at = now() WHERE kind = $1 AND id = $2 AND consumed_at IS NULL';
const DESTROY = 'DELETE FROM oidc_payloads WHERE kind = $1 AND id = $2';

type StoredRow = {
  kind: string;
  id: string;
  payload: OidcPayload;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  account_id: string | null;
  expires_at: Date | null;
};

type Row = { id: string; payload: OidcPayload; consumed_at: Date | null };

/**
 * No usable bearer credential at rest. Every kind but those below is stored under
 * the SHA-256 of its id (base64url, as reset tokens are) and its payload without
 * `jti` (the id again): a dump or a backup holds no access token, refresh token,
 * code or session cookie that could be replayed. A find by id hashes the value it
 * is given and puts it back as `jti`. Kept raw:
 * - Grant: its id is the `grant_id` of other rows, sits in sessions' `authorizations`
 *   and in impersonations, and account revocation joins on it in SQL. It is no
 *   credential: no endpoint accepts a grant id.
 * - Interaction: its id is in URLs (`/interaction/<uid>`, `/auth/<uid>`, its own
 *   `returnTo`) and it lives TTL_INTERACTION. The session cookie it copies
 *   (`session.cookie`, which oidc-provider never reads back) is dropped.
 * A row found by uid or user code has no raw id to give back: its `jti` is then
 * STORED_KEY + the stored id, which upsert, consume and destroy take as the row's
 * key; a find by id never matches it (it is hashed like any other value).
 * Migration 20261207050000 hashed the rows written before.
 */
const RAW_ID_KINDS = new Set(['Grant', 'Interaction']);
const STORED_KEY = 'stored:';
/** The key of a value presented by a client or a browser: always hashed. */
const lookupKey = (kind: string, value: string) => (RAW_ID_KINDS.has(kind) ? value : hashToken(value));
/** The key of a model's own id (also the stored-key form a uid or user-code find gave out). */
const rowKey = (kind: string, id: string) =>
  !RAW_ID_KINDS.has(kind) && id.startsWith(STORED_KEY) ? id.slice(STORED_KEY.length) : lookupKey(kind, id);

function toStored(kind: string, payload: OidcPayload): OidcPayload {
  if (RAW_ID_KINDS.has(kind)) {
    const session = payload.session as Record<string, unknown> | undefined;
    if (kind !== 'Interaction' || !session || !('cookie' in session)) return payload;
    const { cookie: _cookie, ...rest } = session;
    return { ...payload, session: rest };
  }
  const { jti: _jti, ...rest } = payload;
  return rest;
}

/**
 * The kinds issued under a grant, which go when it is revoked (oidc-provider's own
 * adapters use the same list). Sessions and interactions carry a grant id too, but
 * they belong to the browser: revoking a grant when one person signs out and another
 * signs in must not take the new sign-in's interaction with it.
 */
const GRANTABLE = [
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
];
const REVOKE_GRANT = `DELETE FROM oidc_payloads WHERE grant_id = $1 AND kind IN (${GRANTABLE.map((_, i) => `$${i + 2}`).join(', ')})`;

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

// What a deleted client held: every payload naming it (grants, codes, tokens,
// device and CIBA requests) and every token issued under its grants. A client is
// deleted rarely: the scan of `payload->>'clientId'` needs no index on the hot table.
const REVOKE_CLIENT = `
  WITH grants AS (
    SELECT id FROM oidc_payloads WHERE kind = 'Grant' AND payload->>'clientId' = ?
  ), doomed AS (
    SELECT kind, id FROM oidc_payloads WHERE payload->>'clientId' = ?
    UNION SELECT kind, id FROM oidc_payloads WHERE grant_id IN (SELECT id FROM grants)
      AND kind IN (${GRANTABLE.map((k) => `'${k}'`).join(', ')})
  ), gone AS (
    DELETE FROM oidc_payloads p USING doomed d WHERE p.kind = d.kind AND p.id = d.id RETURNING 1
  )
  SELECT count(*)::int AS n FROM gone`;

/**
 * Storage for every oidc-provider model in one table. `kind` is the model name;
 * the lookup columns are copied out of the payload so they can be indexed.
 */
export function createOidcPayloadsRepository(db: Db, clock: Clock = systemClock) {
  const statement = <R = Record<string, unknown>>(name: string, text: string) =>
    preparedStatement<R>(db, `oidc_payloads_${name}`, text);
  const finds = {
    id: statement<Row>('find_by_id', FIND_BY.id),
    uid: statement<Row>('find_by_uid', FIND_BY.uid),
    user_code: statement<Row>('find_by_user_code', FIND_BY.user_code),
  };
  const consume = statement('consume', CONSUME);
  const destroy = statement('destroy', DESTROY);
  const revokeGrant = statement('revoke_grant', REVOKE_GRANT);

  /** `jti`: the raw id when the caller gave it, else (uid, user code) the stored-key form. */
  const findBy = async (column: keyof typeof FIND_BY, kind: string, value: string, jti?: string) => {
    const [row] = await finds[column]([kind, value, clock.now()]);
    if (!row) return undefined;
    const payload = RAW_ID_KINDS.has(kind) ? row.payload : { ...row.payload, jti: jti ?? `${STORED_KEY}${row.id}` };
    return row.consumed_at ? { ...payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : payload;
  };

  /** One statement for the rows given; a key written twice keeps its last row. */
  const upsertRows = (name: string, sql: string) => {
    const upsert = statement(name, sql);
    return async (rows: StoredRow[]) => {
      const last = new Map(rows.map((r) => [`${r.kind}:${r.id}`, r]));
      await upsert([JSON.stringify([...last.values()])]);
    };
  };
  // Concurrent writes (many token requests at once) go as one statement: see util/coalesce.ts.
  const writeFlushed = coalesce(upsertRows('upsert', UPSERT));
  const writeNoFlush = coalesce(upsertRows('upsert_no_flush', UPSERT_NO_FLUSH));

  return {
    async upsert(kind: string, id: string, payload: OidcPayload, expiresIn: number | undefined): Promise<void> {
      await (NO_FLUSH_KINDS.has(kind) ? writeNoFlush : writeFlushed)({
        kind,
        id: rowKey(kind, id),
        payload: toStored(kind, payload),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        account_id: payload.accountId ?? null,
        expires_at: expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null,
      });
    },
    find: (kind: string, id: string) => findBy('id', kind, lookupKey(kind, id), id),
    findByUid: (kind: string, uid: string) => findBy('uid', kind, uid),
    findByUserCode: (kind: string, userCode: string) => findBy('user_code', kind, userCode),
    async consume(kind: string, id: string): Promise<void> {
      await consume([kind, rowKey(kind, id)]);
    },
    async destroy(kind: string, id: string): Promise<void> {
      await destroy([kind, rowKey(kind, id)]);
    },
    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeGrant([grantId, ...GRANTABLE]);
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
      const { rows } = (await trx.raw(REVOKE_ACCOUNT, [uuid, uuid, accountId, accountId, accountId])) as {
        rows: { n: number }[];
      };
      return defined(rows[0], 'the count of revoked payloads').n;
    },
    /** Ends everything issued to a client: its grants and every code and token. Returns how many rows went. */
    async revokeClient(clientId: string, trx: Executor = db): Promise<number> {
      const { rows } = (await trx.raw(REVOKE_CLIENT, [clientId, clientId])) as { rows: { n: number }[] };
      return defined(rows[0], 'the count of revoked payloads').n;
    },
    /** A user's live sessions (oidc-provider `Session` payloads), the newest sign-in first. */
    async sessionsOf(
      accountId: string,
      trx: Executor = db,
    ): Promise<{ payload: OidcPayload; expiresAt: Date | null }[]> {
      const rows = await trx('oidc_payloads')
        .select('payload', 'expires_at')
        .where({ kind: 'Session', account_id: accountId })
        .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now()))
        .orderByRaw("(payload->>'loginTs')::bigint DESC NULLS LAST, id");
      return rows.map((r) => ({ payload: r.payload, expiresAt: r.expires_at ? new Date(r.expires_at) : null }));
    },
    /** Drops rows that expired more than `graceSeconds` ago. */
    async deleteExpired(graceSeconds = 3600): Promise<number> {
      return db('oidc_payloads')
        .where('expires_at', '<', new Date(clock.now().getTime() - graceSeconds * 1000))
        .delete();
    },
  };
}
export type OidcPayloadsRepository = ReturnType<typeof createOidcPayloadsRepository>;
