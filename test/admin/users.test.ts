import test from 'ava';
import { startAdminServer, type AdminServer } from '../helpers/admin.js';

let s: AdminServer;
test.before(async () => {
  s = await startAdminServer();
});
test.after.always(() => s?.close());

test('an admin creates, reads, lists and changes a user, with If-Match', async (t) => {
  const { api } = await s.as('admin');
  const created = await api('POST', '/users', { email: 'ada@example.com', givenName: 'Ada', familyName: 'Lovelace', tags: ['math'] });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.regex(created.body.userCode, /^[A-Z0-9]{8}$/);
  t.is(created.body.status, 'new');
  const id = created.body.id;
  const read = await api('GET', `/users/${id}`);
  t.is(read.status, 200);
  t.is(read.body.user.email, 'ada@example.com');
  t.deepEqual(read.body.roles, [{ role: 'individual', accountId: null, accountGroupId: null }]);
  const list = await api('GET', '/users?q=lovelace');
  t.is(list.body.total, 1);
  const patched = await api('PATCH', `/users/${id}`, { jobTitle: 'Analyst' }, { 'if-match': read.headers.get('etag')! });
  t.is(patched.status, 200, JSON.stringify(patched.body));
  const stale = await api('PATCH', `/users/${id}`, { jobTitle: 'Engineer' }, { 'if-match': read.headers.get('etag')! });
  t.is(stale.status, 412);
  t.is(stale.body.error, 'user.version_mismatch');
});
