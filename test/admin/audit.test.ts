import test from 'ava';
import { execute } from '../../src/cli/execute.js';
import { cliServices } from '../../src/container.js';
import { adminServerPerFile, type ApiReply } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';

const s = adminServerPerFile(test);

let n = 0;
const unique = (prefix: string) => `${prefix} ${++n}-${Date.now()}`;
const DAY = 24 * 60 * 60 * 1000;

/** Old events, written as they would have been long ago. */
async function oldEvents(count: number, daysAgo: number, action = 'test.old') {
  const at = new Date(Date.now() - daysAgo * DAY);
  await s.server.db('audit_events').insert(Array.from({ length: count }, () => ({ at, actor_type: 'system', action })));
}

test('an admin reads who changed what: filters by target, actor and action, newest first, with old and new values', async (t) => {
  const admin = await s.as('admin');
  const user = await s.server.createUser();
  await admin.api('PATCH', `/users/${user.id}`, { jobTitle: 'Analyst' });
  await admin.api('PATCH', `/users/${user.id}`, { jobTitle: 'Engineer' });
  await admin.api('POST', `/users/${user.id}/status`, { status: 'inactive' });

  const page = await admin.api('GET', `/audit?userId=${user.id}`);
  t.is(page.status, 200, JSON.stringify(page.body));
  const actions = page.body.items.map((e: { action: string }) => e.action);
  t.is(actions[0], 'user.status_changed');
  t.deepEqual(actions.filter((a: string) => a === 'user.updated').length, 2);
  const [latestUpdate, firstUpdate] = page.body.items.filter((e: { action: string }) => e.action === 'user.updated');
  t.deepEqual(firstUpdate.changes, { jobTitle: [null, 'Analyst'] });
  t.deepEqual(latestUpdate.changes, { jobTitle: ['Analyst', 'Engineer'] });
  t.like(latestUpdate, { targetType: 'user', targetId: user.id, details: null });
  t.deepEqual(latestUpdate.actor, { type: 'user', id: admin.id, name: admin.email, onBehalfOf: null });
  t.truthy(latestUpdate.ip);
  t.regex(latestUpdate.at, /^\d{4}-\d\d-\d\dT/);
  t.true(page.body.items.every((e: { targetId: string }) => e.targetId === user.id));
  t.is(page.body.nextCursor, null);

  const exact = await admin.api('GET', `/audit?userId=${user.id}&action=user.updated`);
  t.is(exact.body.items.length, 2);
  const prefix = await admin.api('GET', `/audit?userId=${user.id}&action=user.*`);
  t.is(
    prefix.body.items.length,
    page.body.items.filter((e: { action: string }) => e.action.startsWith('user.')).length,
  );
  t.true(prefix.body.items.length >= 3);
  const byActor = await admin.api('GET', `/audit?actorId=${admin.id}`);
  t.true(byActor.body.items.length >= 3);
  t.true(byActor.body.items.every((e: { actor: { id: string } }) => e.actor.id === admin.id));
  const none = await admin.api('GET', `/audit?userId=${user.id}&action=account.*`);
  t.deepEqual(none.body.items, []);
});

