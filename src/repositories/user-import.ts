import type { Db, Executor } from '../db/database.js';
import { PROFILE_FIELDS, type Profile, type Role, type Status, type User } from '../domain/user.js';
import type { Actor } from '../domain/actor.js';
import { toUser, USER_COLUMNS, type UserRow } from './users.js';
import { isUuid } from '../util/uuid.js';

/**
 * The users CSV import's SQL: a few statements per batch of rows, whatever the
 * batch size (lookups by `= ANY(array)`, writes from `jsonb_to_recordset`).
 * Every method runs in the import's transaction, readied by `begin`.
 */

/** A user a key matched: the row (locked for the transaction) and the roles held in any scope. */
export interface ImportTarget {
  user: User;
  roles: Role[];
}

/** What an imported user is created with. */
export interface ImportedUser {
  userCode: string;
  email: string | null;
  emailVerified: boolean;
  status: Status;
  mainRole: Role;
  mainAccountId: string;
  externalId: string | null;
  tags: string[];
  expiresAt: Date | null;
  customAttributes: Record<string, unknown>;
  profile: Partial<Profile>;
}

/** An existing user's new values (all of them, merged with the old) and what changed. */
export interface ImportedChange {
  id: string;
  after: Omit<ImportedUser, 'profile'> & { profile: Profile };
  statusChanged: boolean;
  /** The old main role, when it changes. */
  roleFrom?: Role;
  accountChanged: boolean;
  emailChanged: boolean;
  /** The audit's field → [old, new]. */
  changes: Record<string, [unknown, unknown]>;
}

