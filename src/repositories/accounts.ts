import type { Executor } from '../db/database.js';
import type { AccountKind } from '../domain/account.js';

/** Accounts (the organisations users work for). */
export function createAccountsRepository() {
  return {
    /** The account with this name (case-insensitive), made as a `customer` when missing. */
    async findOrCreateByName(name: string, trx: Executor): Promise<{ id: string; name: string; kind: AccountKind }> {
      const { rows } = (await trx.raw(
        `WITH made AS (INSERT INTO accounts (name, kind) VALUES (?, 'customer') ON CONFLICT (lower(name)) DO NOTHING RETURNING id, name, kind)
         SELECT id, name, kind FROM made UNION ALL SELECT id, name, kind FROM accounts WHERE lower(name) = lower(?) LIMIT 1`,
        [name, name],
      )) as { rows: { id: string; name: string; kind: AccountKind }[] };
      return rows[0]!;
    },
  };
}
export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
