import type { Executor, Transact } from '../db/database.js';
import type { Role, RoleAssignment } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { mayGrant } from '../policies/permissions.js';
import type { AccountGroupsRepository } from '../repositories/account-groups.js';
import type { AccountsRepository } from '../repositories/accounts.js';
import type { GroupsRepository } from '../repositories/groups.js';
import type {
  Employment,
  EmploymentInput,
  ManagedScopes,
  UserRelationsRepository,
} from '../repositories/user-relations.js';
import type { UsersRepository } from '../repositories/users.js';
import { assertSuperAdminRemains } from './last-super-admin.js';
import type { Operator } from '../domain/operator.js';
import type { AuditService } from './audit.js';
import type { UserReachService } from './user-reach.js';
import { defined } from '../util/defined.js';

export interface RolesInput {
  mainRole: Role;
  assignments: { role: Role; accountId?: string | null; accountGroupId?: string | null }[];
}

const keyOf = (a: RoleAssignment) => `${a.role}|${a.accountId ?? ''}|${a.accountGroupId ?? ''}`;
const sameSet = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort());
const employmentFacts = (list: readonly (EmploymentInput | Employment)[]) =>
  list
    .map((e) => ({ accountId: e.accountId, startDate: e.startDate, endDate: e.endDate, isMain: e.isMain }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));

/** The main role as an unscoped assignment, then each assignment given, once. */
function normaliseRoles(input: RolesInput): RoleAssignment[] {
  const all = [{ role: input.mainRole }, ...input.assignments].map((a) => ({
    role: a.role,
    accountId: a.accountId ?? null,
    accountGroupId: a.accountGroupId ?? null,
  }));
  return [...new Map(all.map((a) => [keyOf(a), a])).values()];
}

/**
 * What ties a user to the directory, set by administrators: role assignments,
 * employments, managed accounts and groups. Each PUT replaces the whole set, in
 * one transaction with its audit event, after checking the operator may change
 * the user (404 out of reach, 403 above them) and grant every role given.
 * Errors: `admin_api.forbidden_role` 403, `account.not_found` /
 * `account_group.not_found` / `group.not_found` 404 (a reference that does not
 * exist), `user.last_super_admin` 409.
 */
