import type { Knex } from 'knex';
import { toCount, type Db, type Executor } from '../db/database.js';
import type { ContactValue, DirectoryEntry, PostalAddress, UserContacts } from '../domain/user.js';
import { displayNameSql, toUser, USER_COLUMNS, type SqlCondition, type UserRow } from './users.js';
import { isUuid } from '../util/uuid.js';

/**
 * What a directory entry adds to the user row, as correlated subqueries on the
 * alias `users`: each entry is read in the same statement as the user.
 */
const ENTRY_COLUMNS = `
  (SELECT coalesce(json_agg(json_build_object(
      'attribute', v.attribute, 'value', v.value, 'type', v.type, 'display', v.display, 'primary', v.is_primary,
      'formatted', v.formatted, 'streetAddress', v.street_address, 'locality', v.locality, 'region', v.region,
      'postalCode', v.postal_code, 'country', v.country) ORDER BY v.attribute, v.position), '[]'::json)
     FROM user_values v WHERE v.user_id = users.id) AS entry_values,
  (SELECT coalesce(array_agg(DISTINCT r.role), '{}') FROM role_assignments r WHERE r.user_id = users.id) AS entry_roles,
  (SELECT coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY g.display_name), '[]'::json)
     FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = users.id) AS entry_groups,
  (SELECT a.name FROM accounts a WHERE a.id = users.main_account_id AND a.kind <> 'guest') AS entry_organization,
  (SELECT ${displayNameSql('m')} FROM users m WHERE m.id = users.direct_manager_id AND m.status <> 'deleted') AS entry_manager`;

const COLUMNS = USER_COLUMNS.map((c) => `users.${c}`).join(', ');

/** One of `entry_values`: an email or a phone number, or an address. */
type EntryValue =
  | ({ attribute: 'emails' | 'phoneNumbers' } & ContactValue)
  | ({ attribute: 'addresses'; value: null; display: null } & PostalAddress);

/** A user row with the `ENTRY_COLUMNS`. */
interface EntryRow extends UserRow {
  entry_values: EntryValue[];
  entry_roles: DirectoryEntry['roles'];
  entry_groups: DirectoryEntry['groups'];
  entry_organization: string | null;
  entry_manager: string | null;
}

function toEntry(r: EntryRow): DirectoryEntry {
  const contacts: UserContacts = { emails: [], phoneNumbers: [], addresses: [] };
  for (const v of r.entry_values) {
    if (v.attribute === 'addresses') {
      const { attribute: _, value: __, display: ___, ...address } = v;
      contacts.addresses.push(address);
    } else {
      contacts[v.attribute].push({ value: v.value, type: v.type, display: v.display, primary: v.primary });
    }
  }
  const user = toUser(r);
  return {
    user,
    contacts,
    roles: r.entry_roles,
    groups: r.entry_groups,
    organization: r.entry_organization,
    manager:
      r.entry_manager && user.directManagerId ? { id: user.directManagerId, displayName: r.entry_manager } : null,
  };
}

/** Users as a directory reads them (SCIM): one statement a page, the total included. */
export function createUserDirectory(db: Db) {
  const rows = async <Row = EntryRow>(trx: Executor, sql: string, bindings: unknown[]) =>
    ((await trx.raw(sql, bindings as Knex.RawBinding[])) as { rows: Row[] }).rows;

  return {
    /** A user who is not deleted. */
    async findById(id: string, trx: Executor = db): Promise<DirectoryEntry | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await rows(
        trx,
        `SELECT ${COLUMNS}, ${ENTRY_COLUMNS} FROM users WHERE users.id = ? AND users.status <> 'deleted'`,
        [id],
      );
      return row && toEntry(row);
    },

    /**
     * A page of users who are not deleted. A filter's matches are collected
     * first (MATERIALIZED), so PostgreSQL uses the filter's own index and sorts
     * what it found, instead of walking the sort order's index past every user.
     */
    async list(
      query: { where?: SqlCondition; orderBy: string; offset: number; limit: number },
      trx: Executor = db,
    ): Promise<{ total: number; entries: DirectoryEntry[] }> {
      const { where, orderBy, offset, limit } = query;
      if (!where) {
        const total = toCount(await trx('users').count('* as count').whereNot('status', 'deleted').first());
        if (!limit || offset >= total) return { total, entries: [] };
        const page = await rows(
          trx,
          `WITH page AS (SELECT ${COLUMNS} FROM users WHERE users.status <> 'deleted' ORDER BY ${orderBy} OFFSET ? LIMIT ?)
           SELECT users.*, ${ENTRY_COLUMNS} FROM page AS users ORDER BY ${orderBy}`,
          [offset, limit],
        );
        return { total, entries: page.map(toEntry) };
      }
      const page = await rows<EntryRow & { total_count: string | number }>(
        trx,
        `WITH matched AS MATERIALIZED (SELECT ${COLUMNS} FROM users WHERE users.status <> 'deleted' AND (${where.sql})),
              page AS (SELECT users.*, count(*) OVER () AS total_count FROM matched AS users ORDER BY ${orderBy} OFFSET ? LIMIT ?)
         SELECT users.*, ${limit ? ENTRY_COLUMNS : 'NULL AS no_entry'} FROM page AS users ORDER BY ${orderBy}`,
        [...where.bindings, offset, Math.max(limit, 1)],
      );
      if (page[0]) return { total: Number(page[0].total_count), entries: limit ? page.map(toEntry) : [] };
      const [counted] = await rows<{ count: string | number }>(
        trx,
        `SELECT count(*) AS count FROM users WHERE users.status <> 'deleted' AND (${where.sql})`,
        where.bindings,
      );
      return { total: toCount(counted), entries: [] };
    },
  };
}
export type UserDirectory = ReturnType<typeof createUserDirectory>;
