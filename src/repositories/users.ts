import type { Knex } from 'knex';
import { type Db, type Executor, toCount } from '../db/database.js';
import { GUEST_ACCOUNT_ID } from '../domain/account.js';
import type { ContactValue, Profile, Role, RoleAssignment, Status, User, UserContacts } from '../domain/user.js';
import { isUuid } from '../util/uuid.js';
import { licenceKeysSql, licensedSql } from './licences.js';
import { defined } from '../util/defined.js';

/** Columns every reader may see: never a hash or a counter. */
export const USER_COLUMNS = [
  'id',
  'user_code',
  'email',
  'email_verified',
  'title',
  'given_name',
  'middle_name',
  'family_name',
  'external_id',
  'status',
  'main_account_id',
  'main_role',
  'direct_manager_id',
  'preferred_language',
  'timezone',
  'display_name',
  'nick_name',
  'name_formatted',
  'honorific_suffix',
  'job_title',
  'user_type',
  'locale',
  'profile_url',
  'employee_number',
  'cost_center',
  'division',
  'department',
  'tags',
  'custom_attributes',
  'last_sign_in_at',
  'expires_at',
  'created_at',
  'updated_at',
  'version',
] as const;

/** A row of `users` as `USER_COLUMNS` select it. */
export interface UserRow {
  id: User['id'];
  user_code: User['userCode'];
  email: User['email'];
  email_verified: User['emailVerified'];
  title: User['title'];
  given_name: User['givenName'];
  middle_name: User['middleName'];
  family_name: User['familyName'];
  external_id: User['externalId'];
  status: User['status'];
  main_account_id: User['mainAccountId'];
  main_role: User['mainRole'];
  direct_manager_id: User['directManagerId'];
  preferred_language: User['preferredLanguage'];
  timezone: User['timezone'];
  display_name: User['displayName'];
  nick_name: User['nickName'];
  name_formatted: User['nameFormatted'];
  honorific_suffix: User['honorificSuffix'];
  job_title: User['jobTitle'];
  user_type: User['userType'];
  locale: User['locale'];
  profile_url: User['profileUrl'];
  employee_number: User['employeeNumber'];
  cost_center: User['costCenter'];
  division: User['division'];
  department: User['department'];
  tags: User['tags'] | null;
  custom_attributes: User['customAttributes'] | null;
  last_sign_in_at: User['lastSignInAt'];
  expires_at: User['expiresAt'];
  created_at: User['createdAt'];
  updated_at: User['updatedAt'];
  version: User['version'];
}

/** A changed email is not verified unless the same change says it is; the same email keeps its state. */
function emailVerifiedAfter(changes: UserChanges, trx: Executor) {
  if (changes.email === undefined || changes.emailVerified !== undefined) return {};
  return {
    email_verified: trx.raw('email_verified AND lower(coalesce(email, ?)) = lower(coalesce(?, ?))', [
      '',
      changes.email,
      '',
    ]),
  };
}

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    userCode: r.user_code,
    email: r.email,
    emailVerified: r.email_verified,
    title: r.title,
    givenName: r.given_name,
    middleName: r.middle_name,
    familyName: r.family_name,
    externalId: r.external_id,
    status: r.status,
    mainAccountId: r.main_account_id,
    mainRole: r.main_role,
    directManagerId: r.direct_manager_id,
    preferredLanguage: r.preferred_language,
    timezone: r.timezone,
    displayName: r.display_name,
    nickName: r.nick_name,
    nameFormatted: r.name_formatted,
    honorificSuffix: r.honorific_suffix,
    jobTitle: r.job_title,
    userType: r.user_type,
    locale: r.locale,
    profileUrl: r.profile_url,
    employeeNumber: r.employee_number,
    costCenter: r.cost_center,
    division: r.division,
    department: r.department,
    tags: r.tags ?? [],
    customAttributes: r.custom_attributes ?? {},
    lastSignInAt: r.last_sign_in_at,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

