import test from 'ava';
import { GUEST_ACCOUNT_ID } from '../../src/domain/account.js';
import { adminServerPerFile, type AdminFetch } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { SCIM, scimClient, scimToken } from '../helpers/scim.js';
import type { Json } from '../helpers/json.js';

const s = adminServerPerFile(test);

const MISSING = '3f1b9e0e-0000-4000-8000-00000000dead';
let n = 0;
const unique = (prefix: string) => `${prefix} ${++n}-${Date.now()}`;
const lastAudit = async (targetId: string, action: string) =>
  (await auditEvents(s.server, { target_id: targetId, action }).orderBy('id', 'desc'))[0];
const ids = (list: { id: string }[]) => list.map((u) => u.id).sort();

async function account(api: AdminFetch, kind = 'customer') {
  const made = await api('POST', '/accounts', { name: unique('Account'), kind });
  if (made.status !== 201) throw new Error(JSON.stringify(made.body));
  return made.body.id as string;
}

// Serial tests run first: here the one super admin is still the only one.
test.serial('the last super admin cannot give the role up; once there is another, they can', async (t) => {
  const root = await s.as('super_admin');
  const alone = await root.api('PUT', `/users/${root.id}/roles`, { mainRole: 'admin' });
  t.is(alone.status, 409);
  t.is(alone.body.error, 'user.last_super_admin');
  // Deactivating or deleting oneself is refused before the last-super-admin rule is reached.
  for (const [method, path, body, error] of [
    ['POST', '/users/bulk', { ids: [root.id], set: { mainRole: 'admin' } }, 'user.last_super_admin'],
    ['POST', '/users/bulk', { ids: [root.id], set: { status: 'inactive' } }, 'user.self_change'],
    ['POST', `/users/${root.id}/status`, { status: 'inactive' }, 'user.self_change'],
    ['DELETE', `/users/${root.id}`, undefined, 'user.self_change'],
  ] as const) {
    const res = await root.api(method, path, body);
    t.is(res.status, 409, `${method} ${path}`);
    t.is(res.body.error, error, `${method} ${path}`);
  }
  const csvImport = await root.api('POST', '/imports?key=email&mode=update', `email,status\n${root.email},inactive\n`, {
    'content-type': 'text/csv',
  });
  t.like(csvImport.body, { updated: 0, failed: 1 }, 'nor by a CSV import: their own row is refused');
  const rowErrors = await root.api('GET', `/imports/${csvImport.body.id}/errors.csv`);
  t.regex(rowErrors.body, /self_change/);
  const hr = scimClient(s.server, await scimToken(s.server));
  const scimOff = await hr.request('PATCH', `/Users/${root.id}`, {
    schemas: [SCIM.patchOp],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });
  t.is(scimOff.status, 409, 'nor by an HR system over SCIM');
  t.is(scimOff.body.schemas[0], SCIM.error);
  const kept = (await root.api('GET', `/users/${root.id}`)).body;
  t.is(kept.user.status, 'active', 'nothing was written');
  t.is(kept.user.mainRole, 'super_admin');
  const other = await s.server.createUser({ role: 'admin' });
  t.is((await root.api('PUT', `/users/${other.id}/roles`, { mainRole: 'super_admin' })).status, 200);
  const stepDown = await root.api('PUT', `/users/${root.id}/roles`, { mainRole: 'admin' });
  t.is(stepDown.status, 200, JSON.stringify(stepDown.body));
  t.deepEqual(stepDown.body, {
    mainRole: 'admin',
    assignments: [{ role: 'admin', accountId: null, accountGroupId: null }],
  });
});

