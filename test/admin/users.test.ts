import test from 'ava';
import { adminServerPerFile, type AdminFetch } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';

/** The users endpoints as an administrator uses them: list, create, change, delete twice, bulk edit. */

const s = adminServerPerFile(test);
let admin: AdminFetch;
let adminId: string;
test.before(async () => {
  const a = await s.as('admin');
  admin = a.api;
  adminId = a.id;
});

const audit = (targetId: string) => auditEvents(s.server, { target_id: targetId }).orderBy('id');

test('create, read, change with If-Match, and the audit of each change', async (t) => {
  const created = await admin('POST', '/users', {
    email: 'ada@example.com',
    givenName: 'Ada',
    familyName: 'Lovelace',
    tags: ['math'],
    customAttributes: { cohort: 7 },
  });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.regex(created.body.userCode, /^[A-Z0-9]{8}$/, 'a userCode is generated when blank');
  t.is(created.body.status, 'new');
  t.deepEqual(created.body.customAttributes, { cohort: 7 });
  t.is(created.headers.get('location'), `${s.base}/users/${created.body.id}`);
  const id = created.body.id;

  const read = await admin('GET', `/users/${id}`);
  t.is(read.status, 200);
  t.is(read.headers.get('etag'), 'W/"1"');
  t.deepEqual(read.body.roles, [{ role: 'individual', accountId: null, accountGroupId: null }]);
  t.is(read.body.employments.length, 1, 'the guest account employs users without an employer');
  t.true(read.body.employments[0].isMain);

  const patched = await admin(
    'PATCH',
    `/users/${id}`,
    { jobTitle: 'Analyst', givenName: 'Augusta' },
    { 'if-match': read.headers.get('etag')! },
  );
  t.is(patched.status, 200, JSON.stringify(patched.body));
  t.is(patched.body.version, 2);
  const stale = await admin('PATCH', `/users/${id}`, { jobTitle: 'Engineer' }, { 'if-match': 'W/"1"' });
  t.is(stale.status, 412);
  t.is(stale.body.error, 'user.version_mismatch');
  t.is((await admin('GET', `/users/${id}`)).body.user.jobTitle, 'Analyst', 'a stale write changes nothing');

  const events = await audit(id);
  t.deepEqual(
    events.map((e) => e.action),
    ['user.created', 'user.updated'],
  );
  t.deepEqual(events[1].changes, { jobTitle: [null, 'Analyst'], givenName: ['Ada', 'Augusta'] });
  t.is(events[1].actor_id, adminId);
  t.is(events[1].ip, '127.0.0.1');
});

test('bad input gets a clear error and writes nothing', async (t) => {
  const bad = await admin('POST', '/users', { email: 'not-an-email', status: 'sleeping' });
  t.is(bad.status, 400);
  t.is(bad.body.error, 'request.invalid_body');
  t.regex(bad.body.message, /email/);
  t.regex(bad.body.message, /status/);
  await admin('POST', '/users', { email: 'twice@example.com' });
  const again = await admin('POST', '/users', { email: 'TWICE@example.com' });
  t.is(again.status, 409);
  t.is(again.body.error, 'user.email_taken');
  t.is(
    Number((await s.server.db('users').whereRaw("lower(email) = 'twice@example.com'").count('* as n').first())!.n),
    1,
  );
  const unknownField = await admin('PATCH', `/users/${adminId}`, { password: 'x' });
  t.is(unknownField.status, 400, 'PATCH takes profile fields only');
  t.is((await admin('GET', '/users?limit=500')).body.error, 'request.invalid_query');
  t.is((await admin('GET', '/users?cursor=bogus')).body.error, 'request.invalid_cursor');
  const forged = Buffer.from(
    JSON.stringify(['-createdAt', "1' OR 1=1", '00000000-0000-4000-8000-000000000000']),
  ).toString('base64url');
  t.is(
    (await admin('GET', `/users?sort=-createdAt&cursor=${forged}`)).body.error,
    'request.invalid_cursor',
    'a forged cursor is refused, not a server error',
  );
  const nowhere = await admin('POST', '/users', {
    email: 'nowhere@example.com',
    mainAccountId: '00000000-0000-4000-8000-00000000abcd',
  });
  t.is(nowhere.status, 400, 'an account that does not exist');
  t.is(nowhere.body.error, 'request.unknown_reference');
  t.is(await s.server.db('users').whereRaw("lower(email) = 'nowhere@example.com'").first(), undefined);
  t.is(
    (await admin('POST', '/users', { email: 'gone@example.com', status: 'deleted' })).status,
    400,
    'a user is not created deleted',
  );
  const noJson = await admin('POST', '/users', 'email=x', { 'content-type': 'application/x-www-form-urlencoded' });
  t.is(noJson.status, 415);
});

