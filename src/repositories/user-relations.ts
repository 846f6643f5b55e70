import type { Db, Executor } from '../db/database.js';

export interface Employment {
  accountId: string;
  accountName: string;
  startDate: string | null;
  endDate: string | null;
  isMain: boolean;
}

/** What ties a user to the rest of the directory: employments and group memberships. */
export function createUserRelationsRepository(db: Db) {
  return {
    async employments(userId: string, trx: Executor = db): Promise<Employment[]> {
      const rows = await trx('employments as e')
        .join('accounts as a', 'a.id', 'e.account_id')
        .select('e.account_id', 'a.name', trx.raw("to_char(e.start_date, 'YYYY-MM-DD') AS start_date"), trx.raw("to_char(e.end_date, 'YYYY-MM-DD') AS end_date"), 'e.is_main')
        .where('e.user_id', userId)
        .orderBy([{ column: 'e.is_main', order: 'desc' }, 'a.name']);
      return rows.map((r) => ({ accountId: r.account_id, accountName: r.name, startDate: r.start_date, endDate: r.end_date, isMain: r.is_main }));
    },

    async groups(userId: string, trx: Executor = db): Promise<{ id: string; displayName: string }[]> {
      const rows = await trx('group_members as m').join('groups as g', 'g.id', 'm.group_id').select('g.id', 'g.display_name').where('m.user_id', userId).orderBy('g.display_name');
      return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
    },
  };
}
export type UserRelationsRepository = ReturnType<typeof createUserRelationsRepository>;
