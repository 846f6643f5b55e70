import test from 'ava';
import type { Knex } from 'knex';
import type { Db } from '../../src/db/database.js';
import { ScimError } from '../../src/scim/errors.js';
import { compileFilter, compileSort, escapeLike, type ScimResourceName } from '../../src/scim/filter.js';
import { useMigratedDatabase } from '../helpers/database.js';

/**
 * SCIM filters (RFC 7644 §3.4.2.2) as the SQL a reviewer can read, then as the
 * users and groups they find in a migrated database (PGlite, or PostgreSQL under
 * TEST_DATABASE_URL), and the indexes the common lookups use.
 */

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const EMAILS = "EXISTS (SELECT 1 FROM user_values v WHERE v.user_id = users.id AND v.attribute = 'emails'";
const PHONES = "EXISTS (SELECT 1 FROM user_values v WHERE v.user_id = users.id AND v.attribute = 'phoneNumbers'";
const ADDRESSES = "EXISTS (SELECT 1 FROM user_values v WHERE v.user_id = users.id AND v.attribute = 'addresses'";
const ROLES = 'EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = users.id';
const GROUPS = 'EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = users.id';
const MEMBERS = 'EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = groups.id';
const ACCOUNT_NAME = '(SELECT a.name FROM accounts a WHERE a.id = users.main_account_id)';
const SOME_ID = '6f1a4d9e-0b4c-4d1e-9c2b-2a3b4c5d6e7f';
const LIKE = "LIKE ? ESCAPE '\\'";

