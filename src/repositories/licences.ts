import type { Db, Executor } from '../db/database.js';
import { toCount } from '../db/database.js';
import type { Actor } from '../domain/actor.js';
import type { LicenceType, UserLicence } from '../domain/licence.js';
import { isUuid } from '../util/uuid.js';

/** A row of `licence_types`, with its seats used. */
interface LicenceTypeRow {
  id: string;
  key: string;
  name: string;
  seats: number | null;
  required_to_sign_in: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
  seats_used?: number | string;
}

const COLUMNS = ['id', 'key', 'name', 'seats', 'required_to_sign_in', 'created_at', 'updated_at', 'version'];

/** Holders of a type who are not deleted: the seats it uses. */
const SEATS_USED_SQL = (type: string) =>
  `(SELECT count(*) FROM user_licences sl JOIN users su ON su.id = sl.user_id
     WHERE sl.licence_type_id = ${type}.id AND su.status <> 'deleted')`;

const toLicenceType = (r: LicenceTypeRow): LicenceType => ({
  id: r.id,
  key: r.key,
  name: r.name,
  seats: r.seats,
  seatsUsed: Number(r.seats_used ?? 0),
  requiredToSignIn: r.required_to_sign_in,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

/**
 * Whether the user `alias` may sign in as far as licences go: no type is
 * required to sign in, or they hold one that is. Token issuance and sign-in
 * read it with the user, in the same statement.
 */
export const licensedSql = (alias: string) =>
  `(NOT EXISTS (SELECT 1 FROM licence_types rt WHERE rt.required_to_sign_in)
    OR EXISTS (SELECT 1 FROM user_licences rl JOIN licence_types rt ON rt.id = rl.licence_type_id
                WHERE rl.user_id = ${alias}.id AND rt.required_to_sign_in))`;

/** The keys of the licences the user `alias` holds, sorted (a text[]). */
export const licenceKeysSql = (alias: string) =>
  `(SELECT coalesce(array_agg(kt.key ORDER BY kt.key), '{}') FROM user_licences kl
     JOIN licence_types kt ON kt.id = kl.licence_type_id WHERE kl.user_id = ${alias}.id)`;

/** One user's licences as an import sets them: exactly these types. */
export interface LicenceReplacement {
  userId: string;
  typeIds: string[];
}

/** Licence types and the licences users hold. */
/** The audit row's actor columns, in the order the statements below insert them. */
const actorColumns = (a: Actor) => [a.type, a.id ?? null, a.name ?? null, a.onBehalfOf ?? null];

export function createLicencesRepository(db: Db) {
  const touchUser = (userId: string, trx: Executor) =>
    trx('users')
      .where({ id: userId })
      .update({ updated_at: trx.fn.now(), version: trx.raw('version + 1') });
  /** Seats used of each type, counted now. */
  async function seatsUsed(typeIds: readonly string[], trx: Executor): Promise<Map<string, number>> {
    if (!typeIds.length) return new Map();
    const rows = await trx('user_licences as l')
      .join('users as u', 'u.id', 'l.user_id')
      .select('l.licence_type_id')
      .count('* as count')
      .whereIn('l.licence_type_id', [...typeIds])
      .whereNot('u.status', 'deleted')
      .groupBy('l.licence_type_id');
    return new Map(rows.map((r) => [r.licence_type_id as string, toCount(r)]));
  }
  const selectTypes = (trx: Executor) =>
    trx('licence_types as t')
      .select(COLUMNS.map((c) => `t.${c}`))
      .select(trx.raw(`${SEATS_USED_SQL('t')} AS seats_used`));

  return {
    /** Every type with its seats used, by key. */
    async list(trx: Executor = db): Promise<LicenceType[]> {
      return (await selectTypes(trx).orderBy('t.key')).map(toLicenceType);
    },

    async findByKey(key: string, trx: Executor = db): Promise<LicenceType | undefined> {
      const row = await selectTypes(trx).where('t.key', key).first();
      return row && toLicenceType(row);
    },

    /**
     * The type's row locked for the transaction: assignments of it then run one
     * after another, so counting its seats used in a LATER statement sees every
     * assignment committed before (READ COMMITTED takes a snapshot per statement).
     */
    async lockByKey(key: string, trx: Executor): Promise<Omit<LicenceType, 'seatsUsed'> | undefined> {
      const row = await trx('licence_types').select(COLUMNS).where({ key }).forUpdate().first();
      if (!row) return undefined;
      const { seatsUsed: _notCounted, ...type } = toLicenceType(row);
      return type;
    },

    /** Types by key, locked (an import assigns them), for the keys that exist. */
    async lockByKeys(keys: readonly string[], trx: Executor): Promise<Map<string, LicenceType>> {
      if (!keys.length) return new Map();
      const rows = await trx('licence_types')
        .select(COLUMNS)
        .whereIn('key', [...keys])
        .orderBy('id')
        .forUpdate();
      const used = await seatsUsed(
        rows.map((r: LicenceTypeRow) => r.id),
        trx,
      );
      return new Map(
        rows.map((r: LicenceTypeRow) => [r.key, toLicenceType({ ...r, seats_used: used.get(r.id) ?? 0 })]),
      );
    },

    seatsUsed,

    async create(
      input: { key: string; name: string; seats: number | null; requiredToSignIn: boolean },
      trx: Executor,
    ): Promise<LicenceType> {
      const [row] = await trx('licence_types')
        .insert({ key: input.key, name: input.name, seats: input.seats, required_to_sign_in: input.requiredToSignIn })
        .returning(COLUMNS);
      return toLicenceType(row);
    },

    async update(
      id: string,
      changes: { name: string; seats: number | null; requiredToSignIn: boolean },
      trx: Executor,
    ): Promise<void> {
      await trx('licence_types')
        .where({ id })
        .update({
          name: changes.name,
          seats: changes.seats,
          required_to_sign_in: changes.requiredToSignIn,
          updated_at: trx.fn.now(),
          version: trx.raw('version + 1'),
        });
    },

    /** Deletes the type and every licence of it; returns the users who held one. */
    async remove(id: string, trx: Executor): Promise<string[]> {
      const holders = await trx('user_licences').where('licence_type_id', id).delete().returning('user_id');
      await trx('licence_types').where({ id }).delete();
      const ids = holders.map((r: { user_id: string }) => r.user_id);
      if (ids.length)
        await trx('users')
          .whereIn('id', ids)
          .update({ updated_at: trx.fn.now(), version: trx.raw('version + 1') });
      return ids;
    },

    async holds(userId: string, typeId: string, trx: Executor = db): Promise<boolean> {
      return Boolean(await trx('user_licences').select(1).where({ user_id: userId, licence_type_id: typeId }).first());
    },

    /** Gives the user a licence of the type (the caller counted the seats under the type's lock). */
    async add(userId: string, typeId: string, trx: Executor): Promise<void> {
      await trx('user_licences').insert({ user_id: userId, licence_type_id: typeId });
      await touchUser(userId, trx);
    },

    /** Takes the licence away; false when the user did not hold it. */
    async delete(userId: string, typeId: string, trx: Executor): Promise<boolean> {
      const n = await trx('user_licences').where({ user_id: userId, licence_type_id: typeId }).delete();
      if (n) await touchUser(userId, trx);
      return n > 0;
    },

    /** Which of these users hold a licence of the type. */
    async holdersAmong(userIds: readonly string[], typeId: string, trx: Executor): Promise<Set<string>> {
      if (!userIds.length) return new Set();
      const rows = await trx('user_licences')
        .select('user_id')
        .where('licence_type_id', typeId)
        .whereIn('user_id', [...userIds]);
      return new Set(rows.map((r: { user_id: string }) => r.user_id));
    },

    /**
     * Gives (`add`) or takes away (`remove`) a licence of the type for many users in one
     * statement, with their audit events (`details.licence`) and new versions; returns
     * the users changed. Seats and reach are the caller's.
     */
    async changeMany(
      change: 'add' | 'remove',
      userIds: readonly string[],
      type: { id: string; key: string },
      audit: { actor: Actor; ip: string | null },
      trx: Executor,
    ): Promise<string[]> {
      if (!userIds.length) return [];
      const write =
        change === 'add'
          ? `INSERT INTO user_licences (user_id, licence_type_id) SELECT u, ? FROM unnest(?::uuid[]) AS u
             ON CONFLICT DO NOTHING RETURNING user_id`
          : 'DELETE FROM user_licences WHERE licence_type_id = ? AND user_id = ANY (?::uuid[]) RETURNING user_id';
      const actor = actorColumns(audit.actor);
      const { rows } = (await trx.raw(
        `WITH changed AS (${write}), audit AS (
           INSERT INTO audit_events (actor_type, actor_id, actor_name, on_behalf_of, action, target_type, target_id, ip, details)
           SELECT ?, ?, ?, ?, ?, 'user', user_id::text, ?, jsonb_build_object('licence', ?::text) FROM changed
         ), touched AS (
           UPDATE users SET updated_at = now(), version = version + 1 WHERE id IN (SELECT user_id FROM changed)
         )
         SELECT user_id FROM changed`,
        [
          type.id,
          [...userIds],
          ...actor,
          change === 'add' ? 'user.licence_assigned' : 'user.licence_removed',
          audit.ip,
          type.key,
        ],
      )) as { rows: { user_id: string }[] };
      return rows.map((r) => r.user_id);
    },

    /** The user's licences, by key. */
    async ofUser(userId: string, trx: Executor = db): Promise<UserLicence[]> {
      if (!isUuid(userId)) return [];
      const rows = await trx('user_licences as l')
        .join('licence_types as t', 't.id', 'l.licence_type_id')
        .select('t.key', 't.name', 't.required_to_sign_in', 'l.assigned_at')
        .where('l.user_id', userId)
        .orderBy('t.key');
      return rows.map((r) => ({
        key: r.key,
        name: r.name,
        requiredToSignIn: r.required_to_sign_in,
        assignedAt: new Date(r.assigned_at),
      }));
    },

    /** The licence keys of several users at once (sorted), by user id. */
    async keysOf(userIds: readonly string[], trx: Executor = db): Promise<Map<string, string[]>> {
      const byUser = new Map(userIds.map((id) => [id, [] as string[]]));
      if (!userIds.length) return byUser;
      const rows = await trx('user_licences as l')
        .join('licence_types as t', 't.id', 'l.licence_type_id')
        .select('l.user_id', 't.key')
        .whereIn('l.user_id', [...userIds])
        .orderBy(['l.user_id', 't.key']);
      for (const r of rows) byUser.get(r.user_id)?.push(r.key);
      return byUser;
    },

    /** Whether the user may sign in as far as licences go (see `licensedSql`). */
    async isLicensed(userId: string, trx: Executor = db): Promise<boolean> {
      const row = await trx('users as u')
        .select(trx.raw(`${licensedSql('u')} AS licensed`))
        .where('u.id', userId)
        .first();
      return row?.licensed === true;
    },

    /** Users (of these, or any) who hold a live session or token but may no longer sign in for want of a licence. */
    async signedInWithoutLicence(among: readonly string[] | 'all', trx: Executor = db): Promise<string[]> {
      const q = trx('users as u')
        .select('u.id')
        .whereNot('u.status', 'deleted')
        .whereRaw(`NOT ${licensedSql('u')}`)
        .whereExists((s) => s.select(trx.raw('1')).from('oidc_payloads as p').whereRaw('p.account_id = u.id::text'));
      if (among !== 'all') {
        if (!among.length) return [];
        q.whereIn('u.id', [...among]);
      }
      return (await q).map((r: { id: string }) => r.id);
    },

    /**
     * Makes each user's licences exactly the types given (a CSV import), with an
     * audit event per licence given or taken: set-based, a few statements for a
     * whole batch. Returns the users who lost a licence.
     */
    async replace(
      entries: readonly LicenceReplacement[],
      audit: { actor: Actor; ip: string | null; jobId: string },
      trx: Executor,
    ): Promise<string[]> {
      if (!entries.length) return [];
      const records = JSON.stringify(entries.map((e) => ({ user_id: e.userId, type_ids: e.typeIds })));
      const actor = actorColumns(audit.actor);
      const { rows } = (await trx.raw(
        `WITH r AS (
           SELECT user_id, type_ids FROM jsonb_to_recordset(?::jsonb) AS r(user_id uuid, type_ids uuid[])
         ), removed AS (
           DELETE FROM user_licences l USING r
            WHERE l.user_id = r.user_id AND NOT (l.licence_type_id = ANY (r.type_ids))
           RETURNING l.user_id, l.licence_type_id
         ), added AS (
           INSERT INTO user_licences (user_id, licence_type_id)
           SELECT r.user_id, t.id FROM r CROSS JOIN LATERAL unnest(r.type_ids) AS t(id)
           ON CONFLICT DO NOTHING
           RETURNING user_id, licence_type_id
         ), changed AS (
           SELECT 'user.licence_removed' AS action, user_id, licence_type_id FROM removed
           UNION ALL SELECT 'user.licence_assigned', user_id, licence_type_id FROM added
         ), audit AS (
           INSERT INTO audit_events (actor_type, actor_id, actor_name, on_behalf_of, action, target_type, target_id, ip, details)
           SELECT ?, ?, ?, ?, c.action, 'user', c.user_id::text, ?,
                  jsonb_build_object('licence', t.key, 'importJobId', ?::text)
             FROM changed c JOIN licence_types t ON t.id = c.licence_type_id
         ), touched AS (
           UPDATE users SET updated_at = now(), version = version + 1
            WHERE id IN (SELECT user_id FROM changed)
         )
         SELECT DISTINCT user_id FROM removed`,
        [records, ...actor, audit.ip, audit.jobId],
      )) as { rows: { user_id: string }[] };
      return rows.map((r) => r.user_id);
    },
  };
}
export type LicencesRepository = ReturnType<typeof createLicencesRepository>;