export function createUserRelationsService(deps: {
  transact: Transact;
  relations: UserRelationsRepository;
  users: UsersRepository;
  accounts: AccountsRepository;
  accountGroups: AccountGroupsRepository;
  groups: GroupsRepository;
  audit: AuditService;
  reach: UserReachService;
}) {
  const { relations, audit, reach, transact } = deps;

  async function assertScopes(accountIds: readonly string[], accountGroupIds: readonly string[], trx: Executor) {
    const [accounts, accountGroups] = await Promise.all([
      deps.accounts.existing(accountIds, trx),
      deps.accountGroups.existing(accountGroupIds, trx),
    ]);
    const noAccount = accountIds.filter((id) => !accounts.has(id));
    assertThat(!noAccount.length, () => fail('account.not_found', { ids: noAccount }));
    const noGroup = accountGroupIds.filter((id) => !accountGroups.has(id));
    assertThat(!noGroup.length, () => fail('account_group.not_found', { ids: noGroup }));
  }

  const assertMayGrant = (wanted: readonly RoleAssignment[], by: Operator) => {
    for (const role of new Set(wanted.map((a) => a.role)))
      assertThat(mayGrant(by.powers, role), fail('admin_api.forbidden_role', { role }));
  };

  /** The role assignments `edit` makes of the current ones, in one transaction (see setRoles). */
  function changeRoles(
    id: string,
    edit: (current: { mainRole: Role; assignments: RoleAssignment[] }) => RolesInput,
    by: Operator,
  ): Promise<{ mainRole: Role; assignments: RoleAssignment[] }> {
    return transact(async (trx) => {
      const user = await reach(id, by, { change: true, lock: true }, trx);
      const before = await deps.users.roleAssignments(id, trx);
      const input = edit({ mainRole: user.mainRole, assignments: before });
      const wanted = normaliseRoles(input);
      assertMayGrant(wanted, by);
      await assertScopes(
        wanted.flatMap((a) => (a.accountId ? [a.accountId] : [])),
        wanted.flatMap((a) => (a.accountGroupId ? [a.accountGroupId] : [])),
        trx,
      );
      if (user.mainRole === input.mainRole && sameSet(before.map(keyOf), wanted.map(keyOf)))
        return { mainRole: user.mainRole, assignments: before };
      const isSuperAdmin = (list: RoleAssignment[]) =>
        list.some((a) => a.role === 'super_admin' && !a.accountId && !a.accountGroupId);
      await relations.replaceRoles(id, input.mainRole, wanted, trx);
      if (isSuperAdmin(before) && !isSuperAdmin(wanted)) await assertSuperAdminRemains(relations, trx);
      const after = await deps.users.roleAssignments(id, trx);
      await audit.by(by).record(
        {
          action: 'user.roles_changed',
          targetType: 'user',
          targetId: id,
          changes: {
            ...(user.mainRole !== input.mainRole ? { mainRole: [user.mainRole, input.mainRole] } : {}),
            roles: [before, after],
          },
        },
        trx,
      );
      return { mainRole: input.mainRole, assignments: after };
    });
  }

  /** The employments `edit` makes of the current ones, in one transaction (see setEmployments). */
  function changeEmployments(
    id: string,
    edit: (current: Employment[]) => EmploymentInput[],
    by: Operator,
  ): Promise<Employment[]> {
    return transact(async (trx) => {
      const user = await reach(id, by, { change: true, lock: true }, trx);
      const before = await relations.employments(id, trx);
      const employments = edit(before);
      await assertScopes(
        employments.map((e) => e.accountId),
        [],
        trx,
      );
      const main = defined(
        employments.find((e) => e.isMain),
        'the main employment',
      );
      if (
        user.mainAccountId === main.accountId &&
        JSON.stringify(employmentFacts(before)) === JSON.stringify(employmentFacts(employments))
      )
        return before;
      await relations.replaceEmployments(id, employments, trx);
      const after = await relations.employments(id, trx);
      await audit.by(by).record(
        {
          action: 'user.employments_changed',
          targetType: 'user',
          targetId: id,
          changes: {
            ...(user.mainAccountId !== main.accountId ? { mainAccountId: [user.mainAccountId, main.accountId] } : {}),
            employments: [employmentFacts(before), employmentFacts(after)],
          },
        },
        trx,
      );
      return after;
    });
  }

  /** The groups `edit` makes of the current ones (ids), in one transaction (see setGroups). */
  function changeGroups(
    id: string,
    edit: (current: string[]) => string[],
    by: Operator,
  ): Promise<{ id: string; displayName: string }[]> {
    return transact(async (trx) => {
      await reach(id, by, { change: true, lock: true }, trx);
      const before = await relations.groups(id, trx);
      const wanted = [...new Set(edit(before.map((g) => g.id)))];
      const found = await deps.groups.existing(wanted, trx);
      const noGroup = wanted.filter((g) => !found.has(g));
      assertThat(!noGroup.length, () => fail('group.not_found', { ids: noGroup }));
      if (
        sameSet(
          before.map((g) => g.id),
          wanted,
        )
      )
        return before;
      await relations.replaceGroups(id, wanted, trx);
      const after = await relations.groups(id, trx);
      await audit.by(by).record(
        {
          action: 'user.groups_changed',
          targetType: 'user',
          targetId: id,
          changes: { groups: [before.map((g) => g.id).sort(), after.map((g) => g.id).sort()] },
        },
        trx,
      );
      return after;
    });
  }

  return {
    /** Replaces every role assignment; the main role is always kept as an unscoped one. */
    async setRoles(
      id: string,
      input: RolesInput,
      by: Operator,
    ): Promise<{ mainRole: Role; assignments: RoleAssignment[] }> {
      assertMayGrant(normaliseRoles(input), by);
      return changeRoles(id, () => input, by);
    },

    /**
     * Adds and removes role assignments, keeping the others; with `mainRole`, the main role
     * changes too (its unscoped assignment goes with it, as a main role is held).
     */
    editRoles(
      id: string,
      change: { mainRole?: Role; add?: RolesInput['assignments']; remove?: RolesInput['assignments'] },
      by: Operator,
    ) {
      const norm = (a: RolesInput['assignments'][number]) =>
        keyOf({ role: a.role, accountId: a.accountId ?? null, accountGroupId: a.accountGroupId ?? null });
      const removed = new Set((change.remove ?? []).map(norm));
      return changeRoles(
        id,
        (current) => {
          const mainRole = change.mainRole ?? current.mainRole;
          const oldMain = keyOf({ role: current.mainRole, accountId: null, accountGroupId: null });
          const kept = current.assignments.filter(
            (a) => !removed.has(keyOf(a)) && (mainRole === current.mainRole || keyOf(a) !== oldMain),
          );
          return { mainRole, assignments: [...kept, ...(change.add ?? [])] };
        },
        by,
      );
    },

    /** Makes `accountId` the main employment (adding an employment by it when there is none), keeping the others. */
    setMainAccount(id: string, accountId: string, by: Operator): Promise<Employment[]> {
      return changeEmployments(
        id,
        (current) => {
          const kept: EmploymentInput[] = current.map((e) => ({
            accountId: e.accountId,
            startDate: e.startDate,
            endDate: e.endDate,
            isMain: e.accountId === accountId,
          }));
          if (!kept.some((e) => e.isMain)) kept.push({ accountId, startDate: null, endDate: null, isMain: true });
          return kept;
        },
        by,
      );
    },

    /**
     * Adds employments by accounts (not main, no dates) and removes others, keeping the rest;
     * when the main one goes, the first one left becomes main. The last one is never removed.
     */
    editEmployments(id: string, change: { add?: string[]; remove?: string[] }, by: Operator): Promise<Employment[]> {
      const removed = new Set(change.remove ?? []);
      return changeEmployments(
        id,
        (current) => {
          const kept: EmploymentInput[] = current
            .filter((e) => !removed.has(e.accountId))
            .map(({ accountId, startDate, endDate, isMain }) => ({ accountId, startDate, endDate, isMain }));
          const held = new Set(current.map((e) => e.accountId));
          for (const accountId of new Set(change.add ?? []))
            if (!held.has(accountId) && !removed.has(accountId))
              kept.push({ accountId, startDate: null, endDate: null, isMain: false });
          const first = kept[0];
          assertThat(first, fail('employment.last'));
          if (!kept.some((e) => e.isMain)) first.isMain = true;
          return kept;
        },
        by,
      );
    },

    /** Adds and removes group memberships, keeping the others. */
    editGroups(id: string, change: { add?: string[]; remove?: string[] }, by: Operator) {
      const removed = new Set(change.remove ?? []);
      return changeGroups(id, (current) => [...current.filter((g) => !removed.has(g)), ...(change.add ?? [])], by);
    },

    /** Replaces every employment: exactly one is main, and becomes the user's main account. */
    setEmployments(id: string, employments: EmploymentInput[], by: Operator): Promise<Employment[]> {
      return changeEmployments(id, () => employments, by);
    },

    /** Replaces the accounts and account groups the user manages (`manager` assignments scoped to each). */
    async setManagedScopes(id: string, scopes: ManagedScopes, by: Operator): Promise<ManagedScopes> {
      assertThat(mayGrant(by.powers, 'manager'), fail('admin_api.forbidden_role', { role: 'manager' }));
      const wanted = {
        accountIds: [...new Set(scopes.accountIds)],
        accountGroupIds: [...new Set(scopes.accountGroupIds)],
      };
      return transact(async (trx) => {
        await reach(id, by, { change: true, lock: true }, trx);
        await assertScopes(wanted.accountIds, wanted.accountGroupIds, trx);
        const before = await relations.managedScopes(id, trx);
        if (sameSet(before.accountIds, wanted.accountIds) && sameSet(before.accountGroupIds, wanted.accountGroupIds))
          return before;
        await relations.replaceManagedScopes(id, wanted, trx);
        const after = await relations.managedScopes(id, trx);
        const changes: Record<string, [unknown, unknown]> = {};
        if (!sameSet(before.accountIds, after.accountIds)) changes.accountIds = [before.accountIds, after.accountIds];
        if (!sameSet(before.accountGroupIds, after.accountGroupIds))
          changes.accountGroupIds = [before.accountGroupIds, after.accountGroupIds];
        await audit
          .by(by)
          .record({ action: 'user.managed_accounts_changed', targetType: 'user', targetId: id, changes }, trx);
        return after;
      });
    },

    /** Replaces the groups the user is a member of. */
    setGroups(id: string, groupIds: string[], by: Operator): Promise<{ id: string; displayName: string }[]> {
      return changeGroups(id, () => groupIds, by);
    },
  };
}
export type UserRelationsService = ReturnType<typeof createUserRelationsService>;
