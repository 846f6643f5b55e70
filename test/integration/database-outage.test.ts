import test from 'ava';
import knex from 'knex';
import { isDatabaseUnavailable } from '../../src/db/database-unavailable.js';
import { relyingParty } from '../helpers/rp.js';
import { scimToken, SCIM } from '../helpers/scim.js';
import { PASSWORD, startServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * A database that is slow, frozen, refusing or restarted: the server answers
 * quickly with 503 and Retry-After on every surface, /healthz never asks the
 * database, and service comes back by itself once the database does.
 */

interface Reply {
  status: number;
  ms: number;
  headers: Headers;
  text: string;
}

async function timed(url: string, init: RequestInit = {}): Promise<Reply> {
  const start = performance.now();
  // A bound on the test itself, far beyond what any answer may take here.
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - start, headers: res.headers, text };
}

/** Polls `check` (every 50 ms) until it holds; how long that took, or Infinity after `withinMs`. */
async function until(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < withinMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Infinity;
}

test('/readyz answers 503 within 1 s while every pooled connection is taken, with one ping for many probes; /healthz does not ask the database', async (t) => {
  const server = await startServer();
  try {
    const { db } = server;
    const pool = db.client.pool as { max: number; numPendingAcquires(): number };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let taken = 0;
    let allTaken!: () => void;
    const everyConnectionTaken = new Promise<void>((resolve) => (allTaken = resolve));
    const holders = Array.from({ length: pool.max }, () =>
      db.transaction(async (trx) => {
        await trx.raw('select 1');
        if (++taken === pool.max) allTaken();
        await held;
      }),
    );
    await everyConnectionTaken;

    const probes = await Promise.all(Array.from({ length: 5 }, () => timed(`${server.url}/readyz`)));
    for (const probe of probes) {
      t.is(probe.status, 503);
      t.true(
        probe.ms < 1000,
        `answered in ${Math.round(probe.ms)} ms (${probes.map((p) => Math.round(p.ms)).join(', ')})`,
      );
      t.is(probe.headers.get('retry-after'), '5');
      t.is(JSON.parse(probe.text).status, 'unavailable');
    }
    t.is(pool.numPendingAcquires(), 1, 'the five probes wait on one ping');
    const health = await timed(`${server.url}/healthz`);
    t.is(health.status, 200);
    t.deepEqual(JSON.parse(health.text), { status: 'ok' });

    release();
    await Promise.all(holders);
    t.is((await timed(`${server.url}/readyz`)).status, 200);
  } finally {
    await server.close();
  }
});

// These put a TCP proxy between the server and a PostgreSQL server, so they need
// TEST_DATABASE_URL: CI runs the whole suite on PGlite, then on PostgreSQL, and
// they run in the PostgreSQL phase.
if (process.env.TEST_DATABASE_URL) registerOutageTests(process.env.TEST_DATABASE_URL);