export interface NewUser {
  userCode: string;
  email: string | null;
  /** Whether the email is known to reach the user (false without an email). */
  emailVerified?: boolean;
  status: Status;
  mainRole: Role;
  /** Every role to assign (unscoped); by default the main role alone. */
  roles?: Role[];
  mainAccountId?: string;
  passwordHash?: string | null;
  externalId?: string | null;
  directManagerId?: string | null;
  profile?: Partial<Profile>;
  tags?: string[];
  customAttributes?: Record<string, unknown>;
  expiresAt?: Date | null;
  /** Emails, phones and addresses; by default the email alone, as the primary work email. */
  contacts?: UserContacts;
}

/** What `update` may change: the identifiers, the manager and the profile. */
export type UserChanges = Partial<
  Profile & {
    userCode: string;
    email: string | null;
    /** Unless given with it, a new email is not verified. */
    emailVerified: boolean;
    externalId: string | null;
    directManagerId: string | null;
    mainRole: Role;
    tags: string[];
    customAttributes: Record<string, unknown>;
    expiresAt: Date | null;
  }
>;

const COLUMN_OF: Record<keyof UserChanges, string> = {
  tags: 'tags',
  customAttributes: 'custom_attributes',
  expiresAt: 'expires_at',
  userCode: 'user_code',
  email: 'email',
  emailVerified: 'email_verified',
  externalId: 'external_id',
  directManagerId: 'direct_manager_id',
  mainRole: 'main_role',
  title: 'title',
  givenName: 'given_name',
  middleName: 'middle_name',
  familyName: 'family_name',
  nameFormatted: 'name_formatted',
  honorificSuffix: 'honorific_suffix',
  displayName: 'display_name',
  nickName: 'nick_name',
  jobTitle: 'job_title',
  userType: 'user_type',
  preferredLanguage: 'preferred_language',
  locale: 'locale',
  timezone: 'timezone',
  profileUrl: 'profile_url',
  employeeNumber: 'employee_number',
  costCenter: 'cost_center',
  division: 'division',
  department: 'department',
};

/**
 * A user with their main employment, role assignments, first password-history
 * entry and contacts, in one statement (one round trip, atomic on its own).
 */
const CREATE_SQL = (columns: string[]) => `
  WITH u AS (
    INSERT INTO users (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING ${USER_COLUMNS.join(', ')}
  ), employment AS (
    INSERT INTO employments (user_id, account_id, is_main) SELECT id, main_account_id, true FROM u
  ), roles AS (
    INSERT INTO role_assignments (user_id, role) SELECT u.id, r.role FROM u, unnest(?::text[]) AS r(role)
  ), history AS (
    INSERT INTO password_history (user_id, password_hash) SELECT u.id, h.hash FROM u, (SELECT ?::text AS hash) AS h WHERE h.hash IS NOT NULL
  ), contacts AS (
    INSERT INTO user_values (user_id, attribute, position, value, type, display, is_primary, formatted, street_address, locality, region, postal_code, country)
    SELECT u.id, c.attribute, c.position, c.value, c.type, c.display, coalesce(c.is_primary, false), c.formatted, c.street_address, c.locality, c.region, c.postal_code, c.country
      FROM u, jsonb_to_recordset(?::jsonb) AS c(attribute text, position int, value text, type text, display text, is_primary boolean,
        formatted text, street_address text, locality text, region text, postal_code text, country text)
  )
  SELECT * FROM u`;

/** Column → value for the fields given (a field set to undefined is not given). */
const toColumns = (changes: UserChanges) =>
  Object.fromEntries(
    Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([field, value]) => [
        COLUMN_OF[field as keyof UserChanges],
        field === 'customAttributes' ? JSON.stringify(value) : value,
      ]),
  );

