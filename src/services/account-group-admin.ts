import type { Executor, Transact } from '../db/database.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { AccountGroup, AccountGroupsRepository } from '../repositories/account-groups.js';
import type { AccountsRepository } from '../repositories/accounts.js';
import type { Operator } from '../domain/operator.js';
import type { AuditService } from './audit.js';
import { uniqueNameConflict } from './unique-names.js';
import { defined } from '../util/defined.js';

export const accountGroupNotFound = () => fail('account_group.not_found');
const nameTaken = () => fail('account_group.name_taken');
const sorted = (ids: readonly string[]) => [...new Set(ids)].sort();

/**
 * Account groups through the admin API, with their member accounts. Errors:
 * `account_group.not_found` 404, `account.not_found` 404 (a member that is not
 * an account), `account_group.name_taken` 409, `account_group.in_use` 409 (it
 * has managers, unless forced).
 */
export function createAccountGroupAdminService(deps: {
  transact: Transact;
  accountGroups: AccountGroupsRepository;
  accounts: AccountsRepository;
  audit: AuditService;
}) {
  const { accountGroups, accounts, audit, transact } = deps;

  async function assertAccounts(ids: readonly string[], trx: Executor) {
    const found = await accounts.existing(ids, trx);
    const missing = ids.filter((id) => !found.has(id));
    assertThat(!missing.length, () => fail('account.not_found', { ids: missing }));
  }

  return {
    list: (query: { q?: string; offset: number; limit: number }) => accountGroups.list(query),

    async get(id: string): Promise<AccountGroup> {
      const group = await accountGroups.findById(id);
      assertThat(group, accountGroupNotFound);
      return group;
    },

    async create(input: { name: string; accountIds?: string[] }, by: Operator): Promise<AccountGroup> {
      return transact(async (trx) => {
        assertThat(!(await accountGroups.nameTaken(input.name, null, trx)), nameTaken);
        const accountIds = sorted(input.accountIds ?? []);
        await assertAccounts(accountIds, trx);
        const id = await accountGroups.create(input.name, trx);
        await accountGroups.setMembers(id, accountIds, trx);
        await audit.by(by).record(
          {
            action: 'account_group.created',
            targetType: 'account_group',
            targetId: id,
            changes: { name: [null, input.name], accountIds: [[], accountIds] },
          },
          trx,
        );
        return defined(await accountGroups.findById(id, trx), 'the account group');
      }).catch(uniqueNameConflict('account_groups_name_key', nameTaken));
    },

    async update(id: string, changes: { name?: string; accountIds?: string[] }, by: Operator): Promise<AccountGroup> {
      return transact(async (trx) => {
        const before = await accountGroups.lock(id, trx);
        assertThat(before, accountGroupNotFound);
        const diff: Record<string, [unknown, unknown]> = {};
        if (changes.name !== undefined && changes.name !== before.name) {
          if (changes.name.toLowerCase() !== before.name.toLowerCase())
            assertThat(!(await accountGroups.nameTaken(changes.name, id, trx)), nameTaken);
          await accountGroups.rename(id, changes.name, trx);
          diff.name = [before.name, changes.name];
        }
        const accountIds = changes.accountIds && sorted(changes.accountIds);
        if (accountIds && JSON.stringify(accountIds) !== JSON.stringify(sorted(before.accountIds))) {
          await assertAccounts(accountIds, trx);
          await accountGroups.setMembers(id, accountIds, trx);
          diff.accountIds = [sorted(before.accountIds), accountIds];
        }
        if (Object.keys(diff).length)
          await audit
            .by(by)
            .record({ action: 'account_group.updated', targetType: 'account_group', targetId: id, changes: diff }, trx);
        return defined(await accountGroups.findById(id, trx), 'the account group');
      }).catch(uniqueNameConflict('account_groups_name_key', nameTaken));
    },

    /** Removes an account group (its accounts stay). While it has managers, only with `force`: their assignments go too. */
    async remove(id: string, options: { force: boolean }, by: Operator): Promise<void> {
      await transact(async (trx) => {
        const group = await accountGroups.lock(id, trx);
        assertThat(group, accountGroupNotFound);
        const roleAssignments = await accountGroups.roleAssignmentCount(id, trx);
        assertThat(options.force || roleAssignments === 0, () => fail('account_group.in_use', { roleAssignments }));
        const removed = await accountGroups.remove(id, trx);
        await audit.by(by).record(
          {
            action: 'account_group.deleted',
            targetType: 'account_group',
            targetId: id,
            changes: { name: [group.name, null], accountIds: [sorted(group.accountIds), []] },
            details: { force: options.force, ...removed },
          },
          trx,
        );
      });
    },
  };
}
export type AccountGroupAdminService = ReturnType<typeof createAccountGroupAdminService>;
