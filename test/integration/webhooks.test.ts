import test from 'ava';
import { CLI_ACTOR } from '../../src/services/audit.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { cliServices } from '../../src/container.js';
import { verifyWebhook } from '../../src/util/webhook-signature.js';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import type { Json } from '../helpers/json.js';
import { eventually, startReceiver, type Receiver } from '../helpers/receiver.js';
import { SCIM, scimClient, scimToken } from '../helpers/scim.js';

// Receivers listen on 127.0.0.1; failed deliveries are tried again after about a second. Serial:
// every endpoint hears of every user's change, so one test's changes must not reach another's receiver.
const s = adminServerPerFile(test, {
  OUTBOUND_ALLOW_PRIVATE: '1',
  OUTBOUND_RETRY_DELAY_SECONDS: '1',
  OUTBOUND_RETRY_LIMIT: '6',
  OUTBOUND_POLL_SECONDS: '0.5',
});
const admin = signedInPerFile(test, s, 'super_admin');

const endpoints: string[] = [];
/** A receiver closed when the test ends. */
async function receiverFor(t: { teardown(fn: () => Promise<void>): void }, status?: number) {
  const receiver = await startReceiver(status);
  t.teardown(() => receiver.down());
  return receiver;
}

/** A new endpoint; those of the tests before are disabled. */
async function endpoint(receiver: Receiver, events: string[], path = '/hook') {
  for (const id of endpoints.splice(0)) await admin.api('PATCH', `/webhooks/${id}`, { enabled: false });
  const res = await admin.api('POST', '/webhooks', { url: `${receiver.url}${path}`, events });
  if (res.status !== 201) throw new Error(`webhook create: ${res.status} ${JSON.stringify(res.body)}`);
  endpoints.push(res.body.id);
  return res.body as { id: string; secret: string };
}

/** The deliveries `receiver` got at `path`, parsed, once there are `n`. */
const deliveries = (receiver: Receiver, path: string, n: number) =>
  eventually(() => {
    const got = receiver.received.filter((r) => r.path === path);
    return got.length >= n ? got : undefined;
  }, `${n} deliveries at ${path}`);

test.serial(
  'a user created and deactivated: signed deliveries of the events asked for, in the delivery log',
  async (t) => {
    const receiver = await receiverFor(t);
    const hook = await endpoint(receiver, ['user.created', 'user.deactivated'], '/lifecycle');
    t.regex(hook.secret, /^whsec_/);

    const made = await admin.api('POST', '/users', { email: `wh-${Date.now()}@example.com`, givenName: 'Hook' });
    t.is(made.status, 201);
    const userId = made.body.id as string;
    // A profile change is user.updated: not asked for, not sent.
    t.is((await admin.api('PATCH', `/users/${userId}`, { givenName: 'Hooked' })).status, 200);
    t.is((await admin.api('POST', `/users/${userId}/status`, { status: 'inactive' })).status, 200);

    const got = await deliveries(receiver, '/lifecycle', 2);
    const bodies = got.map((r) => JSON.parse(r.body) as Json);
    t.deepEqual(
      bodies.map((b) => [b.type, b.data.userId]),
      [
        ['user.created', userId],
        ['user.deactivated', userId],
      ],
    );
    t.deepEqual(bodies[1].data.changes.status, ['new', 'inactive']);
    for (const r of got) {
      const header = String(r.headers['gatehouse-signature']);
      t.regex(header, /^t=\d+,v1=[0-9a-f]{64}$/);
      t.true(verifyWebhook(hook.secret, header, r.body, Math.floor(Date.now() / 1000)));
      // Another endpoint's secret, or a body changed on the way, does not verify.
      t.false(verifyWebhook(`${hook.secret}x`, header, r.body, Math.floor(Date.now() / 1000)));
      t.false(verifyWebhook(hook.secret, header, r.body.replace('user.', 'user.x'), Math.floor(Date.now() / 1000)));
      // Replayed much later: refused by its timestamp.
      t.false(verifyWebhook(hook.secret, header, r.body, Math.floor(Date.now() / 1000) + 3600));
    }

    const log = await eventually(async () => {
      const res = await admin.api('GET', `/webhooks/${hook.id}/deliveries`);
      return res.body.items.every((d: Json) => d.status === 'delivered') ? res.body.items : undefined;
    }, 'the log to show both delivered');
    t.deepEqual(
      log.map((d: Json) => [d.event, d.status, d.attempts, d.responseStatus]),
      [
        ['user.deactivated', 'delivered', 1, 200],
        ['user.created', 'delivered', 1, 200],
      ],
    );
  },
);