const translations: [filter: string, sql: string, bindings: unknown[], resource?: ScimResourceName][] = [
  ['userName eq "BJensen"', 'lower(users.user_code) = ?', ['bjensen']],
  ['USERNAME Eq "BJensen"', 'lower(users.user_code) = ?', ['bjensen']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "BJensen"', 'lower(users.user_code) = ?', ['bjensen']],
  ['externalId eq "AbC-1"', 'users.external_id = ?', ['AbC-1']],
  ['name.familyName ne "O\'Malley"', '(lower(users.family_name) = ?) IS NOT TRUE', ["o'malley"]],
  ['name.givenName co "Ba_r%"', `lower(users.given_name) ${LIKE}`, ['%ba\\_r\\%%']],
  ['displayName sw "Dom\\\\"', `lower(users.display_name) ${LIKE}`, ['dom\\\\%']],
  ['nickName ew "Y"', `lower(users.nick_name) ${LIKE}`, ['%y']],
  ['externalId co "AbC"', `users.external_id ${LIKE}`, ['%AbC%']],
  ['title gt "M"', 'lower(users.job_title) > ?', ['m']],
  ['title ge "M"', 'lower(users.job_title) >= ?', ['m']],
  ['name.honorificPrefix lt "Dr"', 'lower(users.title) < ?', ['dr']],
  ['name.middleName le "K"', 'lower(users.middle_name) <= ?', ['k']],
  ['meta.created gt "2024-01-31T12:00:00Z"', 'users.created_at > ?::timestamptz', ['2024-01-31T12:00:00Z']],
  [
    'meta.lastModified le "2024-01-31T12:00:00.123456+01:00"',
    'users.updated_at <= ?::timestamptz',
    ['2024-01-31T12:00:00.123456+01:00'],
  ],
  ['meta.created eq "2024-01-31T12:00:00"', 'users.created_at = ?::timestamptz', ['2024-01-31T12:00:00Z']],
  ['title pr', "users.job_title <> ''", []],
  ['meta.created pr', 'users.created_at IS NOT NULL', []],
  ['not (title pr)', "(users.job_title <> '') IS NOT TRUE", []],
  ['title eq null', "(users.job_title <> '') IS NOT TRUE", []],
  ['title ne null', "users.job_title <> ''", []],
  ['active eq true', "(users.status <> 'inactive') IS TRUE", []],
  ['active eq false', "(users.status <> 'inactive') IS FALSE", []],
  ['active ne true', "NOT ((users.status <> 'inactive') IS TRUE)", []],
  [
    'userName eq "a" or userName eq "b" and title pr',
    "(lower(users.user_code) = ? OR (lower(users.user_code) = ? AND users.job_title <> ''))",
    ['a', 'b'],
  ],
  [
    'userName eq "a" and userName eq "b" or title pr',
    "((lower(users.user_code) = ? AND lower(users.user_code) = ?) OR users.job_title <> '')",
    ['a', 'b'],
  ],
  [
    '(userName eq "a" or userName eq "b") and title pr',
    "((lower(users.user_code) = ? OR lower(users.user_code) = ?) AND users.job_title <> '')",
    ['a', 'b'],
  ],
  ['not (userName eq "a" or title pr)', "(lower(users.user_code) = ? OR users.job_title <> '') IS NOT TRUE", ['a']],
  ['not (not (userName eq "a"))', 'NOT ((lower(users.user_code) = ?) IS NOT TRUE)', ['a']],
  ['emails eq "BJ@Example.com"', `${EMAILS} AND lower(v.value) = ?)`, ['bj@example.com']],
  ['emails.value co "@example"', `${EMAILS} AND lower(v.value) ${LIKE})`, ['%@example%']],
  ['emails pr', `${EMAILS})`, []],
  ['emails eq null', `NOT ${EMAILS})`, []],
  ['emails.type ne "work"', `${EMAILS} AND (lower(v.type) = ?) IS NOT TRUE)`, ['work']],
  ['not (emails.type eq "work")', `NOT ${EMAILS} AND lower(v.type) = ?)`, ['work']],
  [
    'emails[type eq "work" and value co "@x"]',
    `${EMAILS} AND (lower(v.type) = ? AND lower(v.value) ${LIKE}))`,
    ['work', '%@x%'],
  ],
  [
    'emails[type eq "work"].value co "@x"',
    `${EMAILS} AND (lower(v.type) = ? AND lower(v.value) ${LIKE}))`,
    ['work', '%@x%'],
  ],
  [
    'emails[type eq "work" or primary eq true].value ew ".test" and userName pr',
    `(${EMAILS} AND ((lower(v.type) = ? OR v.is_primary IS TRUE) AND lower(v.value) ${LIKE})) AND users.user_code <> '')`,
    ['work', '%.test'],
  ],
  ['emails[type eq "a]. b"].value eq "x"', `${EMAILS} AND (lower(v.type) = ? AND lower(v.value) = ?))`, ['a]. b', 'x']],
  ['emails[not (primary eq true)]', `${EMAILS} AND NOT (v.is_primary IS TRUE))`, []],
  ['not (emails[type eq "work"])', `NOT ${EMAILS} AND lower(v.type) = ?)`, ['work']],
  [
    'phoneNumbers[type eq "mobile"].value ew "42"',
    `${PHONES} AND (lower(v.type) = ? AND lower(v.value) ${LIKE}))`,
    ['mobile', '%42'],
  ],
  [
    'addresses[locality eq "Paris" and country eq "FR"]',
    `${ADDRESSES} AND (lower(v.locality) = ? AND lower(v.country) = ?))`,
    ['paris', 'fr'],
  ],
  ['addresses.streetAddress co "rue"', `${ADDRESSES} AND lower(v.street_address) ${LIKE})`, ['%rue%']],
  [
    'roles[value eq "Admin" and primary eq true]',
    `${ROLES} AND (lower(r.role) = ? AND (r.role = users.main_role) IS TRUE))`,
    ['admin'],
  ],
  ['roles.type pr', `${ROLES} AND NULL::text <> '')`, []],
  ['groups.display eq "Engineering"', `${GROUPS} AND lower(g.display_name) = ?)`, ['engineering']],
  [`groups eq "${SOME_ID}"`, `${GROUPS} AND gm.group_id = ?)`, [SOME_ID]],
  [`${ENTERPRISE}:employeeNumber eq "A-1"`, 'lower(users.employee_number) = ?', ['a-1']],
  ['costCenter eq "CC"', 'lower(users.cost_center) = ?', ['cc']],
  [`${ENTERPRISE}:organization eq "Acme"`, `lower(${ACCOUNT_NAME}) = ?`, ['acme']],
  [`${ENTERPRISE}:manager.value eq "${SOME_ID}"`, 'users.direct_manager_id = ?', [SOME_ID]],
  [`${ENTERPRISE}:manager eq "${SOME_ID}"`, 'users.direct_manager_id = ?', [SOME_ID]],
  ['manager pr', 'users.direct_manager_id IS NOT NULL', []],
  [`id eq "${SOME_ID.toUpperCase()}"`, 'users.id = ?', [SOME_ID.toUpperCase()]],
  ['id eq "42"', 'FALSE', []],
  ['id ne "42"', 'NOT (FALSE)', []],
  ['id sw "6F1A"', `users.id::text ${LIKE}`, ['6f1a%']],
  ['meta.resourceType eq "User"', "'User' = ?", ['User']],
  ['userName eq "dom\\\\user"', 'lower(users.user_code) = ?', ['dom\\user']],
  ['userName eq "say \\"hi\\" \\u00C9"', 'lower(users.user_code) = ?', ['say "hi" é']],
  ['displayName eq "Engineering"', 'lower(groups.display_name) = ?', ['engineering'], 'Group'],
  [
    'urn:ietf:params:scim:schemas:core:2.0:Group:displayName sw "Eng"',
    `lower(groups.display_name) ${LIKE}`,
    ['eng%'],
    'Group',
  ],
  ['externalId eq "G-1"', 'groups.external_id = ?', ['G-1'], 'Group'],
  [`members eq "${SOME_ID}"`, `${MEMBERS} AND m.user_id = ?)`, [SOME_ID], 'Group'],
  [`members[value eq "${SOME_ID}"]`, `${MEMBERS} AND m.user_id = ?)`, [SOME_ID], 'Group'],
  ['not (members pr)', `NOT ${MEMBERS})`, [], 'Group'],
  [
    'meta.lastModified gt "2024-01-31T12:00:00Z"',
    'groups.updated_at > ?::timestamptz',
    ['2024-01-31T12:00:00Z'],
    'Group',
  ],
];

for (const [filter, sql, bindings, resource = 'User'] of translations) {
  test(`${resource} filter ${filter}`, (t) => {
    t.deepEqual(compileFilter(filter, resource), { sql, bindings });
  });
}

const refusals: [filter: string, detail: RegExp, resource?: ScimResourceName][] = [
  ['', /not valid/],
  ['userName eq', /not valid/],
  ['userName eq "a" and', /not valid/],
  ['(userName eq "a"', /not valid/],
  ['userName xx "a"', /not valid/],
  ['userName eq "a" title pr', /not valid/],
  ['userName eq "a"; DROP TABLE users', /not valid/],
  ['userName eq "\\x"', /not a valid JSON string/],
  ['password_hash pr', /"password_hash" is not an attribute/],
  ['name.familyName.x eq "a"', /"name.familyName.x" is not an attribute/],
  ['emails.secret eq "a"', /"emails.secret" is not an attribute/],
  ['emails[secret eq "a"]', /"secret" is not a sub-attribute of emails/],
  ['emails[type eq "work"].', /after "\]\."/],
  ['emails[type eq "work"].value', /after "\]\."/],
  ['emails[value[type eq "a"]]', /multi-valued/],
  ['userName[value eq "a"]', /multi-valued/],
  ['addresses eq "Paris"', /needs a sub-attribute/],
  [`${ENTERPRISE}:userName eq "a"`, /is not an attribute/],
  ['active eq "x"', /boolean/],
  ['active gt true', /boolean/],
  ['active co "t"', /boolean/],
  ['emails.primary eq 1', /boolean/],
  ['meta.created gt "not a date"', /dateTime/],
  ['meta.created gt "2024-02-30T00:00:00Z"', /dateTime/],
  ['meta.created gt "2024-01-31"', /dateTime/],
  ['meta.created co "2024"', /dateTime/],
  ['meta.created gt 2024', /string/],
  ['userName eq 5', /string/],
  ['userName eq true', /string/],
  ['userName gt null', /null/],
  ['userName eq "a"', /is not an attribute/, 'Group'],
  [`${'('.repeat(20_000)}userName pr${')'.repeat(20_000)}`, /not valid/],
];

for (const [filter, detail, resource = 'User'] of refusals) {
  test(`${resource} filter ${filter.slice(0, 60)} is invalidFilter`, (t) => {
    const error = t.throws(() => compileFilter(filter, resource), { instanceOf: ScimError });
    t.is(error?.status, 400);
    t.is(error?.scimType, 'invalidFilter');
    t.regex(error?.message ?? '', detail);
  });
}

const sorts: [
  sortBy: string | undefined,
  sortOrder: string | undefined,
  orderBy: string,
  resource?: ScimResourceName,
][] = [
  [undefined, undefined, 'users.created_at, users.id'],
  [undefined, undefined, 'groups.created_at, groups.id', 'Group'],
  ['name.familyName', undefined, 'lower(users.family_name) ASC NULLS LAST, users.id ASC'],
  [
    'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName',
    'Descending',
    'lower(users.family_name) DESC NULLS FIRST, users.id DESC',
  ],
  ['userName', 'ascending', 'lower(users.user_code) ASC NULLS LAST, users.id ASC'],
  ['externalId', undefined, 'users.external_id ASC NULLS LAST, users.id ASC'],
  ['emails', undefined, 'lower(users.email) ASC NULLS LAST, users.id ASC'],
  ['meta.lastModified', 'descending', 'users.updated_at DESC NULLS FIRST, users.id DESC'],
  [`${ENTERPRISE}:employeeNumber`, undefined, 'lower(users.employee_number) ASC NULLS LAST, users.id ASC'],
  ['id', 'descending', 'users.id DESC'],
  ['displayName', undefined, 'lower(groups.display_name) ASC NULLS LAST, groups.id ASC', 'Group'],
];

for (const [sortBy, sortOrder, orderBy, resource = 'User'] of sorts) {
  test(`${resource} sortBy ${sortBy} ${sortOrder}`, (t) => {
    t.is(compileSort(sortBy, sortOrder, resource), orderBy);
  });
}

for (const [sortBy, sortOrder] of [
  ['phoneNumbers', undefined],
  ['groups.display', undefined],
  ['password_hash', undefined],
  ['userName', 'up'],
]) {
  test(`sortBy ${sortBy} ${sortOrder} is invalidValue`, (t) => {
    const error = t.throws(() => compileSort(sortBy, sortOrder, 'User'), { instanceOf: ScimError });
    t.is(error?.status, 400);
    t.is(error?.scimType, 'invalidValue');
  });
}

test('escapeLike escapes the wildcards and the backslash', (t) => {
  t.is(escapeLike('100%_a\\b'), '100\\%\\_a\\\\b');
});

const database = useMigratedDatabase(test);
let db: Db;
const ids: Record<string, string> = {};

test.before(async () => {
  db = await database();
  const [acme] = await db('accounts').insert({ name: 'Acme', kind: 'customer' }).returning('id');
  const guest = await db('accounts').where({ kind: 'guest' }).first();
  const user = async (userCode: string, columns: Record<string, unknown>) => {
    const [row] = await db('users')
      .insert({ user_code: userCode, status: 'active', ...columns })
      .returning('id');
    ids[userCode] = row.id;
  };
  await user('alice', {
    given_name: 'Alice',
    family_name: 'Liddell',
    job_title: 'Engineer',
    main_account_id: acme.id,
    external_id: 'EXT-1',
    employee_number: '1001',
    main_role: 'admin',
    created_at: '2024-01-10T00:00:00Z',
  });
  await user('Bob', {
    given_name: 'Bob',
    status: 'inactive',
    direct_manager_id: ids.alice,
    external_id: 'ext-1',
    created_at: '2024-02-10T00:00:00Z',
  });
  await user('elodie', {
    given_name: 'Élodie',
    family_name: 'Carroll',
    title: 'Dr.',
    job_title: '',
    status: 'new',
    main_account_id: guest.id,
    direct_manager_id: ids.alice,
    employee_number: '1002',
    created_at: '2024-06-01T00:00:00Z',
  });
  await user('under_score', { family_name: 'Under', status: 'locked', created_at: '2024-07-01T00:00:00Z' });
  await user('underXscore', { created_at: '2024-07-02T00:00:00Z' });

  const value = (userCode: string, attribute: string, position: number, columns: Record<string, unknown>) => ({
    user_id: ids[userCode],
    attribute,
    position,
    ...columns,
  });
  await db('user_values').insert([
    value('alice', 'emails', 0, { type: 'work', value: 'alice@acme.test', is_primary: true }),
    value('alice', 'emails', 1, { type: 'home', value: 'alice@home.test' }),
    value('alice', 'phoneNumbers', 0, { type: 'mobile', value: '+33 6 12 34 56 42' }),
    value('Bob', 'emails', 0, { type: 'work', value: 'bob@personal.test', is_primary: true }),
    value('Bob', 'emails', 1, { type: 'home', value: 'bob@acme.test' }),
    value('elodie', 'emails', 0, { type: 'home', value: 'Elodie@Acme.test', is_primary: true }),
    value('elodie', 'addresses', 0, { type: 'work', locality: 'Paris', country: 'FR' }),
    value('underXscore', 'emails', 0, { type: 'work', value: 'ux@acme.test' }),
  ]);
  await db('role_assignments').insert([
    { user_id: ids.alice, role: 'admin' },
    { user_id: ids.alice, role: 'manager' },
    { user_id: ids.elodie, role: 'manager' },
  ]);
  const groups = await db('groups')
    .insert([{ display_name: 'Engineering' }, { display_name: 'Sales' }, { display_name: 'Empty' }])
    .returning(['id', 'display_name']);
  for (const group of groups) ids[group.display_name] = group.id;
  await db('group_members').insert([
    { group_id: ids.Engineering, user_id: ids.alice },
    { group_id: ids.Engineering, user_id: ids.elodie },
    { group_id: ids.Sales, user_id: ids.elodie },
  ]);
});

/** `{alice}` is alice's id, `{ALICE}` the same in upper case. */
const withIds = (filter: string) =>
  filter.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? ids[name.toLowerCase()]!.toUpperCase());