/** Emails, phone numbers and addresses are `user_values` rows, one per value, in the order given. */
/** The `user_values` rows of some contacts, without their user. */
export function contactRows(contacts: UserContacts) {
  const values = (attribute: 'emails' | 'phoneNumbers', list: ContactValue[]) =>
    list.map((v, position) => ({
      attribute,
      position,
      value: v.value,
      type: v.type,
      display: v.display,
      is_primary: v.primary,
    }));
  return [
    ...values('emails', contacts.emails),
    ...values('phoneNumbers', contacts.phoneNumbers),
    ...contacts.addresses.map((a, position) => ({
      attribute: 'addresses',
      position,
      type: a.type,
      is_primary: a.primary,
      formatted: a.formatted,
      street_address: a.streetAddress,
      locality: a.locality,
      region: a.region,
      postal_code: a.postalCode,
      country: a.country,
    })),
  ];
}

/** A raw SQL condition with `?` bindings (a compiled SCIM filter). */
export interface SqlCondition {
  sql: string;
  bindings: unknown[];
}

/** `displayName()` of domain/user.ts in SQL: how a user is named to others. */
export const displayNameSql = (alias: string) =>
  `coalesce(${alias}.display_name, nullif(trim(concat_ws(' ', ${alias}.given_name, ${alias}.family_name)), ''), ${alias}.email, ${alias}.user_code)`;

/** The sign-in identifier rule: the email or the userCode, case-insensitively. */
export function whereIdentifier(q: Knex.QueryBuilder, identifier: string): Knex.QueryBuilder {
  return q.where((w) =>
    w.whereRaw('lower(email) = lower(?)', [identifier]).orWhereRaw('lower(user_code) = lower(?)', [identifier]),
  );
}

/** What token issuance reads about a user (`findWithRoleNames`). */
/** The columns of a user whose lock is lifted: the status before it (active when none was kept), counters freed. */
export const unlocked = (trx: Executor) => ({
  status: trx.raw("coalesce(status_before_lock, 'active')"),
  status_before_lock: null,
  locked_until: null,
  failed_attempts: 0,
  updated_at: trx.fn.now(),
  version: trx.raw('version + 1'),
});

export interface TokenFacts {
  user: User;
  roleNames: string[];
  /** Role assignments scoped to an account or an account group. */
  scopedRoles: RoleAssignment[];
  /** The keys of the licences held, sorted. */
  licences: string[];
  /** No licence type is required to sign in, or the user holds one that is. */
  licensed: boolean;
}