test('PUT roles replaces every assignment; the main role stays unscoped; audited with old and new', async (t) => {
  const admin = await s.as('admin');
  const acc = await account(admin.api);
  const group = (await admin.api('POST', '/account-groups', { name: unique('AG') })).body.id;
  const user = await s.server.createUser();
  const put = await admin.api('PUT', `/users/${user.id}/roles`, {
    mainRole: 'hr',
    assignments: [
      { role: 'manager', accountId: acc },
      { role: 'manager', accountGroupId: group },
      { role: 'manager', accountId: acc },
      { role: 'hr' },
    ],
  });
  t.is(put.status, 200, JSON.stringify(put.body));
  t.is(put.body.mainRole, 'hr');
  t.deepEqual(
    put.body.assignments.map((a: Json) => `${a.role}|${a.accountId ?? ''}|${a.accountGroupId ?? ''}`).sort(),
    ['hr||', `manager|${acc}|`, `manager||${group}`].sort(),
  );
  const read = (await admin.api('GET', `/users/${user.id}`)).body;
  t.is(read.user.mainRole, 'hr');
  t.is(read.roles.length, 3);

  const event = await lastAudit(user.id, 'user.roles_changed');
  t.deepEqual(event.changes.mainRole, ['individual', 'hr']);
  t.deepEqual(event.changes.roles[0], [{ role: 'individual', accountId: null, accountGroupId: null }]);
  t.is(event.changes.roles[1].length, 3);
  t.is(event.actor_id, admin.id);

  const narrower = await admin.api('PUT', `/users/${user.id}/roles`, {
    mainRole: 'hr',
    assignments: [
      { role: 'admin', accountId: acc },
      { role: 'manager', accountId: acc },
    ],
  });
  const key = (a: Json) => `${a.role}|${a.accountId ?? ''}|${a.accountGroupId ?? ''}`;
  t.deepEqual(
    narrower.body.assignments.slice(0, 2).map(key).sort(),
    ['hr||', `manager|${acc}|`],
    'the assignments kept come first: they keep their creation time',
  );
  t.deepEqual(narrower.body.assignments[2], { role: 'admin', accountId: acc, accountGroupId: null });
  t.deepEqual(
    (await lastAudit(user.id, 'user.roles_changed')).changes.mainRole,
    undefined,
    'the main role did not change',
  );

  const back = await admin.api('PUT', `/users/${user.id}/roles`, { mainRole: 'individual', assignments: [] });
  t.deepEqual(back.body, {
    mainRole: 'individual',
    assignments: [{ role: 'individual', accountId: null, accountGroupId: null }],
  });
  const before = (await auditEvents(s.server, { target_id: user.id })).length;
  t.is((await admin.api('PUT', `/users/${user.id}/roles`, { mainRole: 'individual' })).status, 200);
  t.is((await auditEvents(s.server, { target_id: user.id })).length, before, 'no change, no audit event');
});

test('an admin cannot grant super_admin (403) nor change a super admin; a super admin can', async (t) => {
  const [admin, superAdmin] = await Promise.all([s.as('admin'), s.as('super_admin')]);
  const user = await s.server.createUser();
  for (const body of [{ mainRole: 'super_admin' }, { mainRole: 'admin', assignments: [{ role: 'super_admin' }] }]) {
    const refused = await admin.api('PUT', `/users/${user.id}/roles`, body);
    t.is(refused.status, 403);
    t.is(refused.body.error, 'admin_api.forbidden_role');
  }
  const granted = await superAdmin.api('PUT', `/users/${user.id}/roles`, { mainRole: 'super_admin' });
  t.is(granted.status, 200);
  t.is(granted.body.mainRole, 'super_admin');
  const above = await admin.api('PUT', `/users/${user.id}/roles`, { mainRole: 'individual' });
  t.is(above.status, 403);
  t.is(above.body.error, 'admin_api.forbidden_target');
  const otherAdmin = await s.server.createUser({ role: 'admin' });
  t.is(
    (await admin.api('PUT', `/users/${otherAdmin.id}/roles`, { mainRole: 'hr' })).status,
    200,
    'an admin may change an admin (their own rank)',
  );
});

test('PUT roles: refusals', async (t) => {
  const [hr, admin] = await Promise.all([s.as('hr'), s.as('admin')]);
  const user = await s.server.createUser();
  const byHr = await hr.api('PUT', `/users/${user.id}/roles`, { mainRole: 'manager' });
  t.is(byHr.status, 403);
  t.is(byHr.body.error, 'admin_api.forbidden');
  const nobody = await admin.api('PUT', `/users/${MISSING}/roles`, { mainRole: 'manager' });
  t.is(nobody.status, 404);
  t.is(nobody.body.error, 'user.not_found');
  const noAccount = await admin.api('PUT', `/users/${user.id}/roles`, {
    mainRole: 'individual',
    assignments: [{ role: 'manager', accountId: MISSING }],
  });
  t.is(noAccount.status, 404);
  t.is(noAccount.body.error, 'account.not_found');
  const noGroup = await admin.api('PUT', `/users/${user.id}/roles`, {
    mainRole: 'individual',
    assignments: [{ role: 'manager', accountGroupId: MISSING }],
  });
  t.is(noGroup.status, 404);
  t.is(noGroup.body.error, 'account_group.not_found');
  for (const body of [
    {},
    { mainRole: 'boss' },
    { mainRole: 'manager', assignments: [{ role: 'manager', accountId: MISSING, accountGroupId: MISSING }] },
    { mainRole: 'manager', assignments: [{ role: 'manager', accountId: 'x' }] },
  ]) {
    const bad = await admin.api('PUT', `/users/${user.id}/roles`, body);
    t.is(bad.status, 400, JSON.stringify(body));
    t.is(bad.body.error, 'request.invalid_body');
  }
  t.deepEqual(
    (await admin.api('GET', `/users/${user.id}`)).body.roles,
    [{ role: 'individual', accountId: null, accountGroupId: null }],
    'nothing changed',
  );
});

