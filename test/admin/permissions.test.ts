import test from 'ava';
import type { Role } from '../../src/domain/user.js';
import { adminServerPerFile, type AdminFetch } from '../helpers/admin.js';

/**
 * SPEC "Who may do what", row by row, over HTTP: every role signs in through the
 * real pages (openid-client) and calls the admin API with its own access token.
 */

const ROLES: Role[] = ['individual', 'manager', 'hr', 'admin', 'super_admin'];
const s = adminServerPerFile(test);
const api = {} as Record<Role, AdminFetch>;
let accountA: string;
let accountB: string;
let managerId: string;

test.before(async () => {
  const db = s.server.db;
  [accountA, accountB] = (
    await db('accounts')
      .insert([
        { name: 'Acme', kind: 'customer' },
        { name: 'Globex', kind: 'customer' },
      ])
      .returning('id')
  ).map((r) => r.id);
  for (const role of ROLES) api[role] = (await s.as(role)).api;
  // The manager manages account A (a manager assignment scoped to it).
  const manager = await db('users').select('id').where('main_role', 'manager').first();
  managerId = manager.id;
  await db('role_assignments').insert({ user_id: manager.id, role: 'manager', account_id: accountA });
});

/** A fresh user of this role, employed by account A (or B). */
async function employee(role: Role = 'individual', account: 'A' | 'B' = 'A') {
  const user = await s.server.createUser({ role });
  await s.server.repos.users.setMainAccount(user.id, account === 'A' ? accountA : accountB, s.server.db);
  return user;
}

const allowedFor = (lowest: Role) => ROLES.slice(ROLES.indexOf(lowest));

// Row 1: own profile (own password and MFA are the /account pages, tested with sign-in).
for (const role of ROLES) {
  test(`row 1: ${role} edits their own profile`, async (t) => {
    const res = await api[role]('PATCH', '/me', { givenName: `Own-${role}`, timezone: 'Europe/Paris' });
    t.is(res.status, 200, JSON.stringify(res.body));
    t.is((await api[role]('GET', '/me')).body.givenName, `Own-${role}`);
  });
}

// Row 2: view/edit users employed by accounts they manage.
test('row 2: an individual may not view or edit other users', async (t) => {
  const other = await employee();
  t.is((await api.individual('GET', '/users')).status, 403);
  t.is((await api.individual('GET', `/users/${other.id}`)).status, 403);
  const res = await api.individual('PATCH', `/users/${other.id}`, { jobTitle: 'x' });
  t.is(res.status, 403);
  t.is(res.body.error, 'admin_api.forbidden');
});

// Serial (ava runs serial tests before the others): no other test adds a user to account A between the list and the count.
test.serial('row 2: a manager views and edits the users of the accounts they manage, and no one else', async (t) => {
  const mine = await employee('individual', 'A');
  const theirs = await employee('individual', 'B');
  t.is((await api.manager('GET', `/users/${mine.id}`)).status, 200);
  t.is((await api.manager('PATCH', `/users/${mine.id}`, { jobTitle: 'Trainer' })).status, 200);
  const takeover = await api.manager('PATCH', `/users/${mine.id}`, { email: `new-${Math.random()}@example.com` });
  t.is(
    takeover.status,
    403,
    'a manager does not change the sign-in identifiers ("forgot password" would hand them the account)',
  );
  t.is((await api.manager('PATCH', `/users/${mine.id}`, { userCode: `U-${Math.random()}` })).status, 403);
  const outOfReach = await api.manager('PATCH', `/users/${mine.id}`, { directManagerId: theirs.id });
  const missing = await api.manager('PATCH', `/users/${mine.id}`, {
    directManagerId: '00000000-0000-4000-8000-00000000beef',
  });
  t.deepEqual(
    [outOfReach.status, outOfReach.body.error],
    [missing.status, missing.body.error],
    'a user out of reach is as unknown as a missing one',
  );
  t.is(missing.status, 400);
  t.is(
    (await api.manager('PATCH', `/users/${mine.id}`, { directManagerId: managerId })).status,
    200,
    'a manager names themself',
  );
  const hidden = await api.manager('GET', `/users/${theirs.id}`);
  t.is(hidden.status, 404, 'users out of reach are as if missing');
  t.is(hidden.body.error, 'user.not_found');
  t.is((await api.manager('PATCH', `/users/${theirs.id}`, { jobTitle: 'x' })).status, 404);
  const list = await api.manager('GET', '/users?limit=200');
  t.is(list.status, 200);
  t.true(list.body.items.some((u: { id: string }) => u.id === mine.id));
  t.false(list.body.items.some((u: { id: string }) => u.id === theirs.id));
  const inA = await s.server.db('employments').countDistinct('user_id as n').where('account_id', accountA).first();
  t.is(list.body.total, Number(inA!.n), 'the total counts only users employed by account A');
});

for (const role of allowedFor('hr')) {
  test(`row 2: ${role} views and edits every user`, async (t) => {
    const anyone = await employee('individual', 'B');
    t.is((await api[role]('GET', `/users/${anyone.id}`)).status, 200);
    t.is((await api[role]('PATCH', `/users/${anyone.id}`, { department: 'Sales' })).status, 200);
    t.is(
      (await api[role]('PATCH', `/users/${anyone.id}`, { email: `moved-${Math.random()}@example.com` })).status,
      200,
    );
  });
}

