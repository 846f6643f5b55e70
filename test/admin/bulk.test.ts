import test from 'ava';
import { adminServerPerFile, type AdminFetch } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import type { Json } from '../helpers/json.js';

/**
 * Bulk actions as an administrator uses them: on listed ids or on every user a
 * list filter matches, guarded by expectedCount, each user reported; more users
 * than BULK_SYNC_LIMIT (5 here) run as a job followed through /bulk-jobs.
 */

const s = adminServerPerFile(test, { BULK_SYNC_LIMIT: '5' });
let admin: AdminFetch;
let adminId: string;
test.before(async () => {
  const a = await s.as('admin');
  admin = a.api;
  adminId = a.id;
});

let made = 0;
/** A user made through the API, with these tags (a test's own tag keeps its filters to its users). */
async function user(tags: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const n = ++made;
  const created = await admin('POST', '/users', {
    email: `bulk${n}@example.com`,
    givenName: 'Bulk',
    familyName: `Person${n}`,
    status: 'active',
    tags,
    ...extra,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return created.body.id;
}
const users = (count: number, tags: string[]) => Promise.all(Array.from({ length: count }, () => user(tags)));
const read = async (id: string) => (await admin('GET', `/users/${id}`)).body;
const bulk = (body: Record<string, unknown>, as: AdminFetch = admin) => as('POST', '/users/bulk-actions', body);
const idsOf = (list: { id: string }[]) => list.map((u) => u.id).sort();
const byId = (results: Json[]) => Object.fromEntries(results.map((r) => [r.id, r]));

/** The job, once it is no longer running (the job runs beside the requests; each read is a poll). */
async function finished(id: string): Promise<Json> {
  for (;;) {
    const job = await admin('GET', `/bulk-jobs/${id}`);
    if (job.status !== 200) throw new Error(JSON.stringify(job.body));
    if (job.body.status !== 'running') return job.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('by ids: each user reported, the others go on; one audit event per change and one for the bulk action', async (t) => {
  const [a, b] = (await users(2, ['ids-test'])) as [string, string];
  const root = await s.server.createUser({ role: 'super_admin' });
  const missing = '00000000-0000-4000-8000-00000000beef';
  const reply = await bulk({ action: 'tags.add', input: { tags: ['leaver'] }, ids: [a, b, root.id, adminId, missing] });
  t.is(reply.status, 200, JSON.stringify(reply.body));
  t.like(reply.body, { action: 'tags.add', total: 5, processed: 5, succeeded: 2, failed: 3 });
  t.deepEqual(
    reply.body.results.map((r: Json) => r.id),
    [a, b, root.id, adminId, missing],
    'results in the order given',
  );
  const results = byId(reply.body.results);
  t.deepEqual(results[a], { id: a, ok: true });
  t.is(results[root.id].error, 'admin_api.forbidden_target', 'nobody above the caller');
  t.is(results[adminId].error, 'user.self_change', 'never the caller themself');
  t.is(results[missing].error, 'user.not_found');
  t.deepEqual((await read(a)).user.tags, ['ids-test', 'leaver']);
  t.is((await read(a)).user.version, 2, 'the version moves as with PATCH');
  t.deepEqual((await read(root.id)).user.tags, [], 'a refused user is unchanged');

  const perUser = await auditEvents(s.server, { target_id: a, action: 'user.updated' });
  t.deepEqual(perUser.at(-1)!.changes, { tags: [['ids-test'], ['ids-test', 'leaver']] });
  const events = await auditEvents(s.server, { action: 'user.bulk_action' });
  const event = events.find((e) => e.details.input?.tags?.[0] === 'leaver');
  t.like(event!.details, { bulkAction: 'tags.add', ids: 5, total: 5, succeeded: 2, failed: 3 });
  t.is(event!.actor_id, adminId);
});

test('by filter: expectedCount guards the set; a different count is 409 and changes nobody', async (t) => {
  const set = await users(3, ['cohort-filter']);
  await user(['cohort-other']);
  const filter = { tag: 'cohort-filter', status: 'active' };
  const changed = await bulk({ action: 'status', input: { status: 'inactive' }, filter, expectedCount: 4 });
  t.is(changed.status, 409);
  t.is(changed.body.error, 'bulk.count_changed');
  t.deepEqual(changed.body.details, { expected: 4, actual: 3 });
  for (const id of set) t.is((await read(id)).user.status, 'active');

  const missingCount = await bulk({ action: 'status', input: { status: 'inactive' }, filter });
  t.is(missingCount.status, 400, 'a filter needs expectedCount');
  const unknownFilter = await bulk({
    action: 'status',
    input: { status: 'inactive' },
    filter: { tagg: 'x' },
    expectedCount: 1,
  });
  t.is(unknownFilter.status, 400, 'an unknown filter key is refused, not ignored');
  const both = await bulk({ action: 'status', input: { status: 'inactive' }, ids: set, filter, expectedCount: 3 });
  t.is(both.status, 400);

  const done = await bulk({ action: 'status', input: { status: 'inactive' }, filter, expectedCount: 3 });
  t.is(done.status, 200, JSON.stringify(done.body));
  t.like(done.body, { total: 3, succeeded: 3, failed: 0 });
  t.deepEqual(idsOf(done.body.results), [...set].sort());
  for (const id of set) t.is((await read(id)).user.status, 'inactive');
  const listed = await admin('GET', '/users?tag=cohort-filter&status=active');
  t.is(listed.body.total, 0, 'the filter matches nobody now');
});

test('more users than the limit run as a job: progress, then every result, paged', async (t) => {
  const set = await users(7, ['cohort-job']);
  const group = await admin('POST', '/groups', { displayName: 'Job group' });
  const started = await bulk({
    action: 'groups.add',
    input: { groupIds: [group.body.id] },
    filter: { tag: 'cohort-job' },
    expectedCount: 7,
  });
  t.is(started.status, 202, JSON.stringify(started.body));
  t.is(started.headers.get('location'), `${s.base}/bulk-jobs/${started.body.id}`);
  t.like(started.body, { action: 'groups.add', total: 7 });
  const job = await finished(started.body.id);
  t.like(job, { status: 'succeeded', total: 7, processed: 7, succeeded: 7, failed: 0, errorCode: null });
  t.truthy(job.finishedAt);

  const first = await admin('GET', `/bulk-jobs/${job.id}/results?limit=4`);
  t.is(first.status, 200);
  t.is(first.body.items.length, 4);
  const second = await admin('GET', `/bulk-jobs/${job.id}/results?limit=4&cursor=${first.body.nextCursor}`);
  t.is(second.body.items.length, 3);
  t.is(second.body.nextCursor, null);
  t.deepEqual(idsOf([...first.body.items, ...second.body.items]), [...set].sort());
  t.true([...first.body.items, ...second.body.items].every((r: Json) => r.ok));
  t.deepEqual((await admin('GET', `/bulk-jobs/${job.id}/results?failed=true`)).body.items, []);
  for (const id of set) t.deepEqual((await read(id)).groups, [{ id: group.body.id, displayName: 'Job group' }]);
  t.true((await admin('GET', '/bulk-jobs')).body.items.some((j: Json) => j.id === job.id));
  const event = await auditEvents(s.server, { action: 'user.bulk_action', target_id: job.id }).first();
  t.like(event!.details, { bulkAction: 'groups.add', total: 7, succeeded: 7, jobId: job.id });
  t.is((await admin('GET', '/bulk-jobs/00000000-0000-4000-8000-000000000000')).body.error, 'bulk.job_not_found');
});

test('a manager acts only within their accounts and only as far as each action allows', async (t) => {
  const account = await admin('POST', '/accounts', { name: 'Managed Ltd', kind: 'customer' });
  const mine = await users(2, ['cohort-manager']);
  const other = await user(['cohort-manager']);
  for (const id of mine)
    await admin('PUT', `/users/${id}/employments`, { employments: [{ accountId: account.body.id, isMain: true }] });
  const manager = await s.as('manager');
  await admin('PUT', `/users/${manager.id}/managed-accounts`, { accountIds: [account.body.id] });
  const api = s.client(await s.tokenOf(manager));

  const scoped = await bulk(
    { action: 'tags.add', input: { tags: ['managed'] }, filter: { tag: 'cohort-manager' }, expectedCount: 2 },
    api,
  );
  t.is(scoped.status, 200, JSON.stringify(scoped.body));
  t.deepEqual(idsOf(scoped.body.results), [...mine].sort(), "the filter reaches the manager's users only");
  const listed = await bulk({ action: 'tags.add', input: { tags: ['managed'] }, ids: [other, mine[0]!] }, api);
  t.is(byId(listed.body.results)[other].error, 'user.not_found', 'a listed user out of scope is as unknown');
  t.true(byId(listed.body.results)[mine[0]!].ok);
  t.deepEqual((await read(other)).user.tags, ['cohort-manager']);

  const status = await bulk({ action: 'status', input: { status: 'inactive' }, ids: mine }, api);
  t.is(status.status, 403, 'setting a status needs hr');
  t.is(status.body.error, 'admin_api.forbidden');
  const hr = await s.as('hr');
  const grant = await bulk({ action: 'mainRole', input: { mainRole: 'admin' }, ids: mine }, hr.api);
  t.is(grant.status, 403);
});

test('every action of the table does what its single-user call does', async (t) => {
  const [a, b] = (await users(2, ['cohort-actions'])) as [string, string];
  const account = await admin('POST', '/accounts', { name: 'Bulk Main Ltd', kind: 'customer' });
  const group = await admin('POST', '/groups', { displayName: 'Bulk actions' });
  const ids = [a, b];
  const ok = async (action: string, input: Record<string, unknown> = {}) => {
    const reply = await bulk({ action, input, ids });
    t.is(reply.status, 200, `${action}: ${JSON.stringify(reply.body)}`);
    t.is(reply.body.succeeded, 2, `${action}: ${JSON.stringify(reply.body.results)}`);
  };

  await ok('mainRole', { mainRole: 'manager' });
  await ok('roles.add', { assignments: [{ role: 'hr', accountId: account.body.id }] });
  const roles = (await read(a)).roles as Json[];
  t.deepEqual(
    roles.sort((x, y) => x.role.localeCompare(y.role)),
    [
      { role: 'hr', accountId: account.body.id, accountGroupId: null },
      { role: 'manager', accountId: null, accountGroupId: null },
    ],
  );
  await ok('roles.remove', { assignments: [{ role: 'hr', accountId: account.body.id }] });
  t.deepEqual((await read(a)).roles, [{ role: 'manager', accountId: null, accountGroupId: null }]);
  t.is((await read(a)).user.mainRole, 'manager');

  await ok('mainAccount', { accountId: account.body.id });
  const employed = await read(a);
  t.is(employed.user.mainAccountId, account.body.id);
  t.is(employed.employments.length, 2, 'the guest employment stays, no longer main');

  await ok('groups.add', { groupIds: [group.body.id] });
  await ok('groups.remove', { groupIds: [group.body.id] });
  t.deepEqual((await read(b)).groups, []);
  await ok('tags.remove', { tags: ['cohort-actions'] });
  t.deepEqual((await read(b)).user.tags, []);

  await ok('invite');
  t.is((await admin('GET', `/users/${a}/invitation`)).body.state, 'pending');
  await ok('passwordReset');

  await ok('delete');
  t.is((await read(a)).user.status, 'deleted');
  const again = await bulk({ action: 'delete', ids });
  t.deepEqual(
    again.body.results.map((r: Json) => r.error),
    ['user.already_deleted', 'user.already_deleted'],
    'a bulk delete never removes for good',
  );
  await ok('anonymise');
  t.regex((await read(b)).user.userCode, /^anon-/);

  const unknown = await bulk({ action: 'explode', ids });
  t.is(unknown.status, 400);
  const badInput = await bulk({ action: 'tags.add', input: { tags: [] }, ids });
  t.is(badInput.status, 400);
});

test('lifecycle actions in bulk: approve pending users, restore deleted ones, reset MFA', async (t) => {
  const pending = await Promise.all([1, 2].map(() => user(['cohort-lifecycle'], { status: 'pending' })));
  const approved = await bulk({ action: 'approve', ids: pending });
  t.is(approved.body.succeeded, 2, JSON.stringify(approved.body.results));
  for (const id of pending) t.is((await read(id)).user.status, 'active');
  const notPending = await bulk({ action: 'approve', ids: pending });
  t.is(notPending.body.succeeded, 0, 'an active user is not approved twice');

  await bulk({ action: 'delete', ids: pending });
  const restored = await bulk({ action: 'restore', ids: pending });
  t.is(restored.body.succeeded, 2, JSON.stringify(restored.body.results));
  for (const id of pending) t.is((await read(id)).user.status, 'inactive');

  const db = s.server.db;
  await db('totp_factors').insert(
    pending.map((id) => ({ user_id: id, secret_sealed: 'sealed', confirmed_at: new Date() })),
  );
  await db('recovery_codes').insert(pending.map((id) => ({ user_id: id, code_hash: `hash-${id}` })));
  const reset = await bulk({ action: 'mfaReset', ids: pending });
  t.is(reset.body.succeeded, 2, JSON.stringify(reset.body.results));
  for (const table of ['totp_factors', 'recovery_codes'])
    t.is(Number((await db(table).count('* as n').whereIn('user_id', pending).first())!.n), 0, table);
  const events = await auditEvents(s.server, { action: 'mfa.reset' }).whereIn('target_id', pending);
  t.is(events.length, 2);
});

test('filters: tag, invitation, neverSignedIn, employment', async (t) => {
  const [tagged, both, untagged] = [await user(['f-red']), await user(['f-red', 'f-blue']), await user(['f-green'])];
  const list = async (query: string) => {
    const reply = await admin('GET', `/users?${query}&limit=200`);
    t.is(reply.status, 200, `${query}: ${JSON.stringify(reply.body)}`);
    return idsOf(reply.body.items);
  };
  t.deepEqual(await list('tag=f-red'), [tagged, both].sort());
  t.deepEqual(await list('tag=f-blue,f-green'), [both, untagged].sort(), 'any of the tags');

  // Invitation states: sent now, scheduled later, not invited; accepted once signed in after the mail.
  const [sent, scheduled, never] = [await user(['f-inv']), await user(['f-inv']), await user(['f-inv'])];
  t.is((await admin('POST', `/users/${sent}/invitation`, {})).status, 200);
  t.is((await admin('POST', `/users/${scheduled}/invitation`, { at: '2099-01-01T00:00:00Z' })).status, 200);
  t.deepEqual(await list('tag=f-inv&invitation=sent'), [sent]);
  t.deepEqual(await list('tag=f-inv&invitation=scheduled'), [scheduled]);
  t.deepEqual(await list('tag=f-inv&invitation=not_invited'), [never]);
  t.deepEqual(await list('tag=f-inv&invitation=accepted'), []);
  await s.server
    .db('users')
    .where('id', sent)
    .update({ last_sign_in_at: s.server.db.raw("now() + interval '1 minute'") });
  t.deepEqual(await list('tag=f-inv&invitation=accepted'), [sent]);
  t.deepEqual(await list('tag=f-inv&invitation=sent,scheduled'), [scheduled]);
  t.deepEqual(await list('tag=f-inv&neverSignedIn=true'), [scheduled, never].sort());
  t.deepEqual(await list('tag=f-inv&neverSignedIn=false'), [sent]);
  t.is((await admin('GET', '/users?invitation=lost')).status, 400);

  // Employment: the account filter matches current employments unless asked otherwise.
  const account = await admin('POST', '/accounts', { name: 'Employer Ltd', kind: 'customer' });
  const accountId = account.body.id;
  const [current, ended] = [await user(['f-emp']), await user(['f-emp'])];
  const guest = (await read(current)).employments[0].accountId;
  await admin('PUT', `/users/${current}/employments`, {
    employments: [{ accountId, isMain: true }],
  });
  await admin('PUT', `/users/${ended}/employments`, {
    employments: [
      { accountId: guest, isMain: true },
      { accountId, startDate: '2020-01-01', endDate: '2021-01-01' },
    ],
  });
  t.deepEqual(await list(`accountId=${accountId}`), [current]);
  t.deepEqual(await list(`accountId=${accountId}&employment=current`), [current]);
  t.deepEqual(await list(`accountId=${accountId}&employment=ended`), [ended]);
  t.deepEqual(await list(`accountId=${accountId}&employment=any`), [current, ended].sort());
  const groupOfAccounts = await admin('POST', '/account-groups', { name: 'Employers', accountIds: [accountId] });
  t.is(groupOfAccounts.status, 201, JSON.stringify(groupOfAccounts.body));
  t.deepEqual(await list(`accountGroupId=${groupOfAccounts.body.id}`), [current]);
  t.deepEqual(await list(`accountGroupId=${groupOfAccounts.body.id}&employment=ended`), [ended]);
});

test('unknown query parameters are 400 on every list and export, naming the parameter', async (t) => {
  for (const path of [
    '/users?tagg=leaver',
    '/users?status=active&unknown=1',
    '/exports/users.csv?tagg=leaver',
    '/exports/users.xlsx?foo=1',
    '/audit?actorr=1',
    '/groups?x=1',
    '/accounts?x=1',
    '/imports?x=1',
  ]) {
    const reply = await admin('GET', path);
    t.is(reply.status, 400, path);
    t.is(reply.body.error, 'request.unknown_parameter', path);
  }
  const reply = await admin('GET', '/users?tagg=leaver');
  t.is(reply.body.details.parameter, 'tagg');
  t.regex(reply.body.message, /"tagg"/);
  t.regex(reply.body.message, /\btag\b/, 'the message lists the parameters the operation takes');
});

test('list rows and exports carry the main account name, groups and roles; export columns are chosen', async (t) => {
  const account = await admin('POST', '/accounts', { name: 'Rows Ltd', kind: 'customer' });
  const group = await admin('POST', '/groups', { displayName: 'Rows group' });
  const id = await user(['f-rows']);
  await admin('PUT', `/users/${id}/employments`, { employments: [{ accountId: account.body.id, isMain: true }] });
  await admin('PUT', `/users/${id}/groups`, { groupIds: [group.body.id] });
  await admin('PUT', `/users/${id}/roles`, {
    mainRole: 'individual',
    assignments: [{ role: 'manager', accountId: account.body.id }],
  });
  const row = (await admin('GET', '/users?tag=f-rows')).body.items[0];
  t.is(row.mainAccountName, 'Rows Ltd');
  t.deepEqual(row.groups, [{ id: group.body.id, displayName: 'Rows group' }]);
  t.deepEqual(row.roles, [
    { role: 'individual', accountId: null, accountGroupId: null },
    { role: 'manager', accountId: account.body.id, accountGroupId: null },
  ]);

  const csv = await admin('GET', '/exports/users.csv?tag=f-rows&columns=email,mainAccountName,groups,roles');
  t.is(csv.status, 200);
  const lines = String(csv.body)
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  t.deepEqual(lines, [
    'email,mainAccountName,groups,roles',
    `${(await read(id)).user.email},Rows Ltd,Rows group,individual;manager@${account.body.id}`,
  ]);
  const unknown = await admin('GET', '/exports/users.csv?columns=email,password');
  t.is(unknown.status, 400);
  t.is(unknown.body.error, 'request.invalid_query');
});

test('a custom-field filter narrows a bulk action as it narrows the list', async (t) => {
  const root = await s.as('super_admin');
  const field = await root.api('POST', '/custom-fields', { key: 'bulkTeam', label: 'Team', type: 'text' });
  t.is(field.status, 201, JSON.stringify(field.body));
  const [red, blue] = [
    await user(['f-cf'], { customAttributes: { bulkTeam: 'red' } }),
    await user(['f-cf'], { customAttributes: { bulkTeam: 'blue' } }),
  ];
  const listed = await admin('GET', '/users?tag=f-cf&cf.bulkTeam=red');
  t.deepEqual(idsOf(listed.body.items), [red]);
  const done = await bulk({
    action: 'tags.add',
    input: { tags: ['team-red'] },
    filter: { tag: 'f-cf', 'cf.bulkTeam': 'red' },
    expectedCount: 1,
  });
  t.is(done.status, 200, JSON.stringify(done.body));
  t.deepEqual(idsOf(done.body.results), [red]);
  t.deepEqual((await read(blue)).user.tags, ['f-cf']);
  const unknown = await bulk({
    action: 'tags.add',
    input: { tags: ['x'] },
    filter: { 'cf.noSuchField': 'red' },
    expectedCount: 1,
  });
  t.is(unknown.status, 400, 'an unknown custom field is refused, not ignored');
});

test('licences: given and taken in bulk, seats reported per user, and shown on list rows', async (t) => {
  const type = await admin('POST', '/licences', { key: 'bulk-office', name: 'Office', seats: 2 });
  t.is(type.status, 201, JSON.stringify(type.body));
  const set = await users(3, ['f-lic']);
  const given = await bulk({ action: 'licences.add', input: { key: 'bulk-office' }, ids: set });
  t.is(given.status, 200, JSON.stringify(given.body));
  t.like(given.body, { succeeded: 2, failed: 1 });
  // Users are changed concurrently on PostgreSQL: which one finds the seats taken is not fixed.
  const refused = given.body.results.filter((r: Json) => r.error === 'licence.no_seats');
  t.is(refused.length, 1, 'the user beyond the seats is refused');
  const rows = byId((await admin('GET', '/users?tag=f-lic')).body.items);
  t.deepEqual(
    set.map((id) => rows[id].licences),
    set.map((id) => (id === refused[0].id ? [] : ['bulk-office'])),
    'the refused user holds none, the others hold it',
  );
  const listed = await admin('GET', '/users?tag=f-lic&licence=bulk-office');
  t.is(listed.body.total, 2);
  const taken = await bulk({ action: 'licences.remove', input: { key: 'bulk-office' }, ids: set });
  t.like(taken.body, { succeeded: 3, failed: 0 });
  t.is((await admin('GET', '/users?tag=f-lic&licence=bulk-office')).body.total, 0);
});