test('PUT employments: exactly one main, kept in step with mainAccountId; audited', async (t) => {
  const [hr, admin] = await Promise.all([s.as('hr'), s.as('admin')]);
  const a = await account(admin.api);
  const b = await account(admin.api);
  const user = await s.server.createUser();
  const put = await hr.api('PUT', `/users/${user.id}/employments`, {
    employments: [
      { accountId: a, startDate: '2024-01-01' },
      { accountId: b, isMain: true, startDate: '2023-05-01', endDate: '2030-12-31' },
    ],
  });
  t.is(put.status, 200, JSON.stringify(put.body));
  t.like(put.body.employments[0], { accountId: b, isMain: true, startDate: '2023-05-01', endDate: '2030-12-31' });
  t.like(put.body.employments[1], { accountId: a, isMain: false, startDate: '2024-01-01', endDate: null });
  t.is((await admin.api('GET', `/users/${user.id}`)).body.user.mainAccountId, b);
  const event = await lastAudit(user.id, 'user.employments_changed');
  t.deepEqual(event.changes.mainAccountId, [GUEST_ACCOUNT_ID, b]);
  t.is(event.changes.employments[0].length, 1);
  t.is(event.changes.employments[1].length, 2);

  const single = await hr.api('PUT', `/users/${user.id}/employments`, { employments: [{ accountId: a }] });
  t.is(single.status, 200);
  t.deepEqual(
    single.body.employments.map((e: Json) => [e.accountId, e.isMain, e.startDate]),
    [[a, true, null]],
  );
  t.is((await admin.api('GET', `/users/${user.id}`)).body.user.mainAccountId, a);

  for (const employments of [
    [],
    [{ accountId: a }, { accountId: b }],
    [
      { accountId: a, isMain: true },
      { accountId: b, isMain: true },
    ],
    [{ accountId: a, isMain: true }, { accountId: a }],
    [{ accountId: a, startDate: '2025-02-01', endDate: '2025-01-01' }],
    [{ accountId: a, isMain: false }],
  ]) {
    const bad = await hr.api('PUT', `/users/${user.id}/employments`, { employments });
    t.is(bad.status, 400, JSON.stringify(employments));
    t.is(bad.body.error, 'request.invalid_body');
  }
  const unknown = await hr.api('PUT', `/users/${user.id}/employments`, { employments: [{ accountId: MISSING }] });
  t.is(unknown.status, 404);
  t.is(unknown.body.error, 'account.not_found');
  const manager = await s.as('manager');
  t.is((await manager.api('PUT', `/users/${user.id}/employments`, { employments: [{ accountId: a }] })).status, 403);
});