const EVERYONE = ['alice', 'Bob', 'elodie', 'under_score', 'underXscore'];
const except = (...userCodes: string[]) => EVERYONE.filter((userCode) => !userCodes.includes(userCode));

const userSearches: [filter: string, userNames: string[]][] = [
  ['userName eq "BOB"', ['Bob']],
  ['userName co "R_S"', ['under_score']],
  ['userName sw "under"', ['under_score', 'underXscore']],
  ['name.givenName eq "ÉLODIE"', ['elodie']],
  ['externalId eq "EXT-1"', ['alice']],
  ['externalId eq "ext-1"', ['Bob']],
  ['name.familyName ne "Liddell"', except('alice')],
  ['not (name.familyName eq "Liddell")', except('alice')],
  ['not (name.familyName ne "Liddell")', ['alice']],
  ['name.familyName pr', ['alice', 'elodie', 'under_score']],
  ['not (name.familyName pr)', ['Bob', 'underXscore']],
  ['title pr', ['alice']],
  ['title eq null', except('alice')],
  ['not (title co "eng")', except('alice')],
  ['name.honorificPrefix eq "dr."', ['elodie']],
  ['name.familyName gt "carroll"', ['alice', 'under_score']],
  ['name.familyName le "Carroll"', ['elodie']],
  ['active eq false', ['Bob']],
  ['active ne false', except('Bob')],
  ['meta.created gt "2024-06-01T00:00:00Z"', ['under_score', 'underXscore']],
  ['meta.created ge "2024-06-01T00:00:00Z"', ['elodie', 'under_score', 'underXscore']],
  ['meta.created lt "2024-02-10T01:00:00+02:00"', ['alice']],
  ['active eq false or userName eq "alice" and title pr', ['alice', 'Bob']],
  ['(active eq false or userName eq "alice") and title pr', ['alice']],
  ['emails co "@ACME.test"', ['alice', 'Bob', 'elodie', 'underXscore']],
  ['emails.value eq "elodie@acme.test"', ['elodie']],
  ['emails[type eq "work" and value co "@acme"]', ['alice', 'underXscore']],
  ['emails[type eq "work"].value co "@acme"', ['alice', 'underXscore']],
  ['emails[type eq "work"] and emails.value co "@acme"', ['alice', 'Bob', 'underXscore']],
  ['emails[type eq "work" and primary eq false]', ['underXscore']],
  ['emails.type ne "work"', ['alice', 'Bob', 'elodie']],
  ['not (emails.type eq "work")', ['elodie', 'under_score']],
  ['emails pr', except('under_score')],
  ['emails eq null', ['under_score']],
  ['phoneNumbers.value ew "42"', ['alice']],
  ['addresses[locality eq "paris" and country eq "FR"]', ['elodie']],
  ['roles.value eq "manager"', ['alice', 'elodie']],
  ['roles[value eq "manager" and primary eq true]', []],
  ['roles[primary eq true]', ['alice']],
  ['not (roles pr)', ['Bob', 'under_score', 'underXscore']],
  ['groups.display eq "engineering"', ['alice', 'elodie']],
  ['groups eq "{Sales}"', ['elodie']],
  ['groups eq "not-a-uuid"', []],
  ['organization eq "acme"', ['alice']],
  [`${ENTERPRISE}:organization ne "Acme"`, except('alice')],
  [`${ENTERPRISE}:employeeNumber eq "1002"`, ['elodie']],
  ['manager.value eq "{alice}"', ['Bob', 'elodie']],
  [`${ENTERPRISE}:manager eq "{alice}"`, ['Bob', 'elodie']],
  ['not (manager pr)', ['alice', 'under_score', 'underXscore']],
  ['id eq "{ALICE}"', ['alice']],
  ['id eq "nope"', []],
  ['id ne "nope"', EVERYONE],
  ['meta.resourceType eq "User"', EVERYONE],
];

