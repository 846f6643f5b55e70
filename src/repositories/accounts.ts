import type { Db, Executor } from '../db/database.js';

/** Accounts (the organisations users work for). */
export function createAccountsRepository(db: Db) {
  return {
    /** The account with this name (case-insensitive), made as a `customer` when missing. */
    async findOrCreateByName(name: string, trx: Executor): Promise<string> {
      await trx.raw("INSERT INTO accounts (name, kind) VALUES (?, 'customer') ON CONFLICT (lower(name)) DO NOTHING", [name]);
      const row = await trx('accounts').select('id').whereRaw('lower(name) = lower(?)', [name]).first();
      return row.id;
    },

    async namesByIds(ids: string[], trx: Executor = db): Promise<Map<string, string>> {
      const unique = [...new Set(ids)];
      if (!unique.length) return new Map();
      const rows = await trx('accounts').select('id', 'name').whereIn('id', unique);
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}
export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