// Row 3: deactivate / reactivate.
for (const role of ROLES) {
  const allowed = allowedFor('hr').includes(role);
  test(`row 3: ${role} ${allowed ? 'may' : 'may not'} deactivate and reactivate`, async (t) => {
    const target = await employee('individual', 'A');
    const off = await api[role]('POST', `/users/${target.id}/status`, { status: 'inactive' });
    t.is(off.status, allowed ? 200 : 403, JSON.stringify(off.body));
    if (!allowed) return;
    t.is(off.body.status, 'inactive');
    t.is((await api[role]('POST', `/users/${target.id}/status`, { status: 'active' })).body.status, 'active');
    const deleted = await api[role]('POST', `/users/${target.id}/status`, { status: 'deleted' });
    t.is(deleted.status, 400, "deleting is DELETE, an admin's power");
    t.is((await api[role]('GET', `/users/${target.id}`)).body.user.status, 'active');
  });
}

// Row 4: create users, bulk edit, CSV import/export, merge, delete.
const ROW_4: [string, (caller: AdminFetch) => Promise<{ status: number }>, number][] = [
  ['create a user', (a) => a('POST', '/users', { email: `made-${Math.random()}@example.com` }), 201],
  ['bulk edit', async (a) => a('POST', '/users/bulk', { ids: [(await employee()).id], set: { tags: ['x'] } }), 200],
  [
    'import CSV',
    (a) =>
      a('POST', '/imports?key=email&mode=add&dryRun=true', `email\nrow4-${Math.random()}@example.com\n`, {
        'content-type': 'text/csv',
      }),
    201,
  ],
  ['export CSV', (a) => a('GET', '/exports/users.csv'), 200],
  [
    'merge',
    async (a) => a('POST', '/users/merge', { keepId: (await employee()).id, mergeId: (await employee()).id }),
    200,
  ],
  ['delete', async (a) => a('DELETE', `/users/${(await employee()).id}`), 200],
];
for (const [action, call, success] of ROW_4) {
  for (const role of ROLES) {
    const allowed = allowedFor('admin').includes(role);
    test(`row 4: ${role} ${allowed ? 'may' : 'may not'} ${action}`, async (t) => {
      const res = (await call(api[role])) as { status: number; body?: unknown };
      t.is(res.status, allowed ? success : 403, JSON.stringify(res.body));
    });
  }
}

// Row 5: anonymise.
for (const role of ROLES) {
  const allowed = allowedFor('admin').includes(role);
  test(`row 5: ${role} ${allowed ? 'may' : 'may not'} anonymise`, async (t) => {
    const target = await employee();
    const res = await api[role]('POST', `/users/${target.id}/anonymise`);
    t.is(res.status, allowed ? 200 : 403, JSON.stringify(res.body));
  });
}

// Rows 6-8: impersonation (the interactive start; token exchange is tested with impersonation).
const REACH: Record<Role, Role[]> = {
  individual: [],
  manager: [],
  hr: [],
  admin: ['individual', 'manager'],
  super_admin: ['individual', 'manager', 'hr', 'admin'],
};
for (const role of ROLES) {
  for (const target of ROLES) {
    const allowed = REACH[role].includes(target);
    const row = target === 'super_admin' ? 8 : ['hr', 'admin'].includes(target) ? 7 : 6;
    test(`row ${row}: ${role} ${allowed ? 'may' : 'may not'} impersonate ${target}`, async (t) => {
      const subject = await employee(target);
      const res = await api[role]('POST', '/impersonation', { userId: subject.id });
      t.is(res.status, allowed ? 201 : 403, JSON.stringify(res.body));
    });
  }
}

// Row 9: security settings, clients, SCIM tokens, grant super_admin.
const ROW_9: [string, (caller: AdminFetch) => Promise<{ status: number }>, number][] = [
  ['read the security settings', (a) => a('GET', '/settings'), 200],
  ['change the security settings', (a) => a('PUT', '/settings', { impersonationTtl: 1800 }), 200],
  ['list clients', (a) => a('GET', '/clients'), 200],
  [
    'register a client',
    (a) =>
      a('POST', '/clients', {
        clientId: `c-${Math.random().toString(36).slice(2)}`,
        redirectUris: ['https://app.example/cb'],
      }),
    201,
  ],
  ['make a SCIM token', (a) => a('POST', '/scim-tokens', { name: `hr-${Math.random().toString(36).slice(2)}` }), 201],
  ['list SCIM tokens', (a) => a('GET', '/scim-tokens'), 200],
  [
    'grant super_admin',
    (a) => a('POST', '/users', { email: `super-${Math.random()}@example.com`, mainRole: 'super_admin' }),
    201,
  ],
];
for (const [action, call, success] of ROW_9) {
  for (const role of ROLES) {
    const allowed = role === 'super_admin';
    test(`row 9: ${role} ${allowed ? 'may' : 'may not'} ${action}`, async (t) => {
      const res = (await call(api[role])) as { status: number; body?: unknown };
      t.is(res.status, allowed ? success : 403, JSON.stringify(res.body));
    });
  }
}

test('nobody changes a user above them: an admin may not deactivate a super admin, hr may not edit an admin', async (t) => {
  const top = await employee('super_admin');
  const admin = await employee('admin');
  const res = await api.admin('POST', `/users/${top.id}/status`, { status: 'inactive' });
  t.is(res.status, 403);
  t.is(res.body.error, 'admin_api.forbidden_target');
  t.is((await api.hr('PATCH', `/users/${admin.id}`, { jobTitle: 'x' })).status, 403);
  t.is((await api.super_admin('POST', `/users/${top.id}/status`, { status: 'inactive' })).status, 200);
});

test('without a token, or with a token for another resource, the API answers 401', async (t) => {
  const anonymous = s.client(undefined);
  const res = await anonymous('GET', '/users');
  t.is(res.status, 401);
  t.is(res.body.error, 'admin_api.unauthorized');
  t.regex(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  t.is((await s.client('not-a-token')('GET', '/users')).status, 401);
});
