import { GUEST_ACCOUNT_ID, type AccountKind } from '../domain/account.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { AccountListing, AccountsRepository } from '../repositories/accounts.js';
import type { Operator } from '../domain/operator.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import { uniqueNameConflict } from './unique-names.js';
import { defined } from '../util/defined.js';

export const accountNotFound = () => fail('account.not_found');
const nameTaken = () => fail('account.name_taken');

/**
 * Accounts through the admin API. Errors: `account.not_found` 404,
 * `account.name_taken` 409 (names are unique case-insensitively),
 * `account.guest_undeletable` / `account.guest_kind_fixed` 409 (the built-in
 * Guest account stays, and stays a guest), `account.in_use` 409 (it still
 * employs users or has managers, unless forced).
 */
export function createAccountAdminService(deps: {
  transact: Transact;
  accounts: AccountsRepository;
  audit: AuditService;
}) {
  const { accounts, audit, transact } = deps;

  return {
    list: (query: { q?: string; kind?: AccountKind; offset: number; limit: number }) => accounts.list(query),

    async get(id: string): Promise<AccountListing> {
      const account = await accounts.findById(id);
      assertThat(account, accountNotFound);
      return account;
    },

    async create(input: { name: string; kind: Exclude<AccountKind, 'guest'> }, by: Operator): Promise<AccountListing> {
      return transact(async (trx) => {
        assertThat(!(await accounts.nameTaken(input.name, null, trx)), nameTaken);
        const made = await accounts.create(input, trx);
        await audit.by(by).record(
          {
            action: 'account.created',
            targetType: 'account',
            targetId: made.id,
            changes: { name: [null, made.name], kind: [null, made.kind] },
          },
          trx,
        );
        return defined(await accounts.findById(made.id, trx), 'the account');
      }).catch(uniqueNameConflict('accounts_name_key', nameTaken));
    },

    async update(
      id: string,
      changes: { name?: string; kind?: Exclude<AccountKind, 'guest'> },
      by: Operator,
    ): Promise<AccountListing> {
      return transact(async (trx) => {
        const before = await accounts.lock(id, trx);
        assertThat(before, accountNotFound);
        const kind = changes.kind !== undefined && changes.kind !== before.kind ? changes.kind : undefined;
        const name = changes.name !== undefined && changes.name !== before.name ? changes.name : undefined;
        assertThat(kind === undefined || before.kind !== 'guest', fail('account.guest_kind_fixed'));
        if (name !== undefined && name.toLowerCase() !== before.name.toLowerCase())
          assertThat(!(await accounts.nameTaken(name, id, trx)), nameTaken);
        if (kind !== undefined || name !== undefined) {
          const after = await accounts.update(id, { name, kind }, trx);
          const diff: Record<string, [unknown, unknown]> = {};
          if (name !== undefined) diff.name = [before.name, after.name];
          if (kind !== undefined) diff.kind = [before.kind, after.kind];
          await audit
            .by(by)
            .record({ action: 'account.updated', targetType: 'account', targetId: id, changes: diff }, trx);
        }
        return defined(await accounts.findById(id, trx), 'the account');
      }).catch(uniqueNameConflict('accounts_name_key', nameTaken));
    },

    /**
     * Removes an account. While it employs users (not deleted) or has managers,
     * only with `force`: then their employments and its scoped role assignments go
     * too, and users whose main account it was move to the Guest account.
     */
    async remove(id: string, options: { force: boolean }, by: Operator): Promise<void> {
      await transact(async (trx) => {
        const account = await accounts.lock(id, trx);
        assertThat(account, accountNotFound);
        assertThat(id !== GUEST_ACCOUNT_ID && account.kind !== 'guest', fail('account.guest_undeletable'));
        const usage = await accounts.usage(id, trx);
        assertThat(options.force || (usage.users === 0 && usage.roleAssignments === 0), () =>
          fail('account.in_use', usage),
        );
        const removed = await accounts.remove(id, trx);
        await audit.by(by).record(
          {
            action: 'account.deleted',
            targetType: 'account',
            targetId: id,
            changes: { name: [account.name, null], kind: [account.kind, null] },
            details: { force: options.force, ...removed },
          },
          trx,
        );
      });
    },
  };
}
export type AccountAdminService = ReturnType<typeof createAccountAdminService>;
