import type { Knex } from 'knex';
import type { Db, Executor } from '../db/database.js';
import type { Role, Status, User } from '../domain/user.js';
import type { UserScope } from '../domain/user-scope.js';
import { toUser, USER_COLUMNS, type UserRow } from './users.js';

/** What the users list (and export) filters on; every field is optional. */
export interface UserFilter {
  /** Part of a name, email or userCode, case-insensitively. */
  q?: string;
  status?: Status[];
  /** Main roles. */
  role?: Role[];
  accountId?: string;
  accountGroupId?: string;
  groupId?: string;
  /** Holds a licence of one of these types (keys). */
  licence?: string[];
  createdFrom?: Date;
  createdTo?: Date;
  lastSignInFrom?: Date;
  lastSignInTo?: Date;
  /** Holds any of these tags. */
  tags?: string[];
  /** Where their invitation stands (any of these). */
  invitation?: InvitationFilterState[];
  /** Never signed in (true), or signed in at least once (false). */
  neverSignedIn?: boolean;
  /**
   * Which employments `accountId` and `accountGroupId` match: `current` (not ended:
   * no end date, or one today or later; the default), `ended`, or `any`.
   */
  employment?: EmploymentFilter;
  /** Custom field filters as given (`cf.<key>[.from|.to]` → values): resolved into `custom` by the caller. */
  cf?: Record<string, string[]>;
  /** Custom field filters, typed by their field (UserRecordService.resolveFilter). */
  custom?: CustomFieldCondition[];
}

/** One custom field's filter: any of `equals`, and within [from, to) for numbers and dates. */
export interface CustomFieldCondition {
  key: string;
  type: 'number' | 'date' | 'other';
  equals?: (string | number | boolean)[];
  from?: string | number;
  to?: string | number;
}

/**
 * Invitation states as a filter: `sent` is a mail gone and not acted on yet (the
 * invitation endpoint's `pending`), `accepted` one whose link was used or that was
 * followed by a sign-in (`confirmed`).
 */
export const INVITATION_FILTER_STATES = ['not_invited', 'scheduled', 'sent', 'accepted'] as const;
export type InvitationFilterState = (typeof INVITATION_FILTER_STATES)[number];
export const EMPLOYMENT_FILTERS = ['current', 'ended', 'any'] as const;
export type EmploymentFilter = (typeof EMPLOYMENT_FILTERS)[number];

/** Each invitation state as a condition on `users` and its `invitations` row `i` (as policies/invitation.ts decides it). */
const INVITATION_SQL: Record<InvitationFilterState, string> = {
  not_invited: 'i.user_id IS NULL OR (i.sent_at IS NULL AND i.scheduled_at IS NULL)',
  scheduled: 'i.sent_at IS NULL AND i.scheduled_at IS NOT NULL',
  sent: 'i.sent_at IS NOT NULL AND i.confirmed_at IS NULL AND (users.last_sign_in_at IS NULL OR users.last_sign_in_at < i.sent_at)',
  accepted: 'i.sent_at IS NOT NULL AND (i.confirmed_at IS NOT NULL OR users.last_sign_in_at >= i.sent_at)',
};

/** Employments `e` that match the employment filter. */
function employmentMatches(w: Knex.QueryBuilder, which: EmploymentFilter) {
  if (which === 'current') w.where((c) => c.whereNull('e.end_date').orWhereRaw('e.end_date >= current_date'));
  else if (which === 'ended') w.whereRaw('e.end_date < current_date');
  return w;
}

/**
 * Sort keys: each an expression with an index on (expression, id), so a page is
 * an index range scan. Nulls sort first ascending (as '' or -infinity).
 */