test('keyset paging: newest first, every event once, across pages', async (t) => {
  const admin = await s.as('admin');
  const names = Array.from({ length: 7 }, () => unique('Paged'));
  for (const name of names) await admin.api('POST', '/accounts', { name, kind: 'customer' });
  const seen: { id: number; at: string; changes: { name: [null, string] } }[] = [];
  let cursor: string | null = '';
  let pages = 0;
  while (cursor !== null) {
    const res: ApiReply = await admin.api(
      'GET',
      `/audit?actorId=${admin.id}&action=account.created&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
    );
    t.is(res.status, 200, JSON.stringify(res.body));
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  }
  t.is(pages, 3);
  t.deepEqual(
    seen.map((e) => e.changes.name[1]),
    [...names].reverse(),
  );
  t.is(new Set(seen.map((e) => e.id)).size, 7);
  for (let i = 1; i < seen.length; i++) t.true(seen[i - 1]!.at >= seen[i]!.at);

  // Events of one transaction share their time: the id orders them.
  await oldEvents(5, 2, 'test.same_time');
  const same: number[] = [];
  for (let next: string | null = ''; next !== null; ) {
    const res: ApiReply = await admin.api(
      'GET',
      `/audit?action=test.same_time&limit=2${next ? `&cursor=${next}` : ''}`,
    );
    same.push(...res.body.items.map((e: { id: number }) => e.id));
    next = res.body.nextCursor;
  }
  t.is(same.length, 5);
  t.deepEqual(
    same,
    [...same].sort((a, b) => b - a),
  );
});

test('from / to bound the time', async (t) => {
  const admin = await s.as('admin');
  await oldEvents(2, 10, 'test.window');
  await oldEvents(1, 3, 'test.window');
  const from = new Date(Date.now() - 5 * DAY).toISOString();
  const to = new Date(Date.now() - 1 * DAY).toISOString().slice(0, 10);
  const all = await admin.api('GET', '/audit?action=test.window');
  t.is(all.body.items.length, 3);
  const recent = await admin.api('GET', `/audit?action=test.window&from=${encodeURIComponent(from)}&to=${to}`);
  t.is(recent.status, 200, JSON.stringify(recent.body));
  t.is(recent.body.items.length, 1);
  const older = await admin.api('GET', `/audit?action=test.window&to=${encodeURIComponent(from)}`);
  t.is(older.body.items.length, 2);
});

test('refusals: 403 below admin, 400 for a bad query or cursor', async (t) => {
  const [manager, hr, admin] = await Promise.all([s.as('manager'), s.as('hr'), s.as('admin')]);
  for (const caller of [manager, hr]) {
    const refused = await caller.api('GET', '/audit');
    t.is(refused.status, 403);
    t.is(refused.body.error, 'admin_api.forbidden');
  }
  for (const query of ['limit=0', 'limit=1000', 'from=yesterday', 'action=user.*.x', "action=a'b"]) {
    const bad = await admin.api('GET', `/audit?${query}`);
    t.is(bad.status, 400, query);
    t.is(bad.body.error, 'request.invalid_query');
  }
  for (const cursor of [
    'nope',
    Buffer.from(JSON.stringify(['2026-99-99 10:00:00+00', 1])).toString('base64url'),
    Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url'),
  ]) {
    const bad = await admin.api('GET', `/audit?cursor=${cursor}`);
    t.is(bad.status, 400, cursor);
    t.is(bad.body.error, 'request.invalid_cursor');
  }
});

// Retention changes a setting and deletes rows: these run alone, first.
test.serial(
  'retention: nothing is purged while auditRetentionDays is null; then events older than it go, in batches, and the purge is audited',
  async (t) => {
    const { container, db, repos } = s.server;
    await oldEvents(5, 400, 'test.ancient');
    await oldEvents(2, 20, 'test.recent');
    t.deepEqual(await container.admin.auditLog.purgeExpired(new Date()), { deleted: 0, before: null });
    t.is((await auditEvents(db, { action: 'test.ancient' })).length, 5);

    const superAdmin = await s.as('super_admin');
    t.is((await superAdmin.api('PUT', '/settings', { auditRetentionDays: 30 })).status, 200);
    t.is(await repos.audit.deleteOlderThan(new Date(Date.now() - 401 * DAY), 2), 0, 'nothing that old');
    const purged = await container.admin.auditLog.purgeExpired(new Date());
    t.is(purged.deleted, 5);
    t.is((await auditEvents(db, { action: 'test.ancient' })).length, 0);
    t.is((await auditEvents(db, { action: 'test.recent' })).length, 2, 'younger than the retention: kept');
    const [record] = await auditEvents(db, { action: 'audit.purged' });
    t.like(record, { actor_type: 'system' });
    t.like(record.details, { deleted: 5, retentionDays: 30 });

    await oldEvents(5, 60, 'test.batched');
    t.is(await repos.audit.deleteOlderThan(new Date(Date.now() - 30 * DAY), 2), 5, 'batches of 2 until none is left');

    await oldEvents(3, 45, 'test.cli');
    const cli = await execute(cliServices(container), ['audit', 'purge']);
    t.is(cli.code, 0, cli.stderr);
    t.like(JSON.parse(cli.stdout), { deleted: 3, retentionDays: 30 });
    const [byCli] = await auditEvents(db, { action: 'audit.purged', actor_type: 'cli' });
    t.like(byCli.details, { deleted: 3 });

    t.is((await superAdmin.api('PUT', '/settings', { auditRetentionDays: null })).status, 200);
    await oldEvents(1, 45, 'test.kept');
    t.like(JSON.parse((await execute(cliServices(container), ['audit', 'purge'])).stdout), {
      deleted: 0,
      before: null,
      retentionDays: null,
    });
  },
);
