import { randomBytes } from 'node:crypto';
import test from 'ava';
import { parse } from 'csv-parse/sync';
import { adminServerPerFile, signedInPerFile, type AdminFetch } from '../helpers/admin.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import { auditEvents } from '../helpers/audit.js';

// No licence type here is required to sign in: that is test/integration/licences.test.ts (it signs everyone out).
const s = adminServerPerFile(test);
const admin = signedInPerFile(test, s, 'admin');

/** A key of its own for each test: the tests of this file run at once. */
const key = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
const CSV = { 'content-type': 'text/csv' };
const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const records = (body: string) => parse(body, { bom: true, columns: true }) as Record<string, string>[];

async function licenceType(api: AdminFetch, body: Record<string, unknown>) {
  const res = await api('POST', '/licences', body);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body;
}
const assign = (userId: string, k: string, api = admin.api) => api('POST', `/users/${userId}/licences`, { key: k });
const keysOf = async (userId: string) =>
  ((await admin.api('GET', `/users/${userId}/licences`)).body.licences as { key: string }[]).map((l) => l.key);

test('licence types: create, read with seats used, rename, change seats, delete; every change audited', async (t) => {
  const k = key('office');
  const made = await admin.api('POST', '/licences', { key: k, name: 'Office 365', seats: 10 });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.like(made.body, { key: k, name: 'Office 365', seats: 10, seatsUsed: 0, requiredToSignIn: false, version: 1 });
  t.is(made.headers.get('location'), `${s.base}/licences/${k}`);

  const user = await s.server.createUser();
  t.is((await assign(user.id, k)).status, 200);
  const listed = (await admin.api('GET', '/licences')).body.items.find((i: { key: string }) => i.key === k);
  t.like(listed, { seats: 10, seatsUsed: 1 });

  const changed = await admin.api('PATCH', `/licences/${k}`, { name: 'Office', seats: null });
  t.is(changed.status, 200);
  t.like(changed.body, { key: k, name: 'Office', seats: null, seatsUsed: 1, version: 2 });
  t.like((await admin.api('GET', `/licences/${k}`)).body, { name: 'Office', seats: null });

  t.is((await admin.api('DELETE', `/licences/${k}`)).status, 204);
  t.is((await admin.api('GET', `/licences/${k}`)).status, 404);
  t.deepEqual(await keysOf(user.id), [], "the holders' licences went with the type");

  const actions = (await auditEvents(s.server, { target_type: 'licence', target_id: k }).orderBy('id')).map(
    (e) => e.action,
  );
  t.deepEqual(actions, ['licence.created', 'licence.updated', 'licence.deleted']);
  const update = await auditEvents(s.server, { target_id: k, action: 'licence.updated' }).first();
  t.deepEqual(update.changes, { name: ['Office 365', 'Office'], seats: [10, null] });
});

test('a bad key is 400, a key taken is 409, an unknown one 404', async (t) => {
  const k = key('intranet');
  await licenceType(admin.api, { key: k, name: 'Intranet' });
  for (const bad of ['Office', 'with space', '-dash', '', 'x'.repeat(65)]) {
    const res = await admin.api('POST', '/licences', { key: bad, name: 'Bad' });
    t.is(res.status, 400, bad);
  }
  t.is((await admin.api('POST', '/licences', { key: k, name: 'Again' })).body.error, 'licence.key_taken');
  t.is((await admin.api('POST', '/licences', { key: key('neg'), name: 'N', seats: -1 })).status, 400);
  const user = await s.server.createUser();
  const unknown = await assign(user.id, 'no-such-licence');
  t.is(unknown.status, 404);
  t.is(unknown.body.error, 'licence.not_found');
  t.is((await admin.api('PATCH', '/licences/no-such-licence', { name: 'X' })).status, 404);
});

test.serial('nobody takes away their own last licence to sign in, whatever the letter case of their id', async (t) => {
  const k = key('own');
  await licenceType(admin.api, { key: k, name: 'Own' });
  t.is((await assign(admin.id, k)).status, 200);
  t.is((await admin.api('PATCH', `/licences/${k}`, { requiredToSignIn: true })).status, 200);
  const removed = await admin.api('DELETE', `/users/${admin.id.toUpperCase()}/licences/${k}`);
  t.is(removed.body.error, 'licence.self_lockout');
  t.deepEqual(await keysOf(admin.id), [k], 'the licence stays');
  t.is((await admin.api('PATCH', `/licences/${k}`, { requiredToSignIn: false })).status, 200);
});