test('the list filters, searches, sorts and pages with a cursor to the end', async (t) => {
  const tag = `cohort-${Date.now()}`;
  const names = ['Zed', 'Amy', 'Bob', 'Cleo', 'Dan', 'Eve', 'Finn'];
  const ids: string[] = [];
  for (const [i, name] of names.entries()) {
    const res = await admin('POST', '/users', {
      email: `${name.toLowerCase()}.${tag}@example.com`,
      givenName: name,
      familyName: `Walker${tag}`,
      status: i % 2 ? 'active' : 'inactive',
      tags: [tag],
    });
    ids.push(res.body.id);
  }
  const searched = await admin('GET', `/users?q=${encodeURIComponent(`walker${tag}`)}&sort=givenName&limit=3`);
  t.is(searched.body.total, 7);
  t.deepEqual(
    searched.body.items.map((u: { givenName: string }) => u.givenName),
    ['Amy', 'Bob', 'Cleo'],
  );
  const seen = [...searched.body.items];
  let cursor = searched.body.nextCursor;
  while (cursor) {
    const page = await admin(
      'GET',
      `/users?q=${encodeURIComponent(`walker${tag}`)}&sort=givenName&limit=3&cursor=${cursor}`,
    );
    t.is(page.body.total, 7);
    seen.push(...page.body.items);
    cursor = page.body.nextCursor;
  }
  t.deepEqual(
    seen.map((u) => u.givenName),
    ['Amy', 'Bob', 'Cleo', 'Dan', 'Eve', 'Finn', 'Zed'],
    'every user once, in order',
  );

  const active = await admin('GET', `/users?q=${tag}&status=active&sort=-givenName`);
  t.deepEqual(
    active.body.items.map((u: { givenName: string }) => u.givenName),
    ['Eve', 'Cleo', 'Amy'],
  );
  const words = await admin('GET', `/users?q=${encodeURIComponent(`eve walker${tag}`)}`);
  t.deepEqual(
    words.body.items.map((u: { givenName: string }) => u.givenName),
    ['Eve'],
    'each word matches some field',
  );
  const admins = await admin('GET', '/users?role=admin');
  t.true(admins.body.items.every((u: { mainRole: string }) => u.mainRole === 'admin'));
  const none = await admin('GET', `/users?q=${tag}&createdFrom=2999-01-01`);
  t.is(none.body.total, 0);
  t.is(none.body.nextCursor, null);
  const cursorOfOtherSort = searched.body.nextCursor;
  t.is(
    (await admin('GET', `/users?sort=email&cursor=${cursorOfOtherSort}`)).status,
    400,
    'a cursor belongs to its sort',
  );
});

test('delete twice: first the status "deleted" (sessions end), then the user is gone and the audit keeps a tombstone', async (t) => {
  const user = await s.server.createUser();
  const first = await admin('DELETE', `/users/${user.id}`);
  t.is(first.status, 200);
  t.is(first.body.status, 'deleted');
  const listed = await admin('GET', `/users?status=deleted&q=${encodeURIComponent(user.email)}`);
  t.is(listed.body.total, 1, 'a deleted user can still be found, to delete again');
  t.is((await admin('PATCH', `/users/${user.id}`, { jobTitle: 'x' })).status, 404, 'a deleted user is not edited');

  const second = await admin('DELETE', `/users/${user.id}`);
  t.is(second.status, 204);
  t.is(await s.server.db('users').where('id', user.id).first(), undefined);
  t.is((await admin('GET', `/users/${user.id}`)).status, 404);
  t.is((await admin('DELETE', `/users/${user.id}`)).status, 404);
  const events = await audit(user.id);
  t.deepEqual(events.map((e) => e.action).slice(-2), ['user.status_changed', 'user.removed']);
  t.deepEqual(events.at(-1).details, { userCode: user.userCode });
});

