import type { Knex } from 'knex';
import { toCount, type Db, type Executor } from '../db/database.js';
import { ROLES, roleRank, type Role, type RoleAssignment, type Status } from '../domain/user.js';
import { defined } from '../util/defined.js';

export interface Employment {
  accountId: string;
  accountName: string;
  startDate: string | null;
  endDate: string | null;
  isMain: boolean;
}

export interface EmploymentInput {
  accountId: string;
  startDate: string | null;
  endDate: string | null;
  isMain: boolean;
}

/** The accounts and account groups a user manages. */
export interface ManagedScopes {
  accountIds: string[];
  accountGroupIds: string[];
}

/** Roles that make the holder of a scoped assignment a manager of its scope (see `adminPowers`). */
const MANAGING_ROLES = ROLES.filter((r) => roleRank(r) >= roleRank('manager'));

/**
 * What ties a user to the rest of the directory: employments, role assignments
 * and group memberships. Every write bumps the user's version (their SCIM
 * resource shows roles and groups).
 */
export function createUserRelationsRepository(db: Db) {
  const touchUser = (userId: string, trx: Executor, extra: Record<string, unknown> = {}) =>
    trx('users')
      .where({ id: userId })
      .update({ ...extra, updated_at: trx.fn.now(), version: trx.raw('version + 1') });

  return {
    async employments(userId: string, trx: Executor = db): Promise<Employment[]> {
      const rows = await trx('employments as e')
        .join('accounts as a', 'a.id', 'e.account_id')
        .select(
          'e.account_id',
          'a.name',
          trx.raw("to_char(e.start_date, 'YYYY-MM-DD') AS start_date"),
          trx.raw("to_char(e.end_date, 'YYYY-MM-DD') AS end_date"),
          'e.is_main',
        )
        .where('e.user_id', userId)
        .orderBy([{ column: 'e.is_main', order: 'desc' }, 'a.name']);
      return rows.map((r) => ({
        accountId: r.account_id,
        accountName: r.name,
        startDate: r.start_date,
        endDate: r.end_date,
        isMain: r.is_main,
      }));
    },

    /**
     * Makes `employments` the user's employments, exactly (one of them main), and
     * the main one's account `users.main_account_id`.
     */
    async replaceEmployments(userId: string, employments: readonly EmploymentInput[], trx: Executor): Promise<void> {
      const main = defined(
        employments.find((e) => e.isMain),
        'the main employment',
      );
      await trx('employments')
        .where('user_id', userId)
        .whereNotIn(
          'account_id',
          employments.map((e) => e.accountId),
        )
        .delete();
      // No main first: the one-main index holds at every statement.
      await trx('employments').where({ user_id: userId, is_main: true }).update({ is_main: false });
      await trx('employments')
        .insert(
          employments.map((e) => ({
            user_id: userId,
            account_id: e.accountId,
            start_date: e.startDate,
            end_date: e.endDate,
            is_main: e.isMain,
          })),
        )
        .onConflict(['user_id', 'account_id'])
        .merge(['start_date', 'end_date', 'is_main', 'updated_at']);
      await touchUser(userId, trx, { main_account_id: main.accountId });
    },

    /**
     * Makes `assignments` the user's role assignments, exactly, and `mainRole` their
     * main role; the assignments kept keep their place (and creation time).
     */
    async replaceRoles(
      userId: string,
      mainRole: Role,
      assignments: readonly RoleAssignment[],
      trx: Executor,
    ): Promise<void> {
      const wanted = `unnest(?::text[], ?::uuid[], ?::uuid[]) AS w(role, account_id, account_group_id)`;
      const columns = [
        assignments.map((a) => a.role),
        assignments.map((a) => a.accountId),
        assignments.map((a) => a.accountGroupId),
      ] as Knex.RawBinding[];
      const same =
        'w.role = r.role AND w.account_id IS NOT DISTINCT FROM r.account_id AND w.account_group_id IS NOT DISTINCT FROM r.account_group_id';
      await trx.raw(
        `DELETE FROM role_assignments r WHERE r.user_id = ? AND NOT EXISTS (SELECT 1 FROM ${wanted} WHERE ${same})`,
        [userId, ...columns],
      );
      await trx.raw(
        `INSERT INTO role_assignments (user_id, role, account_id, account_group_id)
         SELECT ?, w.role, w.account_id, w.account_group_id FROM ${wanted}
          WHERE NOT EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = ? AND ${same})`,
        [userId, ...columns, userId],
      );
      await touchUser(userId, trx, { main_role: mainRole });
    },

    /**
     * How many users in one of `statuses` (those who may sign in) hold `super_admin` unscoped, under
     * a lock held to the end of the transaction: two super admins cannot demote each other at once.
     */
    async lockedSuperAdminCount(statuses: readonly Status[], trx: Executor): Promise<number> {
      await trx.raw("SELECT pg_advisory_xact_lock(hashtext('gatehouse.super_admins'))");
      return toCount(
        await trx('role_assignments as r')
          .join('users as u', 'u.id', 'r.user_id')
          .where('r.role', 'super_admin')
          .whereNull('r.account_id')
          .whereNull('r.account_group_id')
          .whereIn('u.status', statuses)
          .countDistinct('r.user_id as count')
          .first(),
      );
    },

    /** The scopes in which the user holds `manager` or a higher role. */
    async managedScopes(userId: string, trx: Executor = db): Promise<ManagedScopes> {
      const rows = await trx('role_assignments')
        .select('account_id', 'account_group_id')
        .where('user_id', userId)
        .whereIn('role', MANAGING_ROLES)
        .where((w) => w.whereNotNull('account_id').orWhereNotNull('account_group_id'))
        .orderBy('created_at');
      const unique = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => Boolean(id)))];
      return {
        accountIds: unique(rows.map((r) => r.account_id)),
        accountGroupIds: unique(rows.map((r) => r.account_group_id)),
      };
    },

    /**
     * Makes `scopes` the ones the user manages: scoped assignments of `manager` or
     * above elsewhere go, a `manager` assignment is added where none is.
     */
    async replaceManagedScopes(userId: string, scopes: ManagedScopes, trx: Executor): Promise<void> {
      await trx('role_assignments')
        .where('user_id', userId)
        .whereIn('role', MANAGING_ROLES)
        .where((w) =>
          w
            .where((a) => a.whereNotNull('account_id').whereNotIn('account_id', scopes.accountIds))
            .orWhere((g) => g.whereNotNull('account_group_id').whereNotIn('account_group_id', scopes.accountGroupIds)),
        )
        .delete();
      await trx.raw(
        `INSERT INTO role_assignments (user_id, role, account_id, account_group_id)
         SELECT ?, 'manager', s.account_id, s.account_group_id
           FROM (SELECT unnest(?::uuid[]) AS account_id, NULL::uuid AS account_group_id
                 UNION ALL SELECT NULL::uuid, unnest(?::uuid[])) AS s
          WHERE NOT EXISTS (SELECT 1 FROM role_assignments a
                             WHERE a.user_id = ? AND a.role = ANY(?::text[])
                               AND a.account_id IS NOT DISTINCT FROM s.account_id
                               AND a.account_group_id IS NOT DISTINCT FROM s.account_group_id)`,
        [userId, scopes.accountIds, scopes.accountGroupIds, userId, MANAGING_ROLES],
      );
      await touchUser(userId, trx);
    },

    /** Makes `groupIds` the user's groups, exactly; the groups that gain or lose the user get a new version. */
    async replaceGroups(userId: string, groupIds: readonly string[], trx: Executor): Promise<void> {
      const removed = await trx('group_members')
        .where('user_id', userId)
        .whereNotIn('group_id', groupIds as string[])
        .delete()
        .returning('group_id');
      const added = groupIds.length
        ? await trx('group_members')
            .insert(groupIds.map((group_id) => ({ group_id, user_id: userId })))
            .onConflict(['group_id', 'user_id'])
            .ignore()
            .returning('group_id')
        : [];
      const changed = [...removed, ...added].map((r: { group_id: string }) => r.group_id);
      if (changed.length)
        await trx('groups')
          .whereIn('id', changed)
          .update({ updated_at: trx.fn.now(), version: trx.raw('version + 1') });
      await touchUser(userId, trx);
    },

    async groups(userId: string, trx: Executor = db): Promise<{ id: string; displayName: string }[]> {
      const rows = await trx('group_members as m')
        .join('groups as g', 'g.id', 'm.group_id')
        .select('g.id', 'g.display_name')
        .where('m.user_id', userId)
        .orderBy('g.display_name');
      return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
    },
  };
}
export type UserRelationsRepository = ReturnType<typeof createUserRelationsRepository>;