test('a type may not be made required to sign in by someone it would lock out', async (t) => {
  const k = key('required');
  const made = await admin.api('POST', '/licences', { key: k, name: 'Required', requiredToSignIn: true });
  t.is(made.status, 409);
  t.is(made.body.error, 'licence.self_lockout');
  t.is((await admin.api('GET', `/licences/${k}`)).status, 404, 'nothing was written');
  await licenceType(admin.api, { key: k, name: 'Required' });
  const marked = await admin.api('PATCH', `/licences/${k}`, { requiredToSignIn: true });
  t.is(marked.body.error, 'licence.self_lockout');
  t.false((await admin.api('GET', `/licences/${k}`)).body.requiredToSignIn);
});

test('who may: managers read types, hr gives and takes licences, only admins change types', async (t) => {
  const k = key('guest');
  await licenceType(admin.api, { key: k, name: 'Guest' });
  const manager = await s.as('manager');
  const hr = await s.as('hr');
  t.is((await manager.api('GET', '/licences')).status, 200);
  t.is((await manager.api('POST', '/licences', { key: key('m'), name: 'M' })).status, 403);
  t.is((await hr.api('POST', '/licences', { key: key('h'), name: 'H' })).status, 403);
  t.is((await hr.api('PATCH', `/licences/${k}`, { seats: 1 })).status, 403);
  t.is((await hr.api('DELETE', `/licences/${k}`)).status, 403);

  const user = await s.server.createUser();
  t.is((await assign(user.id, k, manager.api)).status, 403, 'a manager may not');
  t.is((await assign(user.id, k, hr.api)).status, 200, 'hr may');
  t.is((await hr.api('DELETE', `/users/${user.id}/licences/${k}`)).status, 204);
  const boss = await s.server.createUser({ role: 'admin' });
  const above = await assign(boss.id, k, hr.api);
  t.is(above.status, 403, 'not to someone above them');
  t.is(above.body.error, 'admin_api.forbidden_target');
});

test('assigning beyond the seats is 409 licence.no_seats; a licence held already takes no second seat', async (t) => {
  const k = key('seats');
  await licenceType(admin.api, { key: k, name: 'Two seats', seats: 2 });
  const [a, b, c] = [await s.server.createUser(), await s.server.createUser(), await s.server.createUser()];
  t.is((await assign(a.id, k)).status, 200);
  t.is((await assign(a.id, k)).status, 200, 'held already: unchanged');
  t.is((await assign(b.id, k)).status, 200);
  const full = await assign(c.id, k);
  t.is(full.status, 409);
  t.is(full.body.error, 'licence.no_seats');
  t.deepEqual(full.body.details, { key: k, seats: 2 });
  t.deepEqual(await keysOf(c.id), []);

  const lower = await admin.api('PATCH', `/licences/${k}`, { seats: 1 });
  t.is(lower.status, 409, 'seats may not go below those used');
  t.is(lower.body.error, 'licence.seats_below_used');

  t.is((await admin.api('DELETE', `/users/${a.id}/licences/${k}`)).status, 204);
  t.is((await assign(c.id, k)).status, 200, 'a seat freed is a seat to give');
  t.is((await admin.api('GET', `/licences/${k}`)).body.seatsUsed, 2);
  t.is(
    Number((await auditEvents(s.server, { target_id: a.id, action: 'user.licence_assigned' }).count('* as n'))[0]!.n),
    1,
    'the second assignment of a licence held changed nothing and was not audited',
  );
});

test('two concurrent assignments of the last seat: one wins, the other is 409', async (t) => {
  const k = key('last');
  await licenceType(admin.api, { key: k, name: 'One seat', seats: 1 });
  for (let round = 0; round < 3; round++) {
    const [a, b] = [await s.server.createUser(), await s.server.createUser()];
    const answers = await Promise.all([assign(a.id, k), assign(b.id, k)]);
    t.deepEqual(answers.map((r) => r.status).sort(), [200, 409], JSON.stringify(answers.map((r) => r.body)));
    t.is((await admin.api('GET', `/licences/${k}`)).body.seatsUsed, 1);
    const winner = answers[0]!.status === 200 ? a : b;
    t.is((await admin.api('DELETE', `/users/${winner.id}/licences/${k}`)).status, 204);
  }
});