function registerOutageTests(databaseUrl: string) {
  /** Small deadlines keep the test quick; the defaults are 5000/3000/3000. */
  const DEADLINES = { DB_STATEMENT_TIMEOUT_MS: '400', DB_ACQUIRE_TIMEOUT_MS: '400', DB_CONNECT_TIMEOUT_MS: '400' };
  /** Statement deadline + the client's margin + one connect: far below the 60-89 s of a hang, with room for a busy machine. */
  const ANSWER_WITHIN_MS = 3000;

  let proxy: TcpProxy;
  let server: TestServer;
  let service: { clientId: string; clientSecret?: string };
  let web: { clientId: string; redirectUri: string };
  let scim: string;
  let admin: string;

  test.before(async () => {
    const target = new URL(databaseUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    server = await startServer({ ...DEADLINES, MFA_REQUIRED_ROLES: '' }, { databaseVia: (url) => proxy.route(url) });
    service = await server.createClient({ clientId: 'service', grantTypes: ['client_credentials'] });
    const console = await server.createClient({ clientId: 'admin-console' });
    web = console;
    scim = await scimToken(server);
    const person = await server.createUser({ role: 'admin' });
    const rp = await relyingParty(server, console);
    admin = (
      await rp.signIn(
        { username: person.email, password: PASSWORD },
        { scope: 'openid admin', resource: `${server.url}/admin/api` },
      )
    ).tokens.access_token;
  });
  test.after.always(async () => {
    await proxy?.resume();
    await server?.close();
    await proxy?.close();
  });

  const surfaces = {
    readyz: () => timed(`${server.url}/readyz`),
    token: () =>
      timed(`${server.url}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${service.clientId}:${service.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      }),
    scim: () =>
      timed(`${server.url}/scim/v2/Users?count=1`, {
        headers: { authorization: `Bearer ${scim}`, accept: 'application/scim+json' },
      }),
    admin: () => timed(`${server.url}/admin/api/users?limit=1`, { headers: { authorization: `Bearer ${admin}` } }),
    page: () =>
      timed(`${server.url}/reset-password?token=not-a-real-token-0000000000`, { headers: { accept: 'text/html' } }),
    authorize: () =>
      timed(
        `${server.url}/auth?${new URLSearchParams({ client_id: web.clientId, response_type: 'code', scope: 'openid', redirect_uri: web.redirectUri, code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' })}`,
        {
          headers: { accept: 'text/html' },
          redirect: 'manual',
        },
      ),
  };

  /** Every surface answers 503 with Retry-After, in its own shape, within the deadlines. */
  async function assertUnavailable(t: import('ava').ExecutionContext, when: string) {
    const health = await timed(`${server.url}/healthz`);
    t.is(health.status, 200, `${when}: /healthz`);

    const ready = await surfaces.readyz();
    t.is(ready.status, 503, `${when}: /readyz`);
    t.true(ready.ms < 1000, `${when}: /readyz answered in ${Math.round(ready.ms)} ms`);

    const replies = await Promise.all(
      Object.entries(surfaces).map(async ([name, call]) => [name, await call()] as const),
    );
    for (const [name, reply] of replies) {
      t.is(reply.status, 503, `${when}: ${name} status (${reply.text.slice(0, 200)})`);
      t.is(reply.headers.get('retry-after'), '5', `${when}: ${name} Retry-After`);
      t.true(reply.ms < ANSWER_WITHIN_MS, `${when}: ${name} answered in ${Math.round(reply.ms)} ms`);
    }
    t.log(
      `${when}: ${replies.map(([name, reply]) => `${name} ${reply.status} in ${Math.round(reply.ms)} ms`).join(', ')}`,
    );
    const by = Object.fromEntries(replies);
    t.is(JSON.parse(by.token!.text).error, 'temporarily_unavailable', `${when}: token endpoint`);
    const scimError = JSON.parse(by.scim!.text);
    t.deepEqual(scimError.schemas, [SCIM.error], `${when}: SCIM error schema`);
    t.is(scimError.status, '503');
    t.is(JSON.parse(by.admin!.text).error, 'db.unavailable', `${when}: admin API`);
    for (const name of ['page', 'authorize'] as const) {
      t.regex(by[name]!.headers.get('content-type') ?? '', /text\/html/, `${when}: ${name} is a page`);
      t.regex(by[name]!.text, /try again in a moment/i, `${when}: ${name} is the friendly page`);
    }
  }

  /** After the database is back, every surface serves again within 5 s, without a restart. */
  async function assertServesAgain(t: import('ava').ExecutionContext, when: string) {
    const took = await until(async () => {
      const [ready, token, scimList, adminList, page] = await Promise.all([
        surfaces.readyz(),
        surfaces.token(),
        surfaces.scim(),
        surfaces.admin(),
        surfaces.page(),
      ]);
      return (
        ready.status === 200 &&
        token.status === 200 &&
        scimList.status === 200 &&
        adminList.status === 200 &&
        page.status === 400
      );
    }, 5000);
    t.true(took < 5000, `${when}: serving again after ${Math.round(took)} ms`);
    t.log(`${when}: serving again after ${Math.round(took)} ms`);
  }

  test.serial(
    'every connection has its statement deadline: a statement past it is cancelled by PostgreSQL (57014, unavailable) and the connection serves on',
    async (t) => {
      const { db } = server;
      t.is((await db.raw('show statement_timeout')).rows[0].statement_timeout, '400ms');
      const start = performance.now();
      const err = await t.throwsAsync(db.raw('select pg_sleep(5)'));
      t.is((err as { code?: string }).code, '57014');
      t.true(isDatabaseUnavailable(err));
      t.true(performance.now() - start < 3000, `cancelled after ${Math.round(performance.now() - start)} ms`);
      t.is((await db.raw('select 1 as one')).rows[0].one, 1);
    },
  );

  test.serial(
    'a frozen database (accepts connections, never answers): 503s within the deadlines, then serving again',
    async (t) => {
      // The first call of the admin API: its token check reads the signing keys from the database (a 503, not a 401).
      proxy.freeze();
      await assertUnavailable(t, 'frozen');
      // Again, on connections opened while frozen and on what the first round left in the pool.
      await assertUnavailable(t, 'still frozen');
      await proxy.resume();
      await assertServesAgain(t, 'resumed');
    },
  );

  test.serial(
    'a frozen database replaced at its address (a failover): the connections left hanging are dropped, serving again within 5 s',
    async (t) => {
      proxy.freeze();
      await assertUnavailable(t, 'frozen');
      proxy.failOver();
      await assertServesAgain(t, 'failed over');
    },
  );

  test.serial('a database that refuses connections: 503s at once, then serving again', async (t) => {
    await proxy.refuse();
    await assertUnavailable(t, 'refused');
    await proxy.resume();
    await assertServesAgain(t, 'back');
  });

  test.serial(
    'a restarted database (every backend terminated, 57P01): never a 500, serving again within 2 s',
    async (t) => {
      const adminDb = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
      try {
        // The test server's database: the one its pool is connected to.
        const { rows } = await server.db.raw('select current_database() as name');
        await adminDb.raw(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
          [rows[0].name],
        );
      } finally {
        await adminDb.destroy();
      }
      const first = await surfaces.token();
      t.true(first.status === 200 || first.status === 503, `not a 500 (${first.status})`);
      const took = await until(
        async () => (await surfaces.token()).status === 200 && (await surfaces.readyz()).status === 200,
        2000,
      );
      t.true(took < 2000, `serving again after ${Math.round(took)} ms`);
    },
  );
}
