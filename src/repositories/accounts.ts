import type { Executor } from '../db/database.js';

/** Accounts (the organisations users work for). */
export function createAccountsRepository() {
  return {
    /** The account with this name (case-insensitive), made as a `customer` when missing. */
    async findOrCreateByName(name: string, trx: Executor): Promise<string> {
      await trx.raw("INSERT INTO accounts (name, kind) VALUES (?, 'customer') ON CONFLICT (lower(name)) DO NOTHING", [name]);
      const row = await trx('accounts').select('id').whereRaw('lower(name) = lower(?)', [name]).first();
      return row.id;
    },
  };
}
export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