test('bulk edit sets every field on every user in one transaction, or nothing when one fails', async (t) => {
  const a = await s.server.createUser();
  const b = await s.server.createUser();
  const account = (
    await s.server
      .db('accounts')
      .insert({ name: `Bulk ${Date.now()}`, kind: 'customer' })
      .returning('id')
  )[0].id;
  const ok = await admin('POST', '/users/bulk', {
    ids: [a.id, b.id],
    set: { status: 'inactive', mainRole: 'manager', mainAccountId: account, tags: ['q3'] },
  });
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.deepEqual(ok.body, { updated: 2 });
  for (const id of [a.id, b.id]) {
    const { body } = await admin('GET', `/users/${id}`);
    t.is(body.user.status, 'inactive');
    t.is(body.user.mainRole, 'manager');
    t.is(body.user.mainAccountId, account);
    t.deepEqual(body.user.tags, ['q3']);
    t.deepEqual(
      body.roles.map((r: { role: string }) => r.role),
      ['manager'],
      'the new main role replaces the old one',
    );
    t.true(body.employments.find((e: { accountId: string }) => e.accountId === account).isMain);
  }

  const c = await s.server.createUser();
  const missing = '00000000-0000-4000-8000-0000000000ff';
  const failed = await admin('POST', '/users/bulk', { ids: [c.id, missing], set: { tags: ['never'] } });
  t.is(failed.status, 404);
  t.is(failed.body.details.id, missing);
  t.deepEqual(
    (await admin('GET', `/users/${c.id}`)).body.user.tags,
    [],
    'the user before the failing one is unchanged',
  );

  const grant = await admin('POST', '/users/bulk', { ids: [c.id], set: { mainRole: 'super_admin' } });
  t.is(grant.status, 403);
  t.is(grant.body.error, 'admin_api.forbidden_role');
});

test('an admin sets a password under the policy, or sends a reset link', async (t) => {
  const user = await s.server.createUser();
  const weak = await admin('POST', `/users/${user.id}/password`, { password: 'short' });
  t.is(weak.status, 400);
  t.is(weak.body.error, 'password.too_short');
  t.is((await admin('POST', `/users/${user.id}/password`, { password: 'a-much-longer-passphrase-here' })).status, 204);
  t.is((await admin('POST', `/users/${user.id}/password`, { sendLink: true })).status, 204);
  const mail = await s.server.db('mail_outbox').where('to', user.email).orderBy('id', 'desc').first();
  t.regex(mail.text, /\/reset-password\?token=/);
  const events = (await audit(user.id)).slice(-2);
  t.deepEqual(
    events.map((e) => e.action),
    ['user.password_reset', 'user.password_link_sent'],
  );
  t.deepEqual(
    events.map((e) => [e.actor_id, e.ip]),
    [
      [adminId, '127.0.0.1'],
      [adminId, '127.0.0.1'],
    ],
    'who, and from where',
  );
  t.false(JSON.stringify(events).includes('a-much-longer-passphrase-here'), 'the password is never in the audit');
});

test('a changed email is the primary email SCIM shows and filters on; a removed one is gone from there too', async (t) => {
  const user = await s.server.createUser();
  const primary = async () =>
    (
      await s.server
        .db('user_values')
        .where({ user_id: user.id, attribute: 'emails', is_primary: true })
        .select('value')
    ).map((r) => r.value);
  t.is((await admin('PATCH', `/users/${user.id}`, { email: 'Moved.Here@example.com' })).status, 200);
  t.deepEqual(await primary(), ['Moved.Here@example.com']);
  t.is((await admin('PATCH', `/users/${user.id}`, { email: null })).status, 200);
  t.deepEqual(await primary(), []);
  t.is((await admin('PATCH', `/users/${user.id}`, { email: 'back@example.com' })).status, 200);
  t.deepEqual(await primary(), ['back@example.com']);
});

test('emailVerified: stored on create when an administrator vouches, cleared by a change of email, set again on request', async (t) => {
  const vouched = await admin('POST', '/users', { email: 'vouched@example.com', emailVerified: true });
  t.is(vouched.status, 201, JSON.stringify(vouched.body));
  t.true(vouched.body.emailVerified);
  t.true((await admin('GET', `/users/${vouched.body.id}`)).body.user.emailVerified);
  t.deepEqual((await audit(vouched.body.id))[0]?.changes.emailVerified, [null, true]);

  const plain = await admin('POST', '/users', { email: 'plain@example.com' });
  t.false(plain.body.emailVerified, 'unverified unless said');
  const noEmail = await admin('POST', '/users', { email: null, emailVerified: true });
  t.false(noEmail.body.emailVerified, 'no email, nothing verified');

  const id = vouched.body.id;
  t.true((await admin('PATCH', `/users/${id}`, { email: 'VOUCHED@example.com' })).body.emailVerified, 'same email');
  t.false((await admin('PATCH', `/users/${id}`, { email: 'moved@example.com' })).body.emailVerified, 'a new email');
  t.true((await admin('PATCH', `/users/${id}`, { emailVerified: true })).body.emailVerified);
});
