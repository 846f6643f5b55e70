import test from 'ava';
import { GUEST_ACCOUNT_ID } from '../../src/domain/account.js';
import { adminServerPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import type { Json } from '../helpers/json.js';

const s = adminServerPerFile(test);

const MISSING = '3f1b9e0e-0000-4000-8000-00000000dead';
let n = 0;
const unique = (prefix: string) => `${prefix} ${++n}-${Date.now()}`;
const auditOf = (targetId: string) => auditEvents(s.server, { target_id: targetId }).orderBy('id');

test('accounts: an admin creates, lists, reads, renames and deletes one, each change audited', async (t) => {
  const admin = await s.as('admin');
  const name = unique('Acme');
  const created = await admin.api('POST', '/accounts', { name, kind: 'customer' });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.like(created.body, { name, kind: 'customer', userCount: 0, accountGroupIds: [] });
  t.is(created.headers.get('location'), `${s.base}/accounts/${created.body.id}`);
  const id = created.body.id;

  const list = await admin.api('GET', `/accounts?q=${encodeURIComponent(name.toUpperCase())}`);
  t.is(list.status, 200);
  t.is(list.body.total, 1);
  t.is(list.body.items[0].id, id);
  const customers = await admin.api('GET', '/accounts?kind=guest');
  t.deepEqual(
    customers.body.items.map((a: { id: string }) => a.id),
    [GUEST_ACCOUNT_ID],
  );

  const patched = await admin.api('PATCH', `/accounts/${id}`, { name: `${name} Ltd`, kind: 'provider' });
  t.is(patched.status, 200, JSON.stringify(patched.body));
  t.like(patched.body, { name: `${name} Ltd`, kind: 'provider' });
  t.like((await admin.api('GET', `/accounts/${id}`)).body, { name: `${name} Ltd`, kind: 'provider' });

  t.is((await admin.api('DELETE', `/accounts/${id}`)).status, 204);
  t.is((await admin.api('GET', `/accounts/${id}`)).status, 404);

  const events = await auditOf(id);
  t.deepEqual(
    events.map((e) => e.action),
    ['account.created', 'account.updated', 'account.deleted'],
  );
  t.deepEqual(events[1].changes, { name: [name, `${name} Ltd`], kind: ['customer', 'provider'] });
  t.is(events[1].actor_id, admin.id);
  t.truthy(events[1].ip);
});

test('accounts: names are unique in any letter case (409 account.name_taken)', async (t) => {
  const { api } = await s.as('admin');
  const name = unique('Globex');
  t.is((await api('POST', '/accounts', { name, kind: 'customer' })).status, 201);
  const again = await api('POST', '/accounts', { name: name.toLowerCase(), kind: 'provider' });
  t.is(again.status, 409);
  t.is(again.body.error, 'account.name_taken');
  const other = await api('POST', '/accounts', { name: unique('Initech'), kind: 'customer' });
  const rename = await api('PATCH', `/accounts/${other.body.id}`, { name: name.toUpperCase() });
  t.is(rename.status, 409);
  t.is(rename.body.error, 'account.name_taken');
  // Changing only the letter case of one's own name is fine.
  t.is((await api('PATCH', `/accounts/${other.body.id}`, { name: other.body.name.toUpperCase() })).status, 200);
});

test('accounts: the same new name sent at once: one is created, the others answer 409', async (t) => {
  const { api } = await s.as('admin');
  const name = unique('Race');
  const replies = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      api('POST', '/accounts', { name: i % 2 ? name : name.toUpperCase(), kind: 'customer' }),
    ),
  );
  t.is(replies.filter((r) => r.status === 201).length, 1);
  t.true(
    replies.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.error === 'account.name_taken'),
    JSON.stringify(replies.map((r) => r.body)),
  );
});

