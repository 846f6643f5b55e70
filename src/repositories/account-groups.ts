import type { Knex } from 'knex';
import type { Db, Executor } from '../db/database.js';
import { toCount } from '../db/database.js';
import { isUuid } from '../util/uuid.js';

/** A named set of accounts (a manager may manage one as a whole). */
export interface AccountGroup {
  id: string;
  name: string;
  /** The member accounts, by id. */
  accountIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = ['id', 'name', 'created_at', 'updated_at'];
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Account groups and their member accounts. */
/** An account group as `withMembers` selects it. */
interface AccountGroupRow {
  id: string;
  name: string;
  account_ids: string[] | null;
  created_at: Date;
  updated_at: Date;
}

export function createAccountGroupsRepository(db: Db) {
  const withMembers = (trx: Executor) =>
    trx('account_groups as g')
      .select(COLUMNS.map((c) => `g.${c}`))
      .select(
        trx.raw(
          `(SELECT coalesce(array_agg(m.account_id ORDER BY m.account_id), '{}') FROM account_group_members m WHERE m.account_group_id = g.id) AS account_ids`,
        ),
      );
  const toGroup = (r: AccountGroupRow): AccountGroup => ({
    id: r.id,
    name: r.name,
    accountIds: r.account_ids ?? [],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

  async function findById(id: string, trx: Executor = db): Promise<AccountGroup | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await withMembers(trx).where('g.id', id).first();
    return row && toGroup(row);
  }

  return {
    /** A page of account groups by name: part of the name, case-insensitively. */
    async list(
      query: { q?: string; offset: number; limit: number },
      trx: Executor = db,
    ): Promise<{ total: number; accountGroups: AccountGroup[] }> {
      const where = (q: Knex.QueryBuilder) =>
        query.q ? q.whereRaw('lower(g.name) LIKE ?', [`%${escapeLike(query.q.toLowerCase())}%`]) : q;
      const [rows, total] = await Promise.all([
        where(withMembers(trx)).orderByRaw('lower(g.name), g.id').offset(query.offset).limit(query.limit),
        where(trx('account_groups as g')).count('* as count').first(),
      ]);
      return { total: toCount(total), accountGroups: rows.map(toGroup) };
    },

    findById,

    /** Locks the account group for the rest of the transaction, and reads it. */
    async lock(id: string, trx: Executor): Promise<AccountGroup | undefined> {
      if (!isUuid(id)) return undefined;
      await trx('account_groups').select('id').where({ id }).forUpdate().first();
      return findById(id, trx);
    },

    /** Whether another account group has this name (case-insensitive). */
    async nameTaken(name: string, exceptId: string | null, trx: Executor = db): Promise<boolean> {
      const q = trx('account_groups').select('id').whereRaw('lower(name) = lower(?)', [name]);
      if (exceptId) q.whereNot('id', exceptId);
      return Boolean(await q.first());
    },

    async create(name: string, trx: Executor): Promise<string> {
      const [row] = await trx('account_groups').insert({ name }).returning('id');
      return row.id;
    },

    async rename(id: string, name: string, trx: Executor): Promise<void> {
      await trx('account_groups').where({ id }).update({ name, updated_at: trx.fn.now() });
    },

    /** Makes `accountIds` the group's members, exactly. */
    async setMembers(id: string, accountIds: readonly string[], trx: Executor): Promise<void> {
      await trx('account_group_members')
        .where('account_group_id', id)
        .whereNotIn('account_id', accountIds as string[])
        .delete();
      if (accountIds.length) {
        await trx('account_group_members')
          .insert(accountIds.map((account_id) => ({ account_group_id: id, account_id })))
          .onConflict(['account_group_id', 'account_id'])
          .ignore();
      }
      await trx('account_groups').where({ id }).update({ updated_at: trx.fn.now() });
    },

    /** Which of these ids are account groups. */
    async existing(ids: readonly string[], trx: Executor = db): Promise<Set<string>> {
      const valid = [...new Set(ids)].filter(isUuid);
      if (!valid.length) return new Set();
      return new Set((await trx('account_groups').select('id').whereIn('id', valid)).map((r) => r.id));
    },

    /** Role assignments scoped to the account group (its managers). */
    async roleAssignmentCount(id: string, trx: Executor): Promise<number> {
      return toCount(await trx('role_assignments').where('account_group_id', id).count('* as count').first());
    },

    /** Removes the group, its memberships and the role assignments scoped to it. */
    async remove(id: string, trx: Executor): Promise<{ roleAssignmentsRemoved: number }> {
      const roleAssignmentsRemoved = await trx('role_assignments').where('account_group_id', id).delete();
      await trx('account_groups').where({ id }).delete();
      return { roleAssignmentsRemoved };
    },
  };
}
export type AccountGroupsRepository = ReturnType<typeof createAccountGroupsRepository>;