for (const [filter, userNames] of userSearches) {
  test.serial(`users found by ${filter}`, async (t) => {
    const { sql, bindings } = compileFilter(withIds(filter), 'User');
    const rows = await db('users')
      .select('user_code')
      .whereRaw(sql, bindings as Knex.RawBinding[]);
    t.deepEqual(rows.map((row) => row.user_code).sort(), [...userNames].sort());
  });
}

const groupSearches: [filter: string, displayNames: string[]][] = [
  ['displayName eq "ENGINEERING"', ['Engineering']],
  ['members eq "{elodie}"', ['Engineering', 'Sales']],
  ['members[value eq "{alice}"]', ['Engineering']],
  ['not (members eq "{alice}")', ['Empty', 'Sales']],
  ['not (members pr)', ['Empty']],
];

for (const [filter, displayNames] of groupSearches) {
  test.serial(`groups found by ${filter}`, async (t) => {
    const { sql, bindings } = compileFilter(withIds(filter), 'Group');
    const rows = await db('groups')
      .select('display_name')
      .whereRaw(sql, bindings as Knex.RawBinding[]);
    t.deepEqual(rows.map((row) => row.display_name).sort(), displayNames);
  });
}

const indexed: [filter: string, index: string][] = [
  ['userName eq "Alice"', 'users_user_code_key'],
  ['externalId eq "EXT-1"', 'users_external_id_idx'],
  ['emails.value eq "Alice@Acme.test"', 'user_values_value_idx'],
];

for (const [filter, index] of indexed) {
  test.serial(`${filter} is an index lookup`, async (t) => {
    const { sql, bindings } = compileFilter(filter, 'User');
    const plan = await db.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      const query = trx('users')
        .select('users.user_code')
        .whereNot('users.status', 'deleted')
        .whereRaw(sql, bindings as Knex.RawBinding[])
        .toSQL();
      const result = await trx.raw(`EXPLAIN ${query.sql}`, query.bindings);
      return (result.rows as Record<string, string>[]).map((row) => Object.values(row)[0]).join('\n');
    });
    t.regex(plan, new RegExp(`Index.* using ${index}`), plan);
    t.notRegex(plan, /Seq Scan on users/, plan);
    t.is(
      (
        await db('users')
          .select('user_code')
          .whereNot('users.status', 'deleted')
          .whereRaw(sql, bindings as Knex.RawBinding[])
      ).length,
      1,
    );
  });
}
