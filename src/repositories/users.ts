import type { Knex } from 'knex';
import { type Db, type Executor, toCount } from '../db/database.js';
import { GUEST_ACCOUNT_ID } from '../domain/account.js';
import type { Role, RoleAssignment, Status, User } from '../domain/user.js';

/** Columns every reader may see: never a hash or a counter. */
const USER_COLUMNS = [
  'id', 'user_code', 'email', 'title', 'given_name', 'middle_name', 'family_name', 'external_id', 'status',
  'main_account_id', 'main_role', 'direct_manager_id', 'preferred_language', 'timezone', 'tags',
  'custom_attributes', 'last_sign_in_at', 'created_at', 'updated_at', 'version',
] as const;

type UserRow = Record<(typeof USER_COLUMNS)[number], any>;

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    userCode: r.user_code,
    email: r.email,
    title: r.title,
    givenName: r.given_name,
    middleName: r.middle_name,
    familyName: r.family_name,
    externalId: r.external_id,
    status: r.status,
    mainAccountId: r.main_account_id,
    mainRole: r.main_role,
    directManagerId: r.direct_manager_id,
    preferredLanguage: r.preferred_language,
    timezone: r.timezone,
    tags: r.tags ?? [],
    customAttributes: r.custom_attributes ?? {},
    lastSignInAt: r.last_sign_in_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

export interface NewUser {
  userCode: string;
  email: string | null;
  givenName?: string | null;
  familyName?: string | null;
  status: Status;
  mainRole: Role;
  mainAccountId?: string;
  passwordHash?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The sign-in identifier rule: the email or the userCode, case-insensitively. */
export function whereIdentifier(q: Knex.QueryBuilder, identifier: string): Knex.QueryBuilder {
  return q.where((w) => w.whereRaw('lower(email) = lower(?)', [identifier]).orWhereRaw('lower(user_code) = lower(?)', [identifier]));
}

export function createUsersRepository(db: Db) {
  return {
    async findById(id: string, trx: Executor = db): Promise<User | undefined> {
      if (!UUID.test(id)) return undefined;
      const row = await trx('users').select(USER_COLUMNS).where({ id }).first();
      return row && toUser(row);
    },

    /** The user and the distinct names of their roles, in one query (token issuance). */
    async findWithRoleNames(id: string, trx: Executor = db): Promise<{ user: User; roleNames: string[] } | undefined> {
      if (!UUID.test(id)) return undefined;
      const row = await trx('users')
        .select(USER_COLUMNS.map((c) => `users.${c}`))
        .select(trx.raw("(SELECT coalesce(array_agg(DISTINCT role), '{}') FROM role_assignments WHERE user_id = users.id) AS role_names"))
        .where('users.id', id)
        .first();
      return row && { user: toUser(row), roleNames: row.role_names };
    },

    /** By id, email or userCode (case-insensitive), among users not deleted. */
    async findByAnyIdentifier(identifier: string, trx: Executor = db): Promise<User | undefined> {
      const q = trx('users').select(USER_COLUMNS).whereNot('status', 'deleted');
      if (UUID.test(identifier)) q.where('id', identifier);
      else whereIdentifier(q, identifier);
      const rows = await q.limit(2);
      return rows.length === 1 ? toUser(rows[0]) : undefined;
    },

    /** Whether a user who is not deleted has this email or userCode (case-insensitive). */
    async isTaken(column: 'email' | 'user_code', value: string, trx: Executor = db): Promise<boolean> {
      const row = await trx('users').select('id').whereRaw('lower(??) = lower(?)', [column, value]).whereNot('status', 'deleted').first();
      return Boolean(row);
    },

    /** Inserts the user with their main employment and main role assignment. */
    async create(input: NewUser, trx: Executor): Promise<User> {
      const mainAccountId = input.mainAccountId ?? GUEST_ACCOUNT_ID;
      const [row] = await trx('users')
        .insert({
          user_code: input.userCode,
          email: input.email,
          given_name: input.givenName ?? null,
          family_name: input.familyName ?? null,
          status: input.status,
          main_role: input.mainRole,
          main_account_id: mainAccountId,
          password_hash: input.passwordHash ?? null,
          password_changed_at: input.passwordHash ? trx.fn.now() : null,
        })
        .returning(USER_COLUMNS);
      await trx('employments').insert({ user_id: row.id, account_id: mainAccountId, is_main: true });
      await trx('role_assignments').insert({ user_id: row.id, role: input.mainRole });
      if (input.passwordHash) await trx('password_history').insert({ user_id: row.id, password_hash: input.passwordHash });
      return toUser(row);
    },

    /**
     * Sets the status; returns the previous one, or undefined when there is no such
     * user. Locking keeps the counter and remembers the status to go back to (the
     * one before the first lock, when the user is locked already).
     */
    async setStatus(id: string, status: Status, trx: Executor = db): Promise<{ before: Status; user: User } | undefined> {
      const before = await trx('users').select('status').where({ id }).forUpdate().first();
      if (!before) return undefined;
      const [row] = await trx('users')
        .where({ id })
        .update({
          status,
          ...(status === 'locked' ? {} : { failed_attempts: 0 }),
          locked_until: null,
          status_before_lock: status === 'locked' ? trx.raw("CASE WHEN status = 'locked' THEN status_before_lock ELSE status END") : null,
          updated_at: trx.fn.now(),
          version: trx.raw('version + 1'),
        })
        .returning(USER_COLUMNS);
      return { before: before.status, user: toUser(row) };
    },

    async roleAssignments(userId: string, trx: Executor = db): Promise<RoleAssignment[]> {
      const rows = await trx('role_assignments').select('role', 'account_id', 'account_group_id').where({ user_id: userId }).orderBy('created_at');
      return rows.map((r) => ({ role: r.role, accountId: r.account_id, accountGroupId: r.account_group_id }));
    },

    async countWithRole(role: Role, trx: Executor = db): Promise<number> {
      return toCount(await trx('role_assignments').countDistinct('user_id as count').where({ role }).first());
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
