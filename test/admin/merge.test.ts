import test from 'ava';
import { GUEST_ACCOUNT_ID } from '../../src/domain/account.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';

const s = adminServerPerFile(test);
const admin = signedInPerFile(test, s, 'admin');

const db = () => s.server.db;

async function accounts(...names: string[]): Promise<string[]> {
  const rows = await db()('accounts')
    .insert(names.map((name) => ({ name: `${name}-${Math.random()}`, kind: 'customer' })))
    .returning('id');
  return rows.map((r) => r.id);
}

test('a merge moves employments, roles, groups, contacts, reports, SCIM link and history to the kept user, then removes the other', async (t) => {
  const c = s.server.container;
  const keep = await s.server.createUser({ givenName: 'Kim', familyName: 'Keep' });
  const dup = await s.server.createUser({ givenName: 'Kimberly', familyName: 'Keep' });
  const [a, b, cAcc] = await accounts('A', 'B', 'C');
  await s.server.repos.users.setMainAccount(keep.id, a!, db());
  await db()('employments').insert({ user_id: keep.id, account_id: b!, start_date: '2020-01-01' });
  await db()('employments').insert({ user_id: dup.id, account_id: b!, start_date: '2024-05-01' });
  await s.server.repos.users.setMainAccount(dup.id, cAcc!, db());
  await db()('role_assignments').insert({ user_id: dup.id, role: 'manager', account_id: cAcc });
  const [g1, g2] = (await db()('groups')
    .insert([{ display_name: `Both-${Math.random()}` }, { display_name: `DupOnly-${Math.random()}` }])
    .returning(['id', 'version'])) as { id: string; version: number }[];
  await db()('group_members').insert([
    { group_id: g1!.id, user_id: keep.id },
    { group_id: g1!.id, user_id: dup.id },
    { group_id: g2!.id, user_id: dup.id },
  ]);
  await db()('user_values').insert([
    {
      user_id: dup.id,
      attribute: 'phoneNumbers',
      position: 0,
      value: '+44 20 7946 0000',
      type: 'work',
      is_primary: true,
    },
    { user_id: dup.id, attribute: 'emails', position: 1, value: keep.email.toUpperCase(), type: 'home' },
  ]);
  await db()('users')
    .where({ id: dup.id })
    .update({ external_id: 'HR-42', job_title: 'Trainer', tags: ['from-dup'] });
  const report = await s.server.createUser();
  await db()('users').where({ id: report.id }).update({ direct_manager_id: dup.id });
  await c.audit.record({
    actor: { type: 'user', id: dup.id, name: dup.email },
    action: 'test.did_something',
    targetType: 'group',
    targetId: g2!.id,
  });
  await s.tokenOf(dup); // a session and tokens that must end
  t.true(Number((await db()('oidc_payloads').where({ account_id: dup.id }).count('* as n').first())!.n) > 0);

  const res = await admin.api('POST', '/users/merge', { keepId: keep.id, mergeId: dup.id });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.user.id, keep.id);
  t.is(res.body.user.externalId, 'HR-42', 'the SCIM link moves to the kept user, who had none');
  t.is(res.body.user.jobTitle, 'Trainer', 'a blank is filled');
  t.is(res.body.user.givenName, 'Kim', 'what the kept user has stays');
  t.deepEqual(res.body.user.tags, ['from-dup']);
  t.deepEqual(res.body.moved, {
    employments: 1,
    roles: 1,
    groups: 1,
    licences: 0,
    contacts: 2,
    reports: 1,
    auditEvents: res.body.moved.auditEvents,
  });
  t.true(res.body.moved.auditEvents >= 2);

  t.is(await db()('users').where({ id: dup.id }).first(), undefined, 'the duplicate is removed');
  t.is((await admin.api('GET', `/users/${dup.id}`)).status, 404);

  const details = (await admin.api('GET', `/users/${keep.id}`)).body;
  t.deepEqual(
    details.employments
      .map((e: { accountId: string; isMain: boolean; startDate: string | null }) => [
        e.accountId,
        e.isMain,
        e.startDate,
      ])
      .sort(),
    [
      [GUEST_ACCOUNT_ID, false, null],
      [a, true, null],
      [b, false, '2020-01-01'],
      [cAcc, false, null],
    ].sort(),
    "the same account employed by both keeps the kept user's row; the kept main account stays main",
  );
  t.true(
    details.roles.some((r: { role: string; accountId: string | null }) => r.role === 'manager' && r.accountId === cAcc),
  );
  t.is(
    details.roles.filter(
      (r: { role: string; accountId: string | null }) => r.role === 'individual' && r.accountId === null,
    ).length,
    1,
  );
  t.deepEqual(details.groups.map((g: { id: string }) => g.id).sort(), [g1!.id, g2!.id].sort());
  t.true(
    (await db()('groups').where({ id: g1!.id }).first()).version > g1!.version,
    'a group whose members changed has a new version',
  );

  const values = await db()('user_values').where({ user_id: keep.id }).orderBy(['attribute', 'position']);
  t.deepEqual(
    values.map((v) => [v.attribute, v.value, v.is_primary]),
    [
      ['emails', keep.email, true],
      ['emails', dup.email, false],
      ['phoneNumbers', '+44 20 7946 0000', true],
    ],
    'only the contacts the kept user lacks move (emails compared case-insensitively); primary where it had none of that kind',
  );
  t.is((await db()('users').where({ id: report.id }).first()).direct_manager_id, keep.id);

  t.is(
    Number(
      (await auditEvents(s.server, { target_id: dup.id }).orWhere({ actor_id: dup.id }).count('* as n').first())!.n,
    ),
    0,
  );
  const history = await auditEvents(s.server, { target_id: keep.id }).orderBy('id');
  t.is(
    history.filter((e) => e.action === 'user.created').length,
    2,
    "the duplicate's history shows under the kept user",
  );
  t.truthy(await auditEvents(s.server, { actor_id: keep.id, action: 'test.did_something' }).first());
  const merged = history.find((e) => e.action === 'user.merged');
  t.is(merged.actor_id, admin.id);
  t.is(merged.details.kept.id, keep.id);
  t.is(merged.details.merged.id, dup.id);
  t.is(merged.details.merged.userCode, dup.userCode);

  t.is(
    Number((await db()('oidc_payloads').where({ account_id: dup.id }).count('* as n').first())!.n),
    0,
    "the duplicate's sessions and tokens ended",
  );
});