test('accounts: the Guest account is built in: not created, not deleted, kind fixed', async (t) => {
  const { api } = await s.as('admin');
  const guest = await api('POST', '/accounts', { name: unique('Another guest'), kind: 'guest' });
  t.is(guest.status, 400);
  t.is(guest.body.error, 'request.invalid_body');
  const del = await api('DELETE', `/accounts/${GUEST_ACCOUNT_ID}?force=true`);
  t.is(del.status, 409);
  t.is(del.body.error, 'account.guest_undeletable');
  const kind = await api('PATCH', `/accounts/${GUEST_ACCOUNT_ID}`, { kind: 'customer' });
  t.is(kind.status, 409);
  t.is(kind.body.error, 'account.guest_kind_fixed');
  t.like((await api('GET', `/accounts/${GUEST_ACCOUNT_ID}`)).body, { kind: 'guest' });
});

test('accounts: one that employs users is deleted only with ?force=true; its users move to Guest', async (t) => {
  const { api } = await s.as('admin');
  const account = (await api('POST', '/accounts', { name: unique('Umbrella'), kind: 'customer' })).body;
  const other = (await api('POST', '/accounts', { name: unique('Hooli'), kind: 'customer' })).body;
  const mainHere = await s.server.createUser();
  const alsoHere = await s.server.createUser();
  t.is(
    (await api('PUT', `/users/${mainHere.id}/employments`, { employments: [{ accountId: account.id }] })).status,
    200,
  );
  t.is(
    (
      await api('PUT', `/users/${alsoHere.id}/employments`, {
        employments: [{ accountId: other.id, isMain: true }, { accountId: account.id }],
      })
    ).status,
    200,
  );
  t.is((await api('GET', `/accounts/${account.id}`)).body.userCount, 2);

  const refused = await api('DELETE', `/accounts/${account.id}`);
  t.is(refused.status, 409);
  t.is(refused.body.error, 'account.in_use');
  t.like(refused.body.details, { users: 2 });

  t.is((await api('DELETE', `/accounts/${account.id}?force=true`)).status, 204);
  const moved = (await api('GET', `/users/${mainHere.id}`)).body;
  t.is(moved.user.mainAccountId, GUEST_ACCOUNT_ID);
  t.deepEqual(
    moved.employments.map((e: { accountId: string; isMain: boolean }) => [e.accountId, e.isMain]),
    [[GUEST_ACCOUNT_ID, true]],
  );
  const stays = (await api('GET', `/users/${alsoHere.id}`)).body;
  t.is(stays.user.mainAccountId, other.id);
  t.deepEqual(
    stays.employments.map((e: { accountId: string }) => e.accountId),
    [other.id],
  );
  const [deleted] = await auditEvents(s.server, { target_id: account.id, action: 'account.deleted' });
  t.like(deleted.details, { force: true, movedToGuest: 1, employmentsRemoved: 2 });
});

test('accounts: refusals: 403 below the permission, 404 unknown, 400 bad input', async (t) => {
  const [individual, manager, hr, admin] = await Promise.all([
    s.as('individual'),
    s.as('manager'),
    s.as('hr'),
    s.as('admin'),
  ]);
  const read = await individual.api('GET', '/accounts');
  t.is(read.status, 403);
  t.is(read.body.error, 'admin_api.forbidden');
  t.is((await manager.api('GET', '/accounts')).status, 200, 'managers read the directory');
  t.is((await manager.api('GET', `/accounts/${GUEST_ACCOUNT_ID}`)).status, 200);
  for (const caller of [manager, hr]) {
    const write = await caller.api('POST', '/accounts', { name: unique('Nope'), kind: 'customer' });
    t.is(write.status, 403);
    t.is(write.body.error, 'admin_api.forbidden');
  }
  for (const id of [MISSING, 'not-a-uuid']) {
    const missing = await admin.api('GET', `/accounts/${id}`);
    t.is(missing.status, 404);
    t.is(missing.body.error, 'account.not_found');
    t.is((await admin.api('PATCH', `/accounts/${id}`, { name: unique('X') })).status, 404);
    t.is((await admin.api('DELETE', `/accounts/${id}`)).status, 404);
  }
  for (const body of [{}, { name: '', kind: 'customer' }, { name: 'x', kind: 'customer', extra: 1 }, { name: 'y' }]) {
    const bad = await admin.api('POST', '/accounts', body);
    t.is(bad.status, 400, JSON.stringify(body));
    t.is(bad.body.error, 'request.invalid_body');
  }
  const emptyPatch = await admin.api('PATCH', `/accounts/${GUEST_ACCOUNT_ID}`, {});
  t.is(emptyPatch.status, 400);
  t.is(emptyPatch.body.error, 'request.invalid_body');
  const badQuery = await admin.api('GET', '/accounts?limit=0');
  t.is(badQuery.status, 400);
  t.is(badQuery.body.error, 'request.invalid_query');
});

