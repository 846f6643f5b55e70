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
    if (accountId)
      q.whereExists((s) =>
        s
          .select(db.raw('1'))
          .from('employments as e')
          .whereRaw('e.user_id = users.id')
          .where('e.account_id', accountId),
      );
    if (accountGroupId) {
      q.whereExists((s) =>
        s
          .select(db.raw('1'))
          .from('employments as e')
          .join('account_group_members as m', 'm.account_id', 'e.account_id')
          .whereRaw('e.user_id = users.id')
          .where('m.account_group_id', accountGroupId),
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

    /** Whether the user (deleted or not) is within the scope. */
    async inScope(userId: string, scope: UserScope, trx: Executor = db): Promise<boolean> {
      if (scope.all) return true;
      return Boolean(await whereInScope(trx('users').select('users.id').where('users.id', userId), scope).first());
    },
  };
}
export type UserSearch = ReturnType<typeof createUserSearch>;