test("a user's licences: listed, on the user detail, given and taken with an audit event each", async (t) => {
  const [office, intranet] = [key('office'), key('intranet')];
  await licenceType(admin.api, { key: office, name: 'Office' });
  await licenceType(admin.api, { key: intranet, name: 'Intranet' });
  const user = await s.server.createUser();
  const before = (await admin.api('GET', `/users/${user.id}`)).body.user.version;
  const given = await assign(user.id, intranet);
  t.is(given.status, 200);
  t.like(given.body.licences[0], { key: intranet, name: 'Intranet', requiredToSignIn: false });
  await assign(user.id, office);
  const detail = (await admin.api('GET', `/users/${user.id}`)).body;
  t.deepEqual(
    detail.licences.map((l: { key: string }) => l.key),
    [intranet, office].sort(),
  );
  t.truthy(Date.parse(detail.licences[0].assignedAt));
  t.true(detail.user.version > before, "the user's version changes with their licences");

  t.is((await admin.api('DELETE', `/users/${user.id}/licences/${intranet}`)).status, 204);
  t.deepEqual(await keysOf(user.id), [office]);
  const events = await auditEvents(s.server, { target_id: user.id })
    .whereLike('action', 'user.licence_%')
    .orderBy('id');
  t.deepEqual(
    events.map((e) => [e.action, e.details.licence, e.actor_id]),
    [
      ['user.licence_assigned', intranet, admin.id],
      ['user.licence_assigned', office, admin.id],
      ['user.licence_removed', intranet, admin.id],
    ],
  );
  t.is((await admin.api('GET', `/users/00000000-0000-4000-8000-00000000dead/licences`)).status, 404);
});

test('the users list and the export filter on licence=<keys>', async (t) => {
  const [office, guest] = [key('office'), key('guest')];
  await licenceType(admin.api, { key: office, name: 'Office' });
  await licenceType(admin.api, { key: guest, name: 'Guest' });
  const [a, b, c] = [await s.server.createUser(), await s.server.createUser(), await s.server.createUser()];
  await assign(a.id, office);
  await assign(b.id, guest);
  await assign(b.id, office);
  const ids = async (query: string) =>
    ((await admin.api('GET', `/users?${query}&limit=200`)).body.items as { id: string }[]).map((u) => u.id).sort();
  t.deepEqual(await ids(`licence=${office}`), [a.id, b.id].sort());
  t.deepEqual(await ids(`licence=${guest}`), [b.id]);
  t.deepEqual(await ids(`licence=${guest},${office}`), [a.id, b.id].sort(), 'a comma list: any of them');
  t.deepEqual(await ids(`licence=${guest}&licence=${office}`), [a.id, b.id].sort());
  t.false((await ids(`licence=${office}`)).includes(c.id));
  t.deepEqual(await ids('licence=nobody-holds-this'), []);
  t.is((await admin.api('GET', `/users?licence=${office}`)).body.total, 2);

  const exported = records(
    (await admin.api('GET', `/exports/users.csv?licence=${office}&columns=id,licences&sort=createdAt`)).body,
  );
  t.deepEqual(
    exported.map((r) => [r.id, r.licences]),
    [
      [a.id, office],
      [b.id, [guest, office].sort().join(';')],
    ],
  );
});