test('account groups: created with members, changed, read; unknown members refused; deleted while managed only with force', async (t) => {
  const { api } = await s.as('admin');
  const a = (await api('POST', '/accounts', { name: unique('North'), kind: 'customer' })).body;
  const b = (await api('POST', '/accounts', { name: unique('South'), kind: 'customer' })).body;
  const name = unique('Region');
  const created = await api('POST', '/account-groups', { name, accountIds: [a.id] });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.deepEqual(created.body.accountIds, [a.id]);
  const id = created.body.id;
  t.deepEqual((await api('GET', `/accounts/${a.id}`)).body.accountGroupIds, [id]);

  const taken = await api('POST', '/account-groups', { name: name.toUpperCase() });
  t.is(taken.status, 409);
  t.is(taken.body.error, 'account_group.name_taken');
  const unknown = await api('PATCH', `/account-groups/${id}`, { accountIds: [a.id, MISSING] });
  t.is(unknown.status, 404);
  t.is(unknown.body.error, 'account.not_found');

  const patched = await api('PATCH', `/account-groups/${id}`, { name: `${name} West`, accountIds: [b.id, a.id] });
  t.is(patched.status, 200);
  t.is(patched.body.name, `${name} West`);
  t.deepEqual([...patched.body.accountIds].sort(), [a.id, b.id].sort());
  const listed = await api('GET', `/account-groups?q=${encodeURIComponent(`${name} west`)}`);
  t.is(listed.body.total, 1);
  t.deepEqual(listed.body.items[0], patched.body);
  const [, updated] = await auditOf(id);
  t.deepEqual(updated.changes, { name: [name, `${name} West`], accountIds: [[a.id], [a.id, b.id].sort()] });

  const manager = await s.server.createUser({ role: 'manager' });
  t.is((await api('PUT', `/users/${manager.id}/managed-accounts`, { accountGroupIds: [id] })).status, 200);
  const inUse = await api('DELETE', `/account-groups/${id}`);
  t.is(inUse.status, 409);
  t.is(inUse.body.error, 'account_group.in_use');
  t.is((await api('DELETE', `/account-groups/${id}?force=true`)).status, 204);
  t.is((await api('GET', `/account-groups/${id}`)).status, 404);
  t.deepEqual((await api('GET', `/users/${manager.id}`)).body.roles, [
    { role: 'manager', accountId: null, accountGroupId: null },
  ]);
  t.is((await api('GET', `/accounts/${a.id}`)).status, 200, 'the accounts stay');
});

test('account groups: permissions and 404', async (t) => {
  const [manager, hr, admin] = await Promise.all([s.as('manager'), s.as('hr'), s.as('admin')]);
  t.is((await manager.api('GET', '/account-groups')).status, 200);
  t.is((await hr.api('POST', '/account-groups', { name: unique('G') })).status, 403);
  const missing = await admin.api('GET', `/account-groups/${MISSING}`);
  t.is(missing.status, 404);
  t.is(missing.body.error, 'account_group.not_found');
  t.is((await admin.api('DELETE', `/account-groups/${MISSING}`)).status, 404);
});