export const USER_SORTS = {
  createdAt: { sql: 'users.created_at', type: 'timestamptz' },
  lastSignInAt: { sql: "coalesce(users.last_sign_in_at, '-infinity'::timestamptz)", type: 'timestamptz' },
  email: { sql: "coalesce(lower(users.email), '')", type: 'text' },
  userCode: { sql: 'lower(users.user_code)', type: 'text' },
  givenName: { sql: "coalesce(lower(users.given_name), '')", type: 'text' },
  familyName: { sql: "coalesce(lower(users.family_name), '')", type: 'text' },
} as const;
export type UserSortKey = keyof typeof USER_SORTS;
export interface UserSort {
  key: UserSortKey;
  descending: boolean;
}

/** What a list row and an export carry besides the user's own record. */
export interface UserRelated {
  mainAccountName: string | null;
  groups: { id: string; displayName: string }[];
  roles: { role: Role; accountId: string | null; accountGroupId: string | null }[];
  /** The keys of the licences held. */
  licences: string[];
}

/**
 * The related records of a page of users in ONE statement (each aggregated per
 * user in SQL, never a query per user). JSON aggregates come back parsed on both
 * databases.
 */
const RELATED_SQL = `SELECT u.id,
  (SELECT a.name FROM accounts a WHERE a.id = u.main_account_id) AS main_account_name,
  coalesce((SELECT json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY lower(g.display_name), g.id)
     FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = u.id), '[]'::json) AS groups,
  coalesce((SELECT json_agg(json_build_object('role', r.role, 'accountId', r.account_id, 'accountGroupId', r.account_group_id)
       ORDER BY r.role, r.account_id NULLS FIRST, r.account_group_id NULLS FIRST)
     FROM role_assignments r WHERE r.user_id = u.id), '[]'::json) AS roles,
  coalesce((SELECT json_agg(t.key ORDER BY t.key)
     FROM user_licences l JOIN licence_types t ON t.id = l.licence_type_id WHERE l.user_id = u.id), '[]'::json) AS licences
FROM users u WHERE u.id = ANY(?::uuid[])`;

/** Where the previous page ended: the sort key (as text) and id of its last user. */
export interface UserCursor {
  after: string;
  id: string;
}