test.serial(
  'a receiver that is down gets the delivery once it is back; the log shows the failed attempts',
  async (t) => {
    const receiver = await receiverFor(t);
    const hook = await endpoint(receiver, ['user.deleted'], '/flaky');
    await receiver.down();
    const user = await s.server.createUser();
    t.is((await admin.api('DELETE', `/users/${user.id}`)).status, 200);

    const failed = await eventually(async () => {
      const [d] = (await admin.api('GET', `/webhooks/${hook.id}/deliveries`)).body.items;
      return d?.attempts >= 1 ? d : undefined;
    }, 'a failed attempt');
    t.is(failed.status, 'pending');
    t.is(failed.responseStatus, null);
    t.truthy(failed.lastError);
    t.is(receiver.received.length, 0);

    await receiver.up();
    const [got] = await deliveries(receiver, '/flaky', 1);
    t.is(JSON.parse(got!.body).type, 'user.deleted');
    const done = await eventually(async () => {
      const [d] = (await admin.api('GET', `/webhooks/${hook.id}/deliveries`)).body.items;
      return d?.status === 'delivered' ? d : undefined;
    }, 'the delivery to be logged delivered');
    t.true(done.attempts >= 2);
    t.is(done.responseStatus, 200);
  },
);

test.serial('SCIM provisioning: a user created, then deactivated (active false)', async (t) => {
  const receiver = await receiverFor(t);
  await endpoint(receiver, ['user.created', 'user.deactivated'], '/scim');
  const scim = scimClient(s.server, await scimToken(s.server));
  const userName = `scim-wh-${Date.now()}@example.com`;
  const made = await scim.post('/Users', {
    schemas: [SCIM.user],
    userName,
    emails: [{ value: userName, primary: true }],
  });
  t.is(made.status, 201);
  const id = made.body.id as string;
  t.is((await scim.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }])).status, 200);
  const got = await deliveries(receiver, '/scim', 2);
  t.deepEqual(
    got.map((r) => [JSON.parse(r.body).type, JSON.parse(r.body).data.userId]),
    [
      ['user.created', id],
      ['user.deactivated', id],
    ],
  );
});

test.serial('an answer other than 2xx is tried again until the receiver accepts', async (t) => {
  const receiver = await receiverFor(t, 500);
  const hook = await endpoint(receiver, ['user.updated'], '/erring');
  const user = await s.server.createUser();
  t.is((await admin.api('PATCH', `/users/${user.id}`, { givenName: 'Retried' })).status, 200);
  await deliveries(receiver, '/erring', 1);
  receiver.state.status = 204;
  const done = await eventually(async () => {
    const [d] = (await admin.api('GET', `/webhooks/${hook.id}/deliveries`)).body.items;
    return d?.status === 'delivered' ? d : undefined;
  }, 'the delivery to be accepted');
  t.true(done.attempts >= 2);
  t.is(done.responseStatus, 204);
  // Each attempt carried the same body (the same event id).
  const ids = new Set(receiver.received.filter((r) => r.path === '/erring').map((r) => JSON.parse(r.body).id));
  t.is(ids.size, 1);
});

test.serial('a change rolled back sends nothing', async (t) => {
  const receiver = await receiverFor(t);
  const hook = await endpoint(receiver, ['user.created'], '/rollback');
  const identity = s.server.container.identity;
  const email = `rolled-back-${Date.now()}@example.com`;
  await t.throwsAsync(
    identity.create({ email, role: 'individual' }, CLI_ACTOR, null, {
      inTransaction: async () => {
        throw new Error('the rest of the change failed');
      },
    }),
    { message: 'the rest of the change failed' },
  );
  // A change after it is delivered; the rolled-back one never is.
  const kept = await s.server.createUser();
  const [got] = await deliveries(receiver, '/rollback', 1);
  t.is(JSON.parse(got!.body).data.userId, kept.id);
  t.is((await admin.api('GET', `/webhooks/${hook.id}/deliveries`)).body.items.length, 1);
});

