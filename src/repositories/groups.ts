import type { Knex } from 'knex';
import type { Db, Executor } from '../db/database.js';
import { toCount } from '../db/database.js';
import type { Group, GroupMember } from '../domain/group.js';
import { displayNameSql, type SqlCondition } from './users.js';
import { isUuid } from '../util/uuid.js';

const COLUMNS = ['id', 'display_name', 'external_id', 'created_at', 'updated_at', 'version'];
/** A row of `groups`. */
interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const toGroup = (r: GroupRow): Group => ({
  id: r.id,
  displayName: r.display_name,
  externalId: r.external_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

/** Groups (SCIM Groups) and their members (users who are not deleted). */
export function createGroupsRepository(db: Db) {
  const bump = (trx: Executor) => ({ updated_at: trx.fn.now(), version: trx.raw('version + 1') });

  return {
    async create(input: { displayName: string; externalId: string | null }, trx: Executor): Promise<Group> {
      const [row] = await trx('groups')
        .insert({ display_name: input.displayName, external_id: input.externalId })
        .returning(COLUMNS);
      return toGroup(row);
    },

    async findById(id: string, trx: Executor = db): Promise<Group | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await trx('groups').select(COLUMNS).where({ id }).first();
      return row && toGroup(row);
    },

    async lock(id: string, trx: Executor): Promise<Group | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await trx('groups').select(COLUMNS).where({ id }).forUpdate().first();
      return row && toGroup(row);
    },

    async update(
      id: string,
      changes: { displayName: string; externalId: string | null },
      trx: Executor,
    ): Promise<Group> {
      const [row] = await trx('groups')
        .where({ id })
        .update({ display_name: changes.displayName, external_id: changes.externalId, ...bump(trx) })
        .returning(COLUMNS);
      return toGroup(row);
    },

    async remove(id: string, trx: Executor): Promise<boolean> {
      return (await trx('groups').where({ id }).delete()) > 0;
    },

    async list(
      query: { where?: SqlCondition; orderBy: string; offset: number; limit: number },
      trx: Executor = db,
    ): Promise<{ total: number; groups: Group[] }> {
      const base = () => {
        const q = trx('groups');
        if (query.where) q.whereRaw(query.where.sql, query.where.bindings as Knex.RawBinding[]);
        return q;
      };
      if (query.limit > 0) {
        const rows = await base()
          .select(COLUMNS.map((c) => `groups.${c}`))
          .select(trx.raw('count(*) OVER () AS total_count'))
          .orderByRaw(query.orderBy)
          .offset(query.offset)
          .limit(query.limit);
        if (rows.length) return { total: Number(rows[0].total_count), groups: rows.map(toGroup) };
      }
      return { total: toCount(await base().count('* as count').first()), groups: [] };
    },

    /** A page of groups by name for the admin API: part of the display name, case-insensitively. */
    async search(
      query: { q?: string; offset: number; limit: number },
      trx: Executor = db,
    ): Promise<{ total: number; groups: Group[] }> {
      const where = (q: Knex.QueryBuilder) =>
        query.q
          ? q.whereRaw('lower(display_name) LIKE ?', [`%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`])
          : q;
      const [rows, total] = await Promise.all([
        where(trx('groups').select(COLUMNS))
          .orderByRaw('lower(display_name), id')
          .offset(query.offset)
          .limit(query.limit),
        where(trx('groups')).count('* as count').first(),
      ]);
      return { total: toCount(total), groups: rows.map(toGroup) };
    },

    /** Whether another group has this display name (case-insensitive). */
    async displayNameTaken(displayName: string, exceptId: string | null, trx: Executor = db): Promise<boolean> {
      const q = trx('groups').select('id').whereRaw('lower(display_name) = lower(?)', [displayName]);
      if (exceptId) q.whereNot('id', exceptId);
      return Boolean(await q.first());
    },

    /** Which of these ids are groups. */
    async existing(ids: readonly string[], trx: Executor = db): Promise<Set<string>> {
      const valid = [...new Set(ids)].filter((id) => isUuid(id));
      if (!valid.length) return new Set();
      return new Set((await trx('groups').select('id').whereIn('id', valid)).map((r) => r.id));
    },

    /** Members of several groups at once, by group id. */
    async members(groupIds: string[], trx: Executor = db): Promise<Map<string, GroupMember[]>> {
      const byGroup = new Map(groupIds.map((id) => [id, [] as GroupMember[]]));
      if (!groupIds.length) return byGroup;
      const rows = await trx('group_members as gm')
        .join('users as u', 'u.id', 'gm.user_id')
        .select('gm.group_id', 'u.id', trx.raw(`${displayNameSql('u')} AS display`))
        .whereIn('gm.group_id', groupIds)
        .whereNot('u.status', 'deleted')
        .orderBy(['gm.group_id', 'u.id']);
      for (const r of rows) byGroup.get(r.group_id)?.push({ id: r.id, display: r.display });
      return byGroup;
    },

    /** Which of these ids are users who are not deleted. */
    async existingUsers(userIds: string[], trx: Executor): Promise<Set<string>> {
      const valid = [...new Set(userIds)].filter((id) => isUuid(id));
      if (!valid.length) return new Set();
      const rows = await trx('users').select('id').whereIn('id', valid).whereNot('status', 'deleted');
      return new Set(rows.map((r) => r.id));
    },

    async addMembers(groupId: string, userIds: string[], trx: Executor): Promise<void> {
      if (userIds.length)
        await trx('group_members')
          .insert(userIds.map((user_id) => ({ group_id: groupId, user_id })))
          .onConflict(['group_id', 'user_id'])
          .ignore();
    },

    async removeMembers(groupId: string, userIds: string[], trx: Executor): Promise<void> {
      if (userIds.length) await trx('group_members').where('group_id', groupId).whereIn('user_id', userIds).delete();
    },
  };
}
export type GroupsRepository = ReturnType<typeof createGroupsRepository>;