test('groups: the SCIM groups; created, renamed, listed, read with members, deleted', async (t) => {
  const { api } = await s.as('admin');
  const displayName = unique('Engineering');
  const created = await api('POST', '/groups', { displayName, externalId: 'ext-eng' });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.like(created.body, { displayName, externalId: 'ext-eng', version: 1 });
  const id = created.body.id;
  const scim = await s.server.container.scim.groups.get(id);
  t.is(scim.displayName, displayName, 'SCIM sees the same group');

  const taken = await api('POST', '/groups', { displayName: displayName.toLowerCase() });
  t.is(taken.status, 409);
  t.is(taken.body.error, 'group.name_taken');

  const user = await s.server.createUser({ givenName: 'Grace', familyName: 'Hopper' });
  t.is((await api('PUT', `/users/${user.id}/groups`, { groupIds: [id] })).status, 200);
  const read = await api('GET', `/groups/${id}`);
  t.is(read.status, 200);
  t.deepEqual(read.body.members, [{ id: user.id, display: 'Grace Hopper' }]);
  t.is(read.body.version, 2, 'a membership change is a new version of the group');

  const patched = await api('PATCH', `/groups/${id}`, { displayName: `${displayName} Team`, externalId: null });
  t.is(patched.status, 200);
  t.like(patched.body, { displayName: `${displayName} Team`, externalId: null, version: 3 });
  const list = await api('GET', `/groups?q=${encodeURIComponent(`${displayName} team`)}`);
  t.is(list.body.total, 1);
  t.is(list.body.items[0].id, id);

  t.is((await api('DELETE', `/groups/${id}`)).status, 204);
  const gone = await api('GET', `/groups/${id}`);
  t.is(gone.status, 404);
  t.is(gone.body.error, 'group.not_found');
  t.deepEqual((await api('GET', `/users/${user.id}`)).body.groups, []);
  t.deepEqual(
    (await auditOf(id)).map((e) => e.action),
    ['group.created', 'group.updated', 'group.deleted'],
  );
});

test('groups: a manager reads groups but sees only the members they reach; writes need an admin', async (t) => {
  const admin = await s.as('admin');
  const manager = await s.as('manager');
  const account = (await admin.api('POST', '/accounts', { name: unique('Managed'), kind: 'customer' })).body;
  const group = (await admin.api('POST', '/groups', { displayName: unique('Mixed') })).body;
  const inside = await s.server.createUser();
  const outside = await s.server.createUser();
  await admin.api('PUT', `/users/${inside.id}/employments`, { employments: [{ accountId: account.id }] });
  for (const u of [inside, outside])
    t.is((await admin.api('PUT', `/users/${u.id}/groups`, { groupIds: [group.id] })).status, 200);
  await admin.api('PUT', `/users/${manager.id}/managed-accounts`, { accountIds: [account.id] });

  t.deepEqual(
    (await admin.api('GET', `/groups/${group.id}`)).body.members.map((m: { id: string }) => m.id).sort(),
    [inside.id, outside.id].sort(),
  );
  const seen = await manager.api('GET', `/groups/${group.id}`);
  t.is(seen.status, 200);
  t.deepEqual(
    seen.body.members.map((m: { id: string }) => m.id),
    [inside.id],
  );
  t.is((await manager.api('GET', '/groups')).status, 200);
  const write = await manager.api('PATCH', `/groups/${group.id}`, { displayName: unique('Mine') });
  t.is(write.status, 403);
  t.is(write.body.error, 'admin_api.forbidden');
  const bad = await admin.api('POST', '/groups', { displayName: '   ' });
  t.is(bad.status, 400);
  t.is(bad.body.error, 'request.invalid_body');
});

test('the OpenAPI document describes the directory routes and their answers', async (t) => {
  const res = await fetch(`${s.base}/openapi.json`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, Json>> };
  for (const [path, methods] of Object.entries({
    '/accounts': ['get', 'post'],
    '/accounts/{id}': ['get', 'patch', 'delete'],
    '/account-groups': ['get', 'post'],
    '/account-groups/{id}': ['get', 'patch', 'delete'],
    '/groups': ['get', 'post'],
    '/groups/{id}': ['get', 'patch', 'delete'],
  })) {
    for (const m of methods) t.truthy(doc.paths[path]?.[m], `${m} ${path}`);
  }
  t.truthy(doc.paths['/accounts']!.post.responses['201'].content['application/json'].schema.properties.userCount);
  t.deepEqual(doc.paths['/accounts']!.post.requestBody.content['application/json'].schema.properties.kind.enum, [
    'provider',
    'customer',
  ]);
  t.true(doc.paths['/accounts/{id}']!.delete.parameters.some((p: { name: string }) => p.name === 'force'));
});