test('a manager made manager of an account sees exactly its users, with the token they already hold', async (t) => {
  const admin = await s.as('admin');
  const manager = await s.as('manager');
  const a = await account(admin.api);
  const b = await account(admin.api);
  const [u1, u2, u3, u4] = await Promise.all([
    s.server.createUser(),
    s.server.createUser(),
    s.server.createUser(),
    s.server.createUser(),
  ]);
  for (const u of [u1, u2]) await admin.api('PUT', `/users/${u.id}/employments`, { employments: [{ accountId: a }] });
  await admin.api('PUT', `/users/${u3.id}/employments`, { employments: [{ accountId: b }] });

  const before = await manager.api('GET', '/users');
  t.is(before.status, 200);
  t.is(before.body.total, 0, 'a manager of nothing sees nobody');

  const put = await admin.api('PUT', `/users/${manager.id}/managed-accounts`, { accountIds: [a] });
  t.is(put.status, 200, JSON.stringify(put.body));
  t.deepEqual(put.body, { accountIds: [a], accountGroupIds: [] });
  const event = await lastAudit(manager.id, 'user.managed_accounts_changed');
  t.deepEqual(event.changes, { accountIds: [[], [a]] });

  const same = await manager.api('GET', '/users');
  t.deepEqual(ids(same.body.items), ids([u1, u2]), 'powers are read per request: the same token already sees them');
  const fresh = s.client(await s.tokenOf(manager));
  t.deepEqual(ids((await fresh('GET', '/users')).body.items), ids([u1, u2]));
  t.is((await fresh('GET', `/users/${u3.id}`)).status, 404);
  t.is((await fresh('GET', `/users/${u1.id}`)).status, 200);

  // Through an account group instead: its accounts' users.
  const region = (await admin.api('POST', '/account-groups', { name: unique('Region'), accountIds: [b] })).body.id;
  await admin.api('PUT', `/users/${u4.id}/employments`, { employments: [{ accountId: b }] });
  const moved = await admin.api('PUT', `/users/${manager.id}/managed-accounts`, { accountGroupIds: [region] });
  t.deepEqual(moved.body, { accountIds: [], accountGroupIds: [region] });
  t.deepEqual(ids((await manager.api('GET', '/users')).body.items), ids([u3, u4]));
  t.deepEqual(
    (await admin.api('GET', `/users/${manager.id}`)).body.roles
      .map((r: Json) => [r.role, r.accountId, r.accountGroupId])
      .sort(),
    [
      ['manager', null, null],
      ['manager', null, region],
    ].sort(),
  );

  const none = await admin.api('PUT', `/users/${manager.id}/managed-accounts`, { accountIds: [], accountGroupIds: [] });
  t.deepEqual(none.body, { accountIds: [], accountGroupIds: [] });
  t.is((await manager.api('GET', '/users')).body.total, 0);
});

test('PUT managed-accounts: refusals', async (t) => {
  const [hr, admin] = await Promise.all([s.as('hr'), s.as('admin')]);
  const user = await s.server.createUser({ role: 'manager' });
  t.is((await hr.api('PUT', `/users/${user.id}/managed-accounts`, { accountIds: [] })).status, 403);
  const unknown = await admin.api('PUT', `/users/${user.id}/managed-accounts`, { accountIds: [MISSING] });
  t.is(unknown.status, 404);
  t.is(unknown.body.error, 'account.not_found');
  const bad = await admin.api('PUT', `/users/${user.id}/managed-accounts`, { accountIds: 'all' });
  t.is(bad.status, 400);
  t.is(bad.body.error, 'request.invalid_body');
  const superAdmin = await s.server.createUser({ role: 'super_admin' });
  const above = await admin.api('PUT', `/users/${superAdmin.id}/managed-accounts`, { accountIds: [] });
  t.is(above.status, 403);
  t.is(above.body.error, 'admin_api.forbidden_target');
});

test('PUT groups replaces memberships; each group changed gets a new version; audited', async (t) => {
  const [hr, admin] = await Promise.all([s.as('hr'), s.as('admin')]);
  const g1 = (await admin.api('POST', '/groups', { displayName: unique('Alpha') })).body;
  const g2 = (await admin.api('POST', '/groups', { displayName: unique('Beta') })).body;
  const user = await s.server.createUser();
  const put = await hr.api('PUT', `/users/${user.id}/groups`, { groupIds: [g1.id, g2.id, g1.id] });
  t.is(put.status, 200, JSON.stringify(put.body));
  t.deepEqual(ids(put.body.groups), ids([g1, g2]));
  const second = await hr.api('PUT', `/users/${user.id}/groups`, { groupIds: [g2.id] });
  t.deepEqual(second.body.groups, [{ id: g2.id, displayName: g2.displayName }]);
  t.is((await admin.api('GET', `/groups/${g1.id}`)).body.version, 3);
  t.is((await admin.api('GET', `/groups/${g2.id}`)).body.version, 2);
  t.deepEqual((await admin.api('GET', `/groups/${g1.id}`)).body.members, []);
  const event = await lastAudit(user.id, 'user.groups_changed');
  t.deepEqual(event.changes, { groups: [ids([g1, g2]), [g2.id]] });

  const unknown = await hr.api('PUT', `/users/${user.id}/groups`, { groupIds: [MISSING] });
  t.is(unknown.status, 404);
  t.is(unknown.body.error, 'group.not_found');
  const bad = await hr.api('PUT', `/users/${user.id}/groups`, { groups: [] });
  t.is(bad.status, 400);
  t.is(bad.body.error, 'request.invalid_body');
  const manager = await s.as('manager');
  t.is((await manager.api('PUT', `/users/${user.id}/groups`, { groupIds: [] })).status, 403);
  t.is((await hr.api('PUT', `/users/${MISSING}/groups`, { groupIds: [] })).status, 404);
  const admins = await s.server.createUser({ role: 'admin' });
  const above = await hr.api('PUT', `/users/${admins.id}/groups`, { groupIds: [g1.id] });
  t.is(above.status, 403);
  t.is(above.body.error, 'admin_api.forbidden_target');
});