test('a conflict is reported with both values, and nothing changes', async (t) => {
  const keep = await s.server.createUser();
  const dup = await s.server.createUser();
  await db()('users').where({ id: keep.id }).update({ external_id: 'HR-1', employee_number: 'E-7' });
  await db()('users').where({ id: dup.id }).update({ external_id: 'HR-2', employee_number: 'E-7' });
  const [acc] = await accounts('Conflict');
  await s.server.repos.users.setMainAccount(dup.id, acc!, db());
  const before = await db()('users').whereIn('id', [keep.id, dup.id]).orderBy('id');

  const res = await admin.api('POST', '/users/merge', { keepId: keep.id, mergeId: dup.id });
  t.is(res.status, 409, JSON.stringify(res.body));
  t.is(res.body.error, 'merge.conflict');
  t.deepEqual(res.body.details.conflicts, [{ field: 'externalId', keep: 'HR-1', merge: 'HR-2' }]);

  t.deepEqual(await db()('users').whereIn('id', [keep.id, dup.id]).orderBy('id'), before);
  t.truthy(await db()('employments').where({ user_id: dup.id, account_id: acc }).first());
  t.falsy(await auditEvents(s.server, { action: 'user.merged', target_id: keep.id }).first());
});

test('keepId and mergeId must differ; unknown users are 404', async (t) => {
  const u = await s.server.createUser();
  const same = await admin.api('POST', '/users/merge', { keepId: u.id, mergeId: u.id });
  t.is(same.status, 400);
  t.is(same.body.error, 'merge.same_user');
  const unknown = await admin.api('POST', '/users/merge', {
    keepId: u.id,
    mergeId: '00000000-0000-4000-8000-000000000999',
  });
  t.is(unknown.status, 404);
  t.is((await admin.api('POST', '/users/merge', { keepId: u.id })).status, 400);
  t.truthy(await db()('users').where({ id: u.id }).first());
});

test('refusals: an hr user may not merge; an admin may not merge a super admin (kept or merged)', async (t) => {
  const hr = await s.as('hr');
  const a = await s.server.createUser();
  const b = await s.server.createUser();
  const byHr = await hr.api('POST', '/users/merge', { keepId: a.id, mergeId: b.id });
  t.is(byHr.status, 403);
  t.is(byHr.body.error, 'admin_api.forbidden');

  const top = await s.server.createUser({ role: 'super_admin' });
  for (const body of [
    { keepId: a.id, mergeId: top.id },
    { keepId: top.id, mergeId: a.id },
  ]) {
    const res = await admin.api('POST', '/users/merge', body);
    t.is(res.status, 403, JSON.stringify(res.body));
    t.is(res.body.error, 'admin_api.forbidden_target');
  }
  t.is((await db()('users').whereIn('id', [a.id, b.id, top.id])).length, 3);
});

test('an admin may not merge their own user away', async (t) => {
  const other = await s.server.createUser();
  const res = await admin.api('POST', '/users/merge', { keepId: other.id, mergeId: admin.id });
  t.is(res.status, 400);
  t.is(res.body.error, 'merge.self');
});
