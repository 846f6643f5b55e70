import type { Executor } from '../db/database.js';
import type { AccountKind } from '../domain/account.js';

/** Accounts (the organisations users work for). */
export function createAccountsRepository() {
  return {
    /** The account with this name (case-insensitive), made as a `customer` when missing. */
    async findOrCreateByName(name: string, trx: Executor): Promise<{ id: string; name: string; kind: AccountKind }> {
      // DO UPDATE (a no-op) rather than DO NOTHING: it returns the row a concurrent
      // transaction is inserting, once that one commits.
      const { rows } = (await trx.raw(
        `INSERT INTO accounts (name, kind) VALUES (?, 'customer')
         ON CONFLICT (lower(name)) DO UPDATE SET name = accounts.name RETURNING id, name, kind`,
        [name],
      )) as { rows: { id: string; name: string; kind: AccountKind }[] };
      return rows[0]!;
    },
  };
}
export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
