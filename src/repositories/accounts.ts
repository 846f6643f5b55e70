import type { Knex } from 'knex';
import type { Db, Executor } from '../db/database.js';
import { toCount } from '../db/database.js';
import { GUEST_ACCOUNT_ID, type Account, type AccountKind } from '../domain/account.js';
import { isUuid } from '../util/uuid.js';
import { defined } from '../util/defined.js';

/** An account as the directory lists it: how many users it employs and the account groups it belongs to. */
export interface AccountListing extends Account {
  /** Users (not deleted) employed by the account now or in the past. */
  userCount: number;
  accountGroupIds: string[];
}

const COLUMNS = ['id', 'name', 'kind', 'created_at', 'updated_at'];
/** A row of `accounts`, and with the counts a listing selects. */
interface AccountRow {
  id: string;
  name: string;
  kind: AccountKind;
  created_at: Date;
  updated_at: Date;
}
interface AccountListingRow extends AccountRow {
  user_count: string | number;
  account_group_ids: string[] | null;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Accounts (the organisations users work for). */
export function createAccountsRepository(db: Db) {
  /** Accounts with their user count and account group ids. */
  const listing = (trx: Executor) =>
    trx('accounts as a')
      .select(COLUMNS.map((c) => `a.${c}`))
      .select(
        trx.raw(
          `(SELECT count(*) FROM employments e JOIN users u ON u.id = e.user_id WHERE e.account_id = a.id AND u.status <> 'deleted') AS user_count`,
        ),
        trx.raw(
          `(SELECT coalesce(array_agg(m.account_group_id ORDER BY m.account_group_id), '{}') FROM account_group_members m WHERE m.account_id = a.id) AS account_group_ids`,
        ),
      );
  const toListing = (r: AccountListingRow): AccountListing => ({
    ...toAccount(r),
    userCount: Number(r.user_count),
    accountGroupIds: r.account_group_ids ?? [],
  });

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
      return defined(rows[0], 'the inserted account');
    },

    /** A page of accounts by name: part of the name (case-insensitive) and kind. */
    async list(
      query: { q?: string; kind?: AccountKind; offset: number; limit: number },
      trx: Executor = db,
    ): Promise<{ total: number; accounts: AccountListing[] }> {
      const where = (q: Knex.QueryBuilder) => {
        if (query.q) q.whereRaw('lower(a.name) LIKE ?', [`%${escapeLike(query.q.toLowerCase())}%`]);
        if (query.kind) q.where('a.kind', query.kind);
        return q;
      };
      const [rows, total] = await Promise.all([
        where(listing(trx)).orderByRaw('lower(a.name), a.id').offset(query.offset).limit(query.limit),
        where(trx('accounts as a')).count('* as count').first(),
      ]);
      return { total: toCount(total), accounts: rows.map(toListing) };
    },

    async findById(id: string, trx: Executor = db): Promise<AccountListing | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await listing(trx).where('a.id', id).first();
      return row && toListing(row);
    },

    /** Locks the account for the rest of the transaction, and reads it. */
    async lock(id: string, trx: Executor): Promise<Account | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await trx('accounts').select(COLUMNS).where({ id }).forUpdate().first();
      return row && toAccount(row);
    },

    /** Whether another account has this name (case-insensitive). */
    async nameTaken(name: string, exceptId: string | null, trx: Executor = db): Promise<boolean> {
      const q = trx('accounts').select('id').whereRaw('lower(name) = lower(?)', [name]);
      if (exceptId) q.whereNot('id', exceptId);
      return Boolean(await q.first());
    },

    async create(input: { name: string; kind: AccountKind }, trx: Executor): Promise<Account> {
      const [row] = await trx('accounts').insert({ name: input.name, kind: input.kind }).returning(COLUMNS);
      return toAccount(row);
    },

    async update(id: string, changes: { name?: string; kind?: AccountKind }, trx: Executor): Promise<Account> {
      const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const [row] = await trx('accounts')
        .where({ id })
        .update({ ...given, updated_at: trx.fn.now() })
        .returning(COLUMNS);
      return toAccount(row);
    },

    /** Which of these ids are accounts. */
    async existing(ids: readonly string[], trx: Executor = db): Promise<Set<string>> {
      const valid = [...new Set(ids)].filter(isUuid);
      if (!valid.length) return new Set();
      return new Set((await trx('accounts').select('id').whereIn('id', valid)).map((r) => r.id));
    },

    /** What still refers to the account: users (not deleted) it employs, and role assignments scoped to it. */
    async usage(id: string, trx: Executor): Promise<{ users: number; roleAssignments: number }> {
      const [users, roles] = await Promise.all([
        trx('employments as e')
          .join('users as u', 'u.id', 'e.user_id')
          .where('e.account_id', id)
          .whereNot('u.status', 'deleted')
          .count('* as count')
          .first(),
        trx('role_assignments').where('account_id', id).count('* as count').first(),
      ]);
      return { users: toCount(users), roleAssignments: toCount(roles) };
    },

    /**
     * Removes the account with its employments and scoped role assignments; users
     * whose main account it was are moved to the Guest account (their version bumps).
     */
    async remove(
      id: string,
      trx: Executor,
    ): Promise<{ employmentsRemoved: number; roleAssignmentsRemoved: number; movedToGuest: number }> {
      const moved = await trx('users')
        .where('main_account_id', id)
        .update({ main_account_id: GUEST_ACCOUNT_ID, updated_at: trx.fn.now(), version: trx.raw('version + 1') })
        .returning('id');
      const employmentsRemoved = await trx('employments').where('account_id', id).delete();
      if (moved.length) {
        await trx('employments')
          .whereIn(
            'user_id',
            moved.map((r: { id: string }) => r.id),
          )
          .update({ is_main: false });
        await trx.raw(
          `INSERT INTO employments (user_id, account_id, is_main)
           SELECT m.user_id, ?, true FROM unnest(?::uuid[]) AS m(user_id)
           ON CONFLICT (user_id, account_id) DO UPDATE SET is_main = true, updated_at = now()`,
          [GUEST_ACCOUNT_ID, moved.map((r: { id: string }) => r.id)],
        );
      }
      const roleAssignmentsRemoved = await trx('role_assignments').where('account_id', id).delete();
      await trx('accounts').where({ id }).delete();
      return { employmentsRemoved, roleAssignmentsRemoved, movedToGuest: moved.length };
    },
  };
}
export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