const SEARCHED = ['email', 'user_code', 'given_name', 'family_name', 'display_name'];
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The users list: filters, the caller's scope, keyset paging and a total. */
export function createUserSearch(db: Db) {
  /** Users employed now by one of the accounts, or by an account of one of the account groups. */
  function whereInScope(q: Knex.QueryBuilder, scope: Extract<UserScope, { all: false }>) {
    return q.whereExists((s) =>
      s
        .select(db.raw('1'))
        .from('employments as se')
        .whereRaw('se.user_id = users.id')
        .where((w) => w.whereNull('se.end_date').orWhereRaw('se.end_date >= current_date'))
        .where((w) => {
          w.whereIn('se.account_id', scope.accountIds as string[]);
          if (scope.accountGroupIds.length)
            w.orWhereIn('se.account_id', (g) =>
              g
                .select('account_id')
                .from('account_group_members')
                .whereIn('account_group_id', scope.accountGroupIds as string[]),
            );
        }),
    );
  }

  /** Equality by containment (the GIN index on custom_attributes); ranges on the typed value. */
  function whereCustom(q: Knex.QueryBuilder, c: CustomFieldCondition) {
    if (c.equals?.length) {
      const equals = c.equals;
      q.where((w) => {
        for (const value of equals)
          w.orWhereRaw('users.custom_attributes @> ?::jsonb', [JSON.stringify({ [c.key]: value })]);
      });
    }
    const typed =
      c.type === 'number'
        ? "(CASE WHEN jsonb_typeof(users.custom_attributes -> ?) = 'number' THEN (users.custom_attributes ->> ?)::numeric END)"
        : '(users.custom_attributes ->> ?)';
    const keys = c.type === 'number' ? [c.key, c.key] : [c.key];
    if (c.from !== undefined) q.whereRaw(`${typed} >= ?`, [...keys, c.from]);
    if (c.to !== undefined) q.whereRaw(`${typed} < ?`, [...keys, c.to]);
  }

  function where(q: Knex.QueryBuilder, filter: UserFilter, scope: UserScope) {
    // Each word of `q` is in one of the searched columns (each has a trigram index).
    for (const word of filter.q?.toLowerCase().split(/\s+/).filter(Boolean) ?? []) {
      const like = `%${escapeLike(word)}%`;
      q.where((w) => {
        for (const column of SEARCHED) w.orWhereRaw(`lower(users.${column}) LIKE ?`, [like]);
      });
    }
    if (filter.status?.length) q.whereIn('users.status', filter.status);
    // SPEC: the main role is the one "used for display and filtering".
    if (filter.role?.length) q.whereIn('users.main_role', filter.role);
    const { accountId, accountGroupId, groupId } = filter;
    const employment = filter.employment ?? 'current';
    if (accountId)
      q.whereExists((s) =>
        employmentMatches(
          s
            .select(db.raw('1'))
            .from('employments as e')
            .whereRaw('e.user_id = users.id')
            .where('e.account_id', accountId),
          employment,
        ),
      );
    if (accountGroupId) {
      q.whereExists((s) =>
        employmentMatches(
          s
            .select(db.raw('1'))
            .from('employments as e')
            .join('account_group_members as m', 'm.account_id', 'e.account_id')
            .whereRaw('e.user_id = users.id')
            .where('m.account_group_id', accountGroupId),
          employment,
        ),
      );
    }
    if (filter.tags?.length) q.whereRaw('users.tags && ?::text[]', [filter.tags]);
    if (filter.neverSignedIn !== undefined)
      q.where((w) =>
        filter.neverSignedIn ? w.whereNull('users.last_sign_in_at') : w.whereNotNull('users.last_sign_in_at'),
      );
    if (filter.invitation?.length) {
      const states = [...new Set(filter.invitation)];
      q.whereRaw(
        `EXISTS (SELECT 1 FROM (SELECT 1) AS one LEFT JOIN invitations i ON i.user_id = users.id WHERE ${states
          .map((state) => `(${INVITATION_SQL[state]})`)
          .join(' OR ')})`,
      );
    }
    if (groupId)
      q.whereExists((s) =>
        s.select(db.raw('1')).from('group_members as g').whereRaw('g.user_id = users.id').where('g.group_id', groupId),
      );
    if (filter.licence?.length) {
      const keys = filter.licence;
      q.whereExists((s) =>
        s
          .select(db.raw('1'))
          .from('user_licences as fl')
          .join('licence_types as ft', 'ft.id', 'fl.licence_type_id')
          .whereRaw('fl.user_id = users.id')
          .whereIn('ft.key', keys),
      );
    }
    if (filter.createdFrom) q.where('users.created_at', '>=', filter.createdFrom);
    if (filter.createdTo) q.where('users.created_at', '<', filter.createdTo);
    if (filter.lastSignInFrom) q.where('users.last_sign_in_at', '>=', filter.lastSignInFrom);
    if (filter.lastSignInTo) q.where('users.last_sign_in_at', '<', filter.lastSignInTo);
    if (filter.cf && !filter.custom)
      throw new Error('custom field filters not resolved (UserRecordService.resolveFilter)');
    for (const c of filter.custom ?? []) whereCustom(q, c);
    if (!scope.all) whereInScope(q, scope);
    return q;
  }

  return {
    /**
     * One page of users and the number matching; `cursor` continues a previous page.
     * Without `q` the page walks the sort key's index and the total is counted beside
     * it. With `q` the matches come first from the trigram indexes (MATERIALIZED), and
     * the page and the total are both read from them: one scan, not a walk of the sort
     * index past every user who does not match.
     */
    async page(
      input: {
        filter: UserFilter;
        scope: UserScope;
        sort: UserSort;
        limit: number;
        cursor?: UserCursor;
        withTotal?: boolean;
      },
      trx: Executor = db,
    ): Promise<{ users: User[]; total: number | undefined; next: UserCursor | undefined }> {
      const { sql, type } = USER_SORTS[input.sort.key];
      const direction = input.sort.descending ? 'DESC' : 'ASC';
      /** Rows after the cursor, ordered by (key, id): the keyset. */
      const keyset = (q: Knex.QueryBuilder, key: string, id: string) => {
        if (input.cursor)
          q.whereRaw(`(${key}, ${id}) ${input.sort.descending ? '<' : '>'} (?::${type}, ?::uuid)`, [
            input.cursor.after,
            input.cursor.id,
          ]);
        return q.orderByRaw(`${key} ${direction}, ${id} ${direction}`).limit(input.limit + 1);
      };
      const count = () =>
        where(trx('users'), input.filter, input.scope)
          .count('* as count')
          .first()
          .then((r) => Number(r?.count ?? 0));
      let rows: (UserRow & { sort_key: string; total?: string | number })[];
      let total: number | undefined;
      if (input.filter.q?.trim() && input.withTotal !== false) {
        const matched = where(trx('users'), input.filter, input.scope).select('users.id', trx.raw(`${sql} AS k`));
        rows = await trx
          .withMaterialized('matched', matched)
          .with('page', keyset(trx('matched').select('id', 'k'), 'k', 'id'))
          .from('page')
          .join('users', 'users.id', 'page.id')
          .select(USER_COLUMNS.map((c) => `users.${c}`))
          .select(trx.raw('page.k::text AS sort_key'), trx.raw('(SELECT count(*) FROM matched) AS total'))
          .orderByRaw(`page.k ${direction}, page.id ${direction}`);
        // A page past the end has no row to carry the total.
        total = rows[0] ? Number(rows[0].total) : await count();
      } else {
        const page = keyset(where(trx('users'), input.filter, input.scope), sql, 'users.id')
          .select(USER_COLUMNS.map((c) => `users.${c}`))
          .select(trx.raw(`(${sql})::text AS sort_key`));
        [rows, total] = await Promise.all([page, input.withTotal === false ? undefined : count()]);
      }
      const more = rows.length > input.limit;
      const pageRows = rows.slice(0, input.limit);
      const last = pageRows.at(-1);
      return {
        users: pageRows.map(toUser),
        total,
        next: more && last ? { after: last.sort_key, id: last.id } : undefined,
      };
    },

    /** The main account's name, groups, role assignments and licences of each user given. */
    async related(ids: readonly string[], trx: Executor = db): Promise<Map<string, UserRelated>> {
      if (!ids.length) return new Map();
      const { rows } = (await trx.raw(RELATED_SQL, [[...ids]])) as {
        rows: { id: string; main_account_name: string | null; groups: unknown; roles: unknown; licences: unknown }[];
      };
      const parsed = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
      return new Map(
        rows.map((r) => [
          r.id,
          {
            mainAccountName: r.main_account_name,
            groups: parsed<UserRelated['groups']>(r.groups),
            roles: parsed<UserRelated['roles']>(r.roles),
            licences: parsed<string[]>(r.licences),
          },
        ]),
      );
    },

    /**
     * The ids of every user matching (in the scope), in id order, and how many; what
     * a bulk action over a filter acts on.
     */
    async matchingIds(filter: UserFilter, scope: UserScope, trx: Executor = db): Promise<string[]> {
      const rows = await where(trx('users'), filter, scope).select('users.id').orderBy('users.id');
      return rows.map((r: { id: string }) => r.id);
    },

    /** Whether the user (deleted or not) is within the scope. */
    async inScope(userId: string, scope: UserScope, trx: Executor = db): Promise<boolean> {
      if (scope.all) return true;
      return Boolean(await whereInScope(trx('users').select('users.id').where('users.id', userId), scope).first());
    },
  };
}
export type UserSearch = ReturnType<typeof createUserSearch>;