test('CSV import sets licences from a licences column (;-separated keys); unknown keys and full seats are row errors', async (t) => {
  const [office, intranet, full] = [key('office'), key('intranet'), key('full')];
  await licenceType(admin.api, { key: office, name: 'Office' });
  await licenceType(admin.api, { key: intranet, name: 'Intranet' });
  await licenceType(admin.api, { key: full, name: 'Full', seats: 1 });
  const d = `${randomBytes(4).toString('hex')}.example.com`;
  const existing = await s.server.createUser({ email: `old@${d}` });
  await assign(existing.id, intranet);
  await assign(existing.id, full);

  const res = await admin.api(
    'POST',
    '/imports?key=email&mode=upsert',
    csv(
      'email,givenName,licences',
      `new@${d},New,${office};${intranet}`,
      `old@${d},Old,${office}`,
      `bad@${d},Bad,${office};nope`,
      `wait@${d},Wait,${full}`,
      `none@${d},None,`,
    ),
    CSV,
  );
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body, { status: 'succeeded', created: 2, updated: 1, failed: 2 });
  const errors = parse((await admin.api('GET', `/imports/${res.body.id}/errors.csv`)).body as string, {
    columns: true,
  }) as Record<string, string>[];
  t.deepEqual(
    errors.map((e) => [e.row, e.column, e.code]),
    [
      ['3', 'licences', 'import.licence_not_found'],
      ['4', 'licences', 'import.no_seats'],
    ],
  );

  const created = await s.server
    .db('users')
    .where({ email: `new@${d}` })
    .first();
  t.deepEqual(await keysOf(created.id), [intranet, office].sort());
  t.deepEqual(await keysOf(existing.id), [office], 'the column replaces: the seat of "full" is free again');
  const none = await s.server
    .db('users')
    .where({ email: `none@${d}` })
    .first();
  t.deepEqual(await keysOf(none.id), [], 'an empty cell leaves them unchanged');
  const audited = await auditEvents(s.server, { target_id: existing.id })
    .whereLike('action', 'user.licence_%')
    .where('actor_id', admin.id)
    .orderBy('id');
  t.deepEqual(
    audited
      .filter((e) => e.details.importJobId === res.body.id)
      .map((e) => `${e.action} ${e.details.licence}`)
      .sort(),
    [`user.licence_assigned ${office}`, `user.licence_removed ${full}`, `user.licence_removed ${intranet}`].sort(),
  );

  const dry = await admin.api(
    'POST',
    '/imports?key=email&mode=update&dryRun=true',
    csv('email,licences', `old@${d},${full}`),
    CSV,
  );
  t.like(dry.body, { status: 'succeeded', updated: 1, failed: 0 });
  t.deepEqual(await keysOf(existing.id), [office], 'a dry run writes no licence');

  const exported = records(
    (await admin.api('GET', `/exports/users.csv?q=${d}&columns=email,licences&sort=email`)).body,
  );
  t.deepEqual(exported.find((r) => r.email === `new@${d}`)?.licences, [intranet, office].sort().join(';'));
});

test('a merge moves the licences the kept user lacks', async (t) => {
  const [office, intranet] = [key('office'), key('intranet')];
  await licenceType(admin.api, { key: office, name: 'Office', seats: 2 });
  await licenceType(admin.api, { key: intranet, name: 'Intranet' });
  const [keep, dup] = [await s.server.createUser(), await s.server.createUser()];
  await assign(keep.id, office);
  await assign(dup.id, office);
  await assign(dup.id, intranet);
  const merged = await admin.api('POST', '/users/merge', { keepId: keep.id, mergeId: dup.id });
  t.is(merged.status, 200, JSON.stringify(merged.body));
  t.is(merged.body.moved.licences, 1);
  t.deepEqual(await keysOf(keep.id), [intranet, office].sort());
  t.is((await admin.api('GET', `/licences/${office}`)).body.seatsUsed, 1, "the duplicate's seat is free");
});

test('for bulk actions: many users at once, the free seats in the order given, each change audited', async (t) => {
  const k = key('bulk');
  await licenceType(admin.api, { key: k, name: 'Bulk', seats: 3 });
  const users = [];
  for (let i = 0; i < 5; i++) users.push(await s.server.createUser());
  const ids = users.map((u) => u.id);
  await assign(ids[1]!, k);
  const { licences } = s.server.container.admin;
  const by = { actor: CLI_ACTOR, ip: null };
  const given = await licences.assignMany(ids, k, by);
  t.deepEqual(
    ids.map((id) => given.get(id)),
    ['assigned', 'held', 'assigned', 'no_seats', 'no_seats'],
  );
  t.is((await admin.api('GET', `/licences/${k}`)).body.seatsUsed, 3);
  t.is(
    (await auditEvents(s.server, { action: 'user.licence_assigned', actor_type: 'cli' }).whereIn('target_id', ids))
      .length,
    2,
  );
  const taken = await licences.removeMany([ids[0]!, ids[3]!], k, by);
  t.deepEqual(taken, { removed: [ids[0]], signedOut: [] });
  t.deepEqual(await keysOf(ids[0]!), []);
  t.deepEqual(await keysOf(ids[2]!), [k]);
});