/** Who imports, for the audit rows. */
export interface ImportAudit {
  actor: Actor;
  ip: string | null;
  jobId: string;
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const PROFILE_COLUMNS = PROFILE_FIELDS.map(snake);
/** The users columns an import writes, with their types for jsonb_to_recordset. */
const WRITTEN: [string, string][] = [
  ['user_code', 'text'],
  ['email', 'text'],
  ['email_verified', 'boolean'],
  ['status', 'text'],
  ['main_role', 'text'],
  ['main_account_id', 'uuid'],
  ['external_id', 'text'],
  ['tags', 'text[]'],
  ['expires_at', 'timestamptz'],
  ['custom_attributes', 'jsonb'],
  ...PROFILE_COLUMNS.map((c): [string, string] => [c, 'text']),
];
const recordOf = (u: ImportedUser) => ({
  user_code: u.userCode,
  email: u.email,
  email_verified: u.emailVerified,
  status: u.status,
  main_role: u.mainRole,
  main_account_id: u.mainAccountId,
  external_id: u.externalId,
  tags: u.tags,
  expires_at: u.expiresAt ? new Date(u.expiresAt).toISOString() : null,
  custom_attributes: u.customAttributes,
  ...Object.fromEntries(PROFILE_FIELDS.map((f, i) => [PROFILE_COLUMNS[i], u.profile[f] ?? null])),
});

const AUDIT_INSERT = `INSERT INTO audit_events (actor_type, actor_id, actor_name, on_behalf_of, action, target_type, target_id, changes, ip, details)`;
const auditBindings = (a: ImportAudit) => [
  a.actor.type,
  a.actor.id ?? null,
  a.actor.name ?? null,
  a.actor.onBehalfOf ?? null,
];

/**
 * Creates users with their main employment, main role, primary work email and
 * audit event: one statement for the whole batch.
 */
const CREATE_SQL = `
  WITH u AS (
    INSERT INTO users (${WRITTEN.map(([c]) => c).join(', ')})
    SELECT ${WRITTEN.map(([c]) => `r.${c}`).join(', ')}
      FROM jsonb_to_recordset(?::jsonb) AS r(${WRITTEN.map(([c, t]) => `${c} ${t}`).join(', ')})
    RETURNING id, user_code, email, status, main_role, main_account_id
  ), employment AS (
    INSERT INTO employments (user_id, account_id, is_main) SELECT id, main_account_id, true FROM u
  ), role AS (
    INSERT INTO role_assignments (user_id, role) SELECT id, main_role FROM u
  ), contact AS (
    INSERT INTO user_values (user_id, attribute, position, value, type, is_primary) SELECT id, 'emails', 0, email, 'work', true FROM u WHERE email IS NOT NULL
  ), audit AS (
    ${AUDIT_INSERT}
    SELECT ?, ?, ?, ?, 'user.imported_created', 'user', u.id::text,
           jsonb_build_object('status', jsonb_build_array(null, u.status), 'mainRole', jsonb_build_array(null, u.main_role),
                              'email', jsonb_build_array(null, u.email), 'userCode', jsonb_build_array(null, u.user_code)),
           ?, jsonb_build_object('importJobId', ?::text)
      FROM u
  )
  SELECT count(*) AS created FROM u`;

/** Sets every written column from the batch; a status change clears the lockout counters, as `users.setStatus` does. */
const UPDATE_SQL = `
  UPDATE users SET ${WRITTEN.map(([c]) => `${c} = r.${c}`).join(', ')},
         failed_attempts = CASE WHEN r.status_changed THEN 0 ELSE users.failed_attempts END,
         locked_until = CASE WHEN r.status_changed THEN NULL ELSE users.locked_until END,
         status_before_lock = CASE WHEN r.status_changed THEN NULL ELSE users.status_before_lock END,
         updated_at = now(), version = users.version + 1
    FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, status_changed boolean, ${WRITTEN.map(([c, t]) => `${c} ${t}`).join(', ')})
   WHERE users.id = r.id`;

export function createUserImportRepository(db: Db) {
  return {
    /**
     * Readies the import's transaction. No JIT: its statements are many and short,
     * and JIT compiled each large lookup for longer than it ran. No bitmap scans:
     * pg_trgm also answers `=`, and once the import's own writes fill the GIN
     * pending lists the planner still costs a trigram search per key as cheap,
     * while each took 12 ms (12 s a batch) against 2 µs through the btree.
     */
    async begin(trx: Executor): Promise<void> {
      await trx.raw('SET LOCAL jit = off');
      await trx.raw('SET LOCAL enable_bitmapscan = off');
    },

    /** Users not deleted whose email or userCode (lower-cased) is one of `keys`, locked until the import ends. */
    async targets(
      key: 'email' | 'userCode',
      keys: readonly string[],
      trx: Executor = db,
    ): Promise<Map<string, ImportTarget[]>> {
      const found = new Map<string, ImportTarget[]>();
      if (!keys.length) return found;
      const column = key === 'email' ? 'email' : 'user_code';
      const { rows } = (await trx.raw(
        `SELECT ${USER_COLUMNS.map((c) => `users.${c}`).join(', ')}, lower(users.${column}) AS import_key,
                (SELECT coalesce(array_agg(DISTINCT a.role), '{}') FROM role_assignments a WHERE a.user_id = users.id) AS role_names
           FROM users WHERE lower(users.${column}) = ANY(?::text[]) AND users.status <> 'deleted'
           FOR NO KEY UPDATE OF users`,
        [[...keys]],
      )) as { rows: (UserRow & { import_key: string; role_names: Role[] })[] };
      for (const r of rows) {
        const list = found.get(r.import_key) ?? [];
        list.push({ user: toUser(r), roles: r.role_names });
        found.set(r.import_key, list);
      }
      return found;
    },

    /** Who (not deleted) holds these emails and userCodes (lower-cased): value → user ids. */
    async holders(
      emails: readonly string[],
      userCodes: readonly string[],
      trx: Executor = db,
    ): Promise<{ emails: Map<string, string[]>; userCodes: Map<string, string[]> }> {
      const result = { emails: new Map<string, string[]>(), userCodes: new Map<string, string[]>() };
      if (!emails.length && !userCodes.length) return result;
      const { rows } = (await trx.raw(
        `SELECT 'email' AS kind, lower(email) AS value, id FROM users WHERE lower(email) = ANY(?::text[]) AND status <> 'deleted'
         UNION ALL
         SELECT 'userCode', lower(user_code), id FROM users WHERE lower(user_code) = ANY(?::text[]) AND status <> 'deleted'`,
        [[...emails], [...userCodes]],
      )) as { rows: { kind: 'email' | 'userCode'; value: string; id: string }[] };
      for (const r of rows) {
        const map = r.kind === 'email' ? result.emails : result.userCodes;
        map.set(r.value, [...(map.get(r.value) ?? []), r.id]);
      }
      return result;
    },

    /**
     * Accounts by id or name (case-insensitive): lower-cased reference → id. A
     * name not found is made a `customer` account; an id not found is left out.
     */
    async resolveAccounts(
      references: readonly string[],
      audit: ImportAudit,
      trx: Executor = db,
    ): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      if (!references.length) return found;
      const ids = references.filter(isUuid);
      const names = references.filter((r) => !isUuid(r));
      const { rows } = (await trx.raw(
        `SELECT id::text AS ref, id FROM accounts WHERE id = ANY(?::uuid[])
         UNION ALL
         SELECT lower(name), id FROM accounts WHERE lower(name) = ANY(?::text[])`,
        [ids.map((i) => i.toLowerCase()), names.map((n) => n.toLowerCase())],
      )) as { rows: { ref: string; id: string }[] };
      for (const r of rows) found.set(r.ref, r.id);
      // The first spelling of a new name is the account's.
      const missing = [
        ...new Map(
          names
            .filter((n) => !found.has(n.toLowerCase()))
            .reverse()
            .map((n) => [n.toLowerCase(), n]),
        ).values(),
      ];
      if (missing.length) {
        // DO UPDATE (a no-op) rather than DO NOTHING: it returns the row a concurrent transaction inserts
        // (xmax = 0 only on the rows this statement inserted: those are audited).
        const made = (await trx.raw(
          `WITH made AS (
             INSERT INTO accounts (name, kind) SELECT n, 'customer' FROM unnest(?::text[]) AS n
             ON CONFLICT (lower(name)) DO UPDATE SET name = accounts.name RETURNING id, name, kind, xmax = 0 AS inserted
           ), audit AS (
             ${AUDIT_INSERT}
             SELECT ?, ?, ?, ?, 'account.created', 'account', made.id::text,
                    jsonb_build_object('name', jsonb_build_array(null, made.name), 'kind', jsonb_build_array(null, made.kind)),
                    ?, jsonb_build_object('importJobId', ?::text)
               FROM made WHERE made.inserted
           )
           SELECT lower(name) AS ref, id FROM made`,
          [missing, ...auditBindings(audit), audit.ip, audit.jobId],
        )) as { rows: { ref: string; id: string }[] };
        for (const r of made.rows) found.set(r.ref, r.id);
      }
      return found;
    },

    /** Which of these userCodes (lower-cased) a user who is not deleted holds. */
    async takenUserCodes(candidates: readonly string[], trx: Executor = db): Promise<Set<string>> {
      if (!candidates.length) return new Set();
      const { rows } = (await trx.raw(
        `SELECT lower(user_code) AS code FROM users WHERE lower(user_code) = ANY(?::text[]) AND status <> 'deleted'`,
        [candidates.map((c) => c.toLowerCase())],
      )) as { rows: { code: string }[] };
      return new Set(rows.map((r) => r.code));
    },

    /** Creates the users (with employment, role, email and audit); returns how many. */
    async create(users: readonly ImportedUser[], audit: ImportAudit, trx: Executor = db): Promise<number> {
      if (!users.length) return 0;
      const { rows } = (await trx.raw(CREATE_SQL, [
        JSON.stringify(users.map(recordOf)),
        ...auditBindings(audit),
        audit.ip,
        audit.jobId,
      ])) as { rows: { created: number | string }[] };
      return Number(rows[0]?.created ?? 0);
    },

    /** Writes the changes: users, then main roles and main accounts where they changed, then the audit (primary emails: `users.syncPrimaryEmails`). */
    async update(changes: readonly ImportedChange[], audit: ImportAudit, trx: Executor = db): Promise<void> {
      if (!changes.length) return;
      await trx.raw(UPDATE_SQL, [
        JSON.stringify(changes.map((c) => ({ id: c.id, status_changed: c.statusChanged, ...recordOf(c.after) }))),
      ]);

      const roles = changes
        .filter((c) => c.roleFrom)
        .map((c) => ({ id: c.id, role_from: c.roleFrom, role_to: c.after.mainRole }));
      if (roles.length) {
        const recordset = `jsonb_to_recordset(?::jsonb) AS r(id uuid, role_from text, role_to text)`;
        await trx.raw(
          `DELETE FROM role_assignments a USING ${recordset}
            WHERE a.user_id = r.id AND a.role = r.role_from AND a.account_id IS NULL AND a.account_group_id IS NULL`,
          [JSON.stringify(roles)],
        );
        await trx.raw(
          `INSERT INTO role_assignments (user_id, role) SELECT r.id, r.role_to FROM ${recordset}
            WHERE NOT EXISTS (SELECT 1 FROM role_assignments a WHERE a.user_id = r.id AND a.role = r.role_to AND a.account_id IS NULL AND a.account_group_id IS NULL)`,
          [JSON.stringify(roles)],
        );
      }

      const accounts = changes
        .filter((c) => c.accountChanged)
        .map((c) => ({ id: c.id, account_id: c.after.mainAccountId }));
      if (accounts.length) {
        const recordset = `jsonb_to_recordset(?::jsonb) AS r(id uuid, account_id uuid)`;
        await trx.raw(
          `UPDATE employments e SET is_main = false, updated_at = now() FROM ${recordset} WHERE e.user_id = r.id AND e.is_main AND e.account_id <> r.account_id`,
          [JSON.stringify(accounts)],
        );
        await trx.raw(
          `INSERT INTO employments (user_id, account_id, is_main) SELECT r.id, r.account_id, true FROM ${recordset}
           ON CONFLICT (user_id, account_id) DO UPDATE SET is_main = true, updated_at = now()`,
          [JSON.stringify(accounts)],
        );
      }

      await trx.raw(
        `${AUDIT_INSERT}
         SELECT ?, ?, ?, ?, 'user.imported_updated', 'user', r.id, r.changes, ?, jsonb_build_object('importJobId', ?::text)
           FROM jsonb_to_recordset(?::jsonb) AS r(id text, changes jsonb)`,
        [
          ...auditBindings(audit),
          audit.ip,
          audit.jobId,
          JSON.stringify(changes.map((c) => ({ id: c.id, changes: c.changes }))),
        ],
      );
    },
  };
}
export type UserImportRepository = ReturnType<typeof createUserImportRepository>;