test('PATCH groups adds and removes one membership at a time: concurrent changes all stay', async (t) => {
  const [hr, admin] = await Promise.all([s.as('hr'), s.as('admin')]);
  const groups = await Promise.all(
    [1, 2, 3, 4, 5, 6].map(async () => (await admin.api('POST', '/groups', { displayName: unique('Many') })).body),
  );
  const user = await s.server.createUser();
  // Six administrators add a group each at the same moment: a read-modify-write would lose some.
  const added = await Promise.all(groups.map((g) => hr.api('PATCH', `/users/${user.id}/groups`, { add: [g.id] })));
  t.deepEqual(
    added.map((r) => r.status),
    [200, 200, 200, 200, 200, 200],
  );
  t.deepEqual(ids((await admin.api('GET', `/users/${user.id}`)).body.groups), ids(groups));
  const removed = await hr.api('PATCH', `/users/${user.id}/groups`, { remove: [groups[0].id, groups[1].id] });
  t.deepEqual(ids(removed.body.groups), ids(groups.slice(2)));
  t.deepEqual((await lastAudit(user.id, 'user.groups_changed')).changes.groups[1], ids(groups.slice(2)));

  for (const body of [{}, { add: [] }, { add: ['nope'] }, { groupIds: [] }]) {
    const bad = await hr.api('PATCH', `/users/${user.id}/groups`, body);
    t.is(bad.status, 400, JSON.stringify(body));
    t.is(bad.body.error, 'request.invalid_body');
  }
  t.is((await hr.api('PATCH', `/users/${user.id}/groups`, { add: [MISSING] })).body.error, 'group.not_found');
  t.is((await (await s.as('manager')).api('PATCH', `/users/${user.id}/groups`, { add: [groups[0].id] })).status, 403);
});

test('PATCH employments adds and removes accounts; the main one moves on; the last one stays', async (t) => {
  const [hr, admin] = await Promise.all([s.as('hr'), s.as('admin')]);
  const [a, b, c] = await Promise.all([account(admin.api), account(admin.api), account(admin.api)]);
  const user = await s.server.createUser();
  await Promise.all([a, b, c].map((id) => hr.api('PATCH', `/users/${user.id}/employments`, { add: [id] })));
  const all = (await admin.api('GET', `/users/${user.id}`)).body;
  t.deepEqual(all.employments.map((e: Json) => e.accountId).sort(), [GUEST_ACCOUNT_ID, a, b, c].sort());
  t.is(all.user.mainAccountId, GUEST_ACCOUNT_ID, 'an added employment is not the main one');

  const moved = await hr.api('PATCH', `/users/${user.id}/employments`, { remove: [GUEST_ACCOUNT_ID, a, b] });
  t.is(moved.status, 200, JSON.stringify(moved.body));
  t.deepEqual(
    moved.body.employments.map((e: Json) => [e.accountId, e.isMain]),
    [[c, true]],
  );
  t.is((await admin.api('GET', `/users/${user.id}`)).body.user.mainAccountId, c);

  const last = await hr.api('PATCH', `/users/${user.id}/employments`, { remove: [c] });
  t.is(last.status, 400);
  t.is(last.body.error, 'employment.last');
  t.is((await hr.api('PATCH', `/users/${user.id}/employments`, { add: [MISSING] })).body.error, 'account.not_found');
});

test('the SCIM view of a user follows: roles, groups and a new version', async (t) => {
  const admin = await s.as('admin');
  const group = (await admin.api('POST', '/groups', { displayName: unique('Scim') })).body;
  const user = await s.server.createUser();
  const v1 = (await admin.api('GET', `/users/${user.id}`)).body.user.version;
  await admin.api('PUT', `/users/${user.id}/groups`, { groupIds: [group.id] });
  await admin.api('PUT', `/users/${user.id}/roles`, { mainRole: 'manager' });
  const after = (await admin.api('GET', `/users/${user.id}`)).body;
  t.is(after.user.version, v1 + 2);
  const scim = await s.server.container.scim.users.get(user.id);
  t.deepEqual(
    (scim.groups as { value: string }[]).map((g) => g.value),
    [group.id],
  );
  t.deepEqual(
    (scim.roles as { value: string }[]).map((r) => r.value),
    ['manager'],
  );
});