test.serial(
  'webhooks CRUD: the secret is shown once; bad input is 400; others than super admins are refused',
  async (t) => {
    const made = await admin.api('POST', '/webhooks', { url: 'https://hooks.example/in', events: ['user.anonymised'] });
    t.is(made.status, 201);
    t.truthy(made.body.secret);
    const id = made.body.id;
    const read = await admin.api('GET', `/webhooks/${id}`);
    t.is(read.status, 200);
    t.false('secret' in read.body);
    t.true((await admin.api('GET', '/webhooks')).body.items.some((w: Json) => w.id === id && !('secret' in w)));

    const changed = await admin.api('PATCH', `/webhooks/${id}`, {
      events: ['user.deleted', 'user.updated'],
      enabled: false,
    });
    t.is(changed.status, 200);
    t.deepEqual(changed.body.events, ['user.deleted', 'user.updated']);
    t.false(changed.body.enabled);

    t.is(
      (await admin.api('POST', '/webhooks', { url: 'https://hooks.example/in', events: ['user.signed_in'] })).status,
      400,
    );
    t.is((await admin.api('POST', '/webhooks', { url: 'https://hooks.example/in', events: [] })).status, 400);
    const badUrl = await admin.api('POST', '/webhooks', { url: 'ftp://hooks.example/in', events: ['user.created'] });
    t.is(badUrl.status, 400);
    t.is(badUrl.body.error, 'webhook.invalid_url');
    t.is((await admin.api('GET', '/webhooks/not-a-uuid')).status, 404);

    const other = await s.as('admin');
    t.is((await other.api('GET', '/webhooks')).status, 403);
    t.is((await other.api('POST', '/webhooks', { url: 'https://x.example', events: ['user.created'] })).status, 403);

    t.is((await admin.api('DELETE', `/webhooks/${id}`)).status, 204);
    t.is((await admin.api('GET', `/webhooks/${id}`)).status, 404);
    t.is((await admin.api('GET', `/webhooks/${id}/deliveries`)).status, 404);
  },
);

test.serial('a CSV import: a delivery for each user it creates, and user.deactivated for one it stops', async (t) => {
  const existing = await s.server.createUser();
  const receiver = await receiverFor(t);
  await endpoint(receiver, ['user.created', 'user.deactivated'], '/imported');
  const d = `imp-${Date.now()}.example.com`;
  const csv = ['email,givenName,status', `ann@${d},Ann,1`, `bob@${d},Bob,1`, `${existing.email},,0`, ''].join('\r\n');
  const job = await admin.api('POST', '/imports?key=email&mode=upsert', csv, { 'content-type': 'text/csv' });
  t.like(job.body, { status: 'succeeded', created: 2, updated: 1 });

  const bodies = (await deliveries(receiver, '/imported', 3)).map((r) => JSON.parse(r.body) as Json);
  const made = await s.server
    .db('users')
    .whereRaw('lower(email) LIKE ?', [`%@${d}`])
    .select('id');
  t.deepEqual(
    bodies.map((b) => [b.type, b.data.userId]).sort(),
    [...made.map((u) => ['user.created', u.id]), ['user.deactivated', existing.id]].sort(),
  );
  t.deepEqual(bodies.find((b) => b.type === 'user.deactivated')?.data.changes.status, ['active', 'inactive']);
});

test.serial('a dry-run import sends nothing', async (t) => {
  const receiver = await receiverFor(t);
  const hook = await endpoint(receiver, ['user.created'], '/dry');
  const csv = ['email,givenName', `dry-${Date.now()}@example.com,Dry`, ''].join('\r\n');
  const job = await admin.api('POST', '/imports?key=email&mode=add&dryRun=true', csv, { 'content-type': 'text/csv' });
  t.like(job.body, { status: 'succeeded', created: 1 });
  t.deepEqual((await admin.api('GET', `/webhooks/${hook.id}/deliveries`)).body.items, []);
});

test.serial('the CLI creates, lists and deletes webhooks', async (t) => {
  const c = cliServices(s.server.container);
  const made = (await COMMANDS['webhook create']!.run(
    c,
    { url: 'https://hooks.example/cli', events: 'user.created, user.deleted' },
    [],
  )) as { id: string; secret: string; events: string[] };
  t.regex(made.secret, /^whsec_/);
  t.deepEqual(made.events, ['user.created', 'user.deleted']);
  const listed = (await COMMANDS['webhook list']!.run(c, {}, [])) as { id: string }[];
  t.true(listed.some((w) => w.id === made.id && !('secret' in w)));
  await t.throwsAsync(COMMANDS['webhook create']!.run(c, { url: 'https://hooks.example/cli', events: 'nope' }, []), {
    message: /Name at least one event/,
  });
  t.deepEqual(await COMMANDS['webhook delete']!.run(c, {}, [made.id]), { id: made.id, deleted: true });
  t.false(((await COMMANDS['webhook list']!.run(c, {}, [])) as { id: string }[]).some((w) => w.id === made.id));
});