export function createUsersRepository(db: Db) {
  const bump = (trx: Executor) => ({ updated_at: trx.fn.now(), version: trx.raw('version + 1') });

  return {
    async findById(id: string, trx: Executor = db): Promise<User | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await trx('users').select(USER_COLUMNS).where({ id }).first();
      return row && toUser(row);
    },

    /**
     * The user, the distinct names of their roles, their assignments scoped to an
     * account or account group, their licence keys and whether their licences let
     * them sign in: one query (token issuance).
     */
    async findWithRoleNames(id: string, trx: Executor = db): Promise<TokenFacts | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await trx('users')
        .select(USER_COLUMNS.map((c) => `users.${c}`))
        .select(
          trx.raw(
            "(SELECT coalesce(array_agg(DISTINCT role), '{}') FROM role_assignments WHERE user_id = users.id) AS role_names",
          ),
          trx.raw(
            `(SELECT coalesce(json_agg(json_build_object('role', s.role, 'accountId', s.account_id, 'accountGroupId', s.account_group_id)
                                       ORDER BY s.role, s.account_id, s.account_group_id), '[]')
                FROM role_assignments s
               WHERE s.user_id = users.id AND (s.account_id IS NOT NULL OR s.account_group_id IS NOT NULL)) AS scoped_roles`,
          ),
          trx.raw(`${licenceKeysSql('users')} AS licence_keys`),
          trx.raw(`${licensedSql('users')} AS licensed`),
        )
        .where('users.id', id)
        .first();
      return (
        row && {
          user: toUser(row),
          roleNames: row.role_names,
          scopedRoles: typeof row.scoped_roles === 'string' ? JSON.parse(row.scoped_roles) : row.scoped_roles,
          licences: row.licence_keys,
          licensed: row.licensed === true,
        }
      );
    },

    /** By id, email or userCode (case-insensitive), among users not deleted. */
    async findByAnyIdentifier(identifier: string, trx: Executor = db): Promise<User | undefined> {
      const q = trx('users').select(USER_COLUMNS).whereNot('status', 'deleted');
      if (isUuid(identifier)) q.where('id', identifier);
      else whereIdentifier(q, identifier);
      const rows = await q.limit(2);
      return rows.length === 1 ? toUser(rows[0]) : undefined;
    },

    /** Whether a user who is not deleted has this email or userCode (case-insensitive). */
    async isTaken(column: 'email' | 'user_code', value: string, trx: Executor = db): Promise<boolean> {
      const row = await trx('users')
        .select('id')
        .whereRaw('lower(??) = lower(?)', [column, value])
        .whereNot('status', 'deleted')
        .first();
      return Boolean(row);
    },

    /** Inserts the user with their main employment, roles, first password-history entry and contacts. */
    async create(input: NewUser, trx: Executor): Promise<User> {
      const row: Record<string, unknown> = {
        ...toColumns(input.profile ?? {}),
        user_code: input.userCode,
        email: input.email,
        email_verified: Boolean(input.email && input.emailVerified),
        external_id: input.externalId ?? null,
        direct_manager_id: input.directManagerId ?? null,
        status: input.status,
        main_role: input.mainRole,
        main_account_id: input.mainAccountId ?? GUEST_ACCOUNT_ID,
        password_hash: input.passwordHash ?? null,
        password_changed_at: input.passwordHash ? trx.fn.now() : null,
        tags: input.tags ?? [],
        custom_attributes: JSON.stringify(input.customAttributes ?? {}),
        expires_at: input.expiresAt ?? null,
      };
      const roles = [...new Set([input.mainRole, ...(input.roles ?? [])])];
      const contacts = input.contacts ?? {
        emails: input.email ? [{ value: input.email, type: 'work', display: null, primary: true }] : [],
        phoneNumbers: [],
        addresses: [],
      };
      const columns = Object.keys(row);
      const { rows } = (await trx.raw(CREATE_SQL(columns), [
        ...Object.values(row),
        roles,
        input.passwordHash ?? null,
        JSON.stringify(contactRows(contacts)),
      ] as Knex.RawBinding[])) as { rows: UserRow[] };
      return toUser(defined(rows[0], 'the inserted user'));
    },

    /** Changes columns of a user who is not deleted; bumps the version. */
    async update(id: string, changes: UserChanges, trx: Executor): Promise<User | undefined> {
      const [row] = await trx('users')
        .where({ id })
        .whereNot('status', 'deleted')
        .update({ ...toColumns(changes), ...emailVerifiedAfter(changes, trx), ...bump(trx) })
        .returning(USER_COLUMNS);
      return row && toUser(row);
    },

    /** A link sent to `email` was used: it is verified, if it is still the user's email (a no-op when it was already). */
    async verifyEmail(id: string, email: string, trx: Executor = db): Promise<void> {
      await trx('users')
        .where({ id, email_verified: false })
        .whereRaw('lower(email) = lower(?)', [email])
        .update({ email_verified: true, ...bump(trx) });
    },

    /**
     * Keeps each user's primary `emails` value (what SCIM shows and filters on) equal
     * to their email: changed, added, or removed with it.
     */
    async syncPrimaryEmails(list: readonly { id: string; email: string | null }[], trx: Executor): Promise<void> {
      if (!list.length) return;
      const json = JSON.stringify(list);
      const recordset = `jsonb_to_recordset(?::jsonb) AS r(id uuid, email text)`;
      const primary = `v.user_id = r.id AND v.attribute = 'emails' AND v.is_primary`;
      await trx.raw(`DELETE FROM user_values v USING ${recordset} WHERE r.email IS NULL AND ${primary}`, [json]);
      await trx.raw(
        `UPDATE user_values v SET value = r.email FROM ${recordset} WHERE r.email IS NOT NULL AND ${primary}`,
        [json],
      );
      await trx.raw(
        `INSERT INTO user_values (user_id, attribute, position, value, type, is_primary)
         SELECT r.id, 'emails', (SELECT coalesce(max(v.position) + 1, 0) FROM user_values v WHERE v.user_id = r.id AND v.attribute = 'emails'), r.email, 'work', true
           FROM ${recordset}
          WHERE r.email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM user_values v WHERE ${primary})`,
        [json],
      );
    },

    /** Locks a user (who is not deleted, unless asked) for the rest of the transaction, and reads it. */
    async lock(id: string, trx: Executor, options: { includeDeleted?: boolean } = {}): Promise<User | undefined> {
      if (!isUuid(id)) return undefined;
      // FOR NO KEY UPDATE: other transactions may still reference this user (as a manager) meanwhile.
      const q = trx('users').select(USER_COLUMNS).where({ id });
      if (!options.includeDeleted) q.whereNot('status', 'deleted');
      const row = await q.forNoKeyUpdate().first();
      return row && toUser(row);
    },

    /**
     * Replaces the user's unscoped assignments of the `manageable` roles with `roles`;
     * other roles and scoped assignments stay.
     */
    async replaceRoles(userId: string, roles: Role[], manageable: readonly Role[], trx: Executor): Promise<void> {
      await trx('role_assignments')
        .where({ user_id: userId })
        .whereNull('account_id')
        .whereNull('account_group_id')
        .whereIn('role', manageable)
        .whereNotIn('role', roles)
        .delete();
      // A role held in some scope already is not granted again unscoped.
      await trx.raw(
        `INSERT INTO role_assignments (user_id, role)
         SELECT ?, r.role FROM unnest(?::text[]) AS r(role)
          WHERE NOT EXISTS (SELECT 1 FROM role_assignments a WHERE a.user_id = ? AND a.role = r.role)`,
        [userId, roles, userId],
      );
    },

    async replaceContacts(userId: string, contacts: UserContacts, trx: Executor): Promise<void> {
      await trx('user_values').where('user_id', userId).delete();
      const rows = contactRows(contacts).map((r) => ({ ...r, user_id: userId }));
      if (rows.length) await trx('user_values').insert(rows);
    },

    /** Makes `accountId` the user's main account (an employment is added when missing). */
    async setMainAccount(userId: string, accountId: string, trx: Executor): Promise<void> {
      await trx('employments')
        .where({ user_id: userId, is_main: true })
        .whereNot('account_id', accountId)
        .update({ is_main: false, updated_at: trx.fn.now() });
      await trx('employments')
        .insert({ user_id: userId, account_id: accountId, is_main: true })
        .onConflict(['user_id', 'account_id'])
        .merge({ is_main: true, updated_at: trx.fn.now() });
      await trx('users')
        .where({ id: userId })
        .update({ main_account_id: accountId, ...bump(trx) });
    },

    /**
     * Sets the status; returns the previous one, or undefined when there is no such
     * user. Locking keeps the counter and remembers the status to go back to (the
     * one before the first lock, when the user is locked already).
     */
    async setStatus(
      id: string,
      status: Status,
      trx: Executor = db,
    ): Promise<{ before: Status; user: User } | undefined> {
      const before = await trx('users').select('status').where({ id }).forNoKeyUpdate().first();
      if (!before) return undefined;
      const [row] = await trx('users')
        .where({ id })
        .update({
          status,
          ...(status === 'locked' ? {} : { failed_attempts: 0 }),
          locked_until: null,
          status_before_lock:
            status === 'locked' ? trx.raw("CASE WHEN status = 'locked' THEN status_before_lock ELSE status END") : null,
          updated_at: trx.fn.now(),
          version: trx.raw('version + 1'),
        })
        .returning(USER_COLUMNS);
      return { before: before.status, user: toUser(row) };
    },

    /** Lifts a lock: back to the status before it (active when none was kept), the counters freed. */
    async unlock(id: string, trx: Executor = db): Promise<User | undefined> {
      const [row] = await trx('users').where({ id, status: 'locked' }).update(unlocked(trx)).returning(USER_COLUMNS);
      return row && toUser(row);
    },

    /** Removes the user for good (employments, roles, memberships and credentials go with it). */
    async remove(id: string, trx: Executor): Promise<boolean> {
      return (await trx('users').where({ id }).delete()) > 0;
    },

    /** A new main role: its unscoped assignment replaces the old main role's. */
    async changeMainRole(userId: string, from: Role, to: Role, trx: Executor): Promise<void> {
      await trx('role_assignments')
        .where({ user_id: userId, role: from })
        .whereNull('account_id')
        .whereNull('account_group_id')
        .delete();
      await trx.raw(
        `INSERT INTO role_assignments (user_id, role) SELECT ?, ?
          WHERE NOT EXISTS (SELECT 1 FROM role_assignments WHERE user_id = ? AND role = ? AND account_id IS NULL AND account_group_id IS NULL)`,
        [userId, to, userId, to],
      );
      await trx('users')
        .where({ id: userId })
        .update({ main_role: to, ...bump(trx) });
    },

    async accountExists(accountId: string, trx: Executor = db): Promise<boolean> {
      return isUuid(accountId) && Boolean(await trx('accounts').select('id').where({ id: accountId }).first());
    },

    async roleAssignments(userId: string, trx: Executor = db): Promise<RoleAssignment[]> {
      const rows = await trx('role_assignments')
        .select('role', 'account_id', 'account_group_id')
        .where({ user_id: userId })
        .orderBy('created_at');
      return rows.map((r) => ({ role: r.role, accountId: r.account_id, accountGroupId: r.account_group_id }));
    },

    /** The distinct names of the roles a user holds, in any scope. */
    async roleNames(userId: string, trx: Executor = db): Promise<Role[]> {
      const rows = await trx('role_assignments').distinct('role').where({ user_id: userId });
      return rows.map((r) => r.role);
    },

    /** How a user who is not deleted is named to others; undefined when there is none. */
    async displayName(id: string, trx: Executor = db): Promise<string | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await trx('users')
        .select(trx.raw(`${displayNameSql('users')} AS name`))
        .where({ id })
        .whereNot('status', 'deleted')
        .first();
      return row?.name;
    },

    /**
     * Makes `inactive` the users whose expiry has come (`expires_at` at or before `now`)
     * and who are not inactive or deleted yet: at most `limit`, or only `onlyId`.
     * Returns each with the status it had.
     */
    async expireDue(
      now: Date,
      options: { limit: number; onlyId?: string },
      trx: Executor,
    ): Promise<{ id: string; before: Status; expiresAt: Date }[]> {
      if (options.onlyId !== undefined && !isUuid(options.onlyId)) return [];
      const { rows } = (await trx.raw(
        `WITH due AS (
           SELECT id, status FROM users
            WHERE expires_at <= ? AND status NOT IN ('inactive', 'deleted') ${options.onlyId ? 'AND id = ?' : ''}
            ORDER BY expires_at, id LIMIT ? FOR NO KEY UPDATE
         )
         UPDATE users u
            SET status = 'inactive', failed_attempts = 0, locked_until = NULL, status_before_lock = NULL,
                updated_at = now(), version = u.version + 1
           FROM due
          WHERE u.id = due.id AND u.expires_at <= ? AND u.status NOT IN ('inactive', 'deleted')
          RETURNING u.id, due.status AS before, u.expires_at`,
        [now, ...(options.onlyId ? [options.onlyId] : []), options.limit, now],
      )) as { rows: { id: string; before: Status; expires_at: Date }[] };
      return rows.map((r) => ({ id: r.id, before: r.before, expiresAt: r.expires_at }));
    },

    async countWithRole(role: Role, trx: Executor = db): Promise<number> {
      return toCount(await trx('role_assignments').countDistinct('user_id as count').where({ role }).first());
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
