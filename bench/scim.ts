/**
 * SCIM 2.0 (`/scim/v2`) on PostgreSQL with a large directory, the server pinned to one core.
 *
 *   npm run bench:scim
 *
 * What it does:
 *   1. re-executes itself under `taskset -c 1` (the load generator gets core 1);
 *   2. drops and recreates the database, runs the migrations by creating the
 *      container once, makes a SCIM bearer token (`container.scim.auth.create`);
 *   3. loads BENCH_USERS users with set-based SQL (INSERT … SELECT FROM
 *      generate_series): `user{n}@bench.example` (userName = email), given and family
 *      names drawn from small lists, externalId, department, status active, the
 *      guest account; their work email (user_values), main employment and the
 *      `individual` role; then VACUUM (ANALYZE). Prints how long that took;
 *   4. moves the local PostgreSQL to core 1 (BENCH_PIN_PG), starts
 *      `taskset -c 0 node --import tsx src/main.ts` (NODE_ENV=production) and waits for /readyz;
 *   5. measures, over keep-alive connections (node:http), each timed phase for
 *      BENCH_WARMUP + BENCH_SECONDS (reads first, on exactly the loaded directory):
 *        (2)  GET /Users?filter=userName eq "user{n}@bench.example", n random, one at a time
 *             (latency, not queueing); (2b) the same at concurrency BENCH_EQ_CONCURRENCY;
 *             checks: 200, totalResults 1, the user found is the one searched;
 *        (3)  GET /Users?filter=name.familyName sw "<3 letters>", one at a time, default count
 *             (the server's maxResults, 200); checks: 200, totalResults equals the number of
 *             users with that prefix (counted in SQL beforehand), a full page, every family
 *             name starts with the prefix;
 *        (1)  POST /Users with an Entra-like body (no password), concurrency BENCH_POST_CONCURRENCY;
 *             checks: 201, Location, the userName and externalId echoed;
 *        (4)  one POST /Bulk of BENCH_BULK_OPS POST /Users operations, BENCH_BULK_RUNS times
 *             after a 50-operation warm-up; checks: 200, every operation "201" with a location,
 *             and the users are in the database;
 *      any failed check stops the benchmark (exit code 1);
 *   6. stops the server and counts the SQL statements behind one request of each kind,
 *      running the app in-process (as bench/sql-trace.ts does);
 *   7. prints a table and the targets; drops the database (also on error).
 *
 * Targets (issue 3): (1) ≥ 500 users/s; (2) p99 < 10 ms; (3) p99 < 50 ms; (4) < 3 s.
 *
 * Settings (environment):
 *   BENCH_USERS=100000  BENCH_SECONDS=10  BENCH_WARMUP=2  BENCH_ONLY=1,2,3,4
 *   BENCH_POST_CONCURRENCY=16  BENCH_EQ_CONCURRENCY=8 (0 skips phase 2b)
 *   BENCH_BULK_OPS=1000  BENCH_BULK_RUNS=3
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_scim
 *   BENCH_PORT=3918  BENCH_PIN=1 (0: do not use taskset)
 *   BENCH_PIN_PG=1  moves the local PostgreSQL (postmaster and backends) to core 1 for the run
 *     and back to every core afterwards (0: leave PostgreSQL where it is)
 *   BENCH_NODE_ENV=production (the server's NODE_ENV, as in the Dockerfile)
 *   BENCH_VACUUM=1  VACUUM (ANALYZE) after loading, the steady state of a directory in use (0: ANALYZE
 *     only, as right after a mass import: the GIN trigram indexes' pending lists are still full, and
 *     the planner then prices their bitmap scans higher; see docs/benchmarks.md, phase (3))
 *   BENCH_POOL_MAX=<n>  the server's DATABASE_POOL_MAX (default: the server's, 10)
 *   BENCH_CPU_PROF=<dir>  run the server with --cpu-prof, profiles written to <dir>
 *     (then: node --import tsx bench/profile-summary.ts <dir>/<file>.cpuprofile)
 *   BENCH_SQL_TRACE=1  count the statements per request afterwards (0 skips it)
 *   BENCH_JSON=<file>  also write the results as JSON
 *   BENCH_KEEP_DB=1  leave the database in place at the end (it is dropped by default)
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cpuBetween, machineCpu, usage as cpuUsage, type Usage } from './lib/cpu.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { percentile } from './lib/percentile.js';
import { timedLoop } from './lib/timed-loop.js';
import { canPin, movePostgresToLoadCore, releasePostgres, runOnLoadCore } from './lib/pinning.js';
import { revision } from './lib/revision.js';
import { createServerProcess } from './lib/server-process.js';
import { fixed, percent, printTable } from './lib/table.js';
import type { Json } from '../test/helpers/json.js';
import { FAMILY_NAMES as COMMON_FAMILY_NAMES } from './lib/directory.js';
import { DEPARTMENTS, GIVEN_NAMES } from './lib/names.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;

const USERS = Math.max(10, Math.floor(num('BENCH_USERS', 100_000)));
const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP', 2);
const POST_CONCURRENCY = Math.max(1, num('BENCH_POST_CONCURRENCY', 16));
const EQ_CONCURRENCY = num('BENCH_EQ_CONCURRENCY', 8);
const BULK_OPS = Math.max(1, num('BENCH_BULK_OPS', 1000));
const BULK_RUNS = Math.max(1, num('BENCH_BULK_RUNS', 3));
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_scim';
const PORT = num('BENCH_PORT', 3918);
const ONLY = new Set(
  (env.BENCH_ONLY ?? '1,2,3,4')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const PIN = canPin();
const PIN_PG = PIN && env.BENCH_PIN_PG !== '0';
const SERVER_NODE_ENV = env.BENCH_NODE_ENV ?? 'production';
const CPU_PROF = env.BENCH_CPU_PROF;
const SQL_TRACE = env.BENCH_SQL_TRACE !== '0';

/** Every request gives up after this long. */
const REQUEST_TIMEOUT_MS = 60_000;
/** A cap on operations per worker and phase, next to the time bound. */
const MAX_OPS_PER_WORKER = 1_000_000;

const ISSUER = `http://127.0.0.1:${PORT}`;
const SCIM = `${ISSUER}/scim/v2`;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const GUEST_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 262 surnames of several origins, drawn uniformly: ~380 users each at 100,000 (the admin bench's 199 and 63 more). */
const FAMILY_NAMES = [
  ...COMMON_FAMILY_NAMES,
  'James',
  'Olson',
  'Simpson',
  'Porter',
  'Hunter',
  'Gordon',
  'Mendez',
  'Silva',
  'Shaw',
  'Snyder',
  'Mason',
  'Dixon',
  'Munoz',
  'Hunt',
  'Hicks',
  'Holmes',
  'Palmer',
  'Wagner',
  'Black',
  'Robertson',
  'Boyd',
  'Rose',
  'Stone',
  'Salazar',
  'Fox',
  'Warren',
  'Mills',
  'Meyer',
  'Rice',
  'Schmidt',
  'Garza',
  'Daniels',
  'Ferguson',
  'Nichols',
  'Stephens',
  'Soto',
  'Weaver',
  'Ryan',
  'Gardner',
  'Payne',
  'Grant',
  'Dunn',
  'Kelley',
  'Spencer',
  'Hawkins',
  'Arnold',
  'Pierce',
  'Hansen',
  'Peters',
  'Santos',
  'Hart',
  'Bradley',
  'Knight',
  'Elliott',
  'Cunningham',
  'Duncan',
  'Armstrong',
  'Hudson',
  'Carroll',
  'Lane',
  'Li',
  'Ali',
  'Novak',
];

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

// ---------------------------------------------------------------------------

interface PhaseResult {
  key: string;
  label: string;
  concurrency: number;
  /** Requests measured (for (4): Bulk requests). */
  ops: number;
  /** Requests per second (for (1): users created per second; for (4): operations per second of the median run). */
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  /** The figure the target is about, and the target. */
  figure: string;
  target: string;
  met?: boolean;
  note?: string;
  serverCpu?: number;
  serverMainCpu?: number;
  pgCpu?: number;
  loadCpu?: number;
  coreBusy?: number[];
  /** SQL statements per request (for (4): per operation), counted in-process afterwards. */
  sqlPerRequest?: number;
}

const server = createServerProcess();
let token = '';

async function main() {
  const results: PhaseResult[] = [];
  server.killOnSignals();

  console.log(
    `Gatehouse ${revision(ROOT)} SCIM benchmark — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; server ${PIN ? 'pinned to core 0' : 'NOT pinned'}, load generator ${PIN ? 'pinned to core 1' : 'NOT pinned'}, ` +
      `PostgreSQL ${PIN_PG ? 'moved to core 1' : 'unpinned'}; ${USERS.toLocaleString('en')} users; ${WARMUP}s warm-up + ${SECONDS}s per timed phase; ` +
      `load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
  // Busy cores over one second now (the load average still counts a previous run).
  const m0 = machineCpu();
  await sleep(1000);
  const busy = machineCpu()[0]! - m0[0]!;
  if (busy > 0.25)
    console.log(
      `warning: the machine is not idle (${busy.toFixed(2)} cores busy before the start); other processes will skew the figures`,
    );

  let dbUrl: string | undefined;
  try {
    dbUrl = await recreateDatabase(PG_URL, DB_NAME);
    const serverEnv: Record<string, string> = {
      DATABASE_URL: dbUrl,
      PORT: String(PORT),
      ISSUER,
      GATEHOUSE_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      DATA_DIR: join(tmpdir(), 'gatehouse-bench-scim-data'),
      ...(env.BENCH_POOL_MAX ? { DATABASE_POOL_MAX: env.BENCH_POOL_MAX } : {}),
    };
    process.stdout.write('migrations and SCIM token … ');
    token = await prepare(serverEnv);
    console.log('done');

    process.stdout.write(`loading ${USERS.toLocaleString('en')} users with set-based SQL … `);
    const load = await loadUsers(dbUrl);
    console.log(
      `${(load.ms / 1000).toFixed(1)} s (users ${(load.steps.users! / 1000).toFixed(1)} s, emails ${(load.steps.emails! / 1000).toFixed(1)} s, employments ${(load.steps.employments! / 1000).toFixed(1)} s, roles ${(load.steps.roles! / 1000).toFixed(1)} s, ${env.BENCH_VACUUM === '0' ? 'ANALYZE' : 'VACUUM ANALYZE'} ${(load.steps.analyze! / 1000).toFixed(1)} s); database ${load.size}`,
    );

    if (PIN_PG) movePostgresToLoadCore();
    await server.start({
      root: ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: SERVER_NODE_ENV },
      issuer: ISSUER,
      pin: PIN,
      cpuProfDir: CPU_PROF,
    });
    installAgent(Math.max(POST_CONCURRENCY, EQ_CONCURRENCY, 1) * 2);
    const stats = new pg.Client({ connectionString: dbUrl });
    await stats.connect();
    const run = Date.now().toString(36);

    try {
      // One request of each kind, so the first measured ones do not pay for compilation.
      await getByUserName(1);
      await searchFamilyPrefix(FAMILY_NAMES[0]!.slice(0, 3).toLowerCase(), undefined);
      await createUser(`warm-${run}`);

      if (ONLY.has('2')) {
        const seen = new Set<number>();
        const op = async () => {
          const n = 1 + Math.floor(Math.random() * USERS);
          seen.add(n);
          await getByUserName(n);
        };
        const r = await timed('2', 'GET /Users?filter=userName eq "…" (existing)', 1, op);
        results.push({
          ...r,
          figure: `p99 ${r.p99.toFixed(1)} ms`,
          target: 'p99 < 10 ms',
          met: r.p99 < 10,
          note: `${seen.size.toLocaleString('en')} distinct userNames`,
        });
        if (EQ_CONCURRENCY > 0) {
          const r2 = await timed('2b', `the same, concurrency ${EQ_CONCURRENCY}`, EQ_CONCURRENCY, op);
          results.push({ ...r2, figure: `${r2.opsPerSec.toFixed(0)} req/s`, target: '(throughput)' });
        }
      }

      if (ONLY.has('3')) {
        const expected = await prefixCounts(stats);
        const prefixes = [
          ...new Set(FAMILY_NAMES.filter((f) => f.length >= 3).map((f) => f.slice(0, 3).toLowerCase())),
        ].filter((p) => expected.has(p));
        const totals: number[] = [];
        const r = await timed('3', 'GET /Users?filter=name.familyName sw "<3 letters>"', 1, async () => {
          const p = pick(prefixes);
          totals.push(await searchFamilyPrefix(p, expected.get(p)));
        });
        totals.sort((a, b) => a - b);
        const q = (f: number) => totals[Math.min(totals.length - 1, Math.floor(f * totals.length))]!;
        results.push({
          ...r,
          figure: `p99 ${r.p99.toFixed(1)} ms`,
          target: 'p99 < 50 ms',
          met: r.p99 < 50,
          note: `${prefixes.length} prefixes; totalResults min ${totals[0]} / median ${q(0.5)} / max ${totals.at(-1)}; ${PAGE_SIZE} returned per page`,
        });
      }

      if (ONLY.has('1')) {
        let seq = 0;
        const r = await timed('1', 'POST /Users (Entra-like, no password)', POST_CONCURRENCY, () =>
          createUser(`p-${run}-${seq++}`),
        );
        results.push({ ...r, figure: `${r.opsPerSec.toFixed(0)} users/s`, target: '≥ 500/s', met: r.opsPerSec >= 500 });
      }

      if (ONLY.has('4')) results.push(await bulkPhase(stats, run));
    } finally {
      await stats.end().catch(() => {});
    }
  } catch (err) {
    server.failed(err);
  } finally {
    await server.kill();
    if (PIN_PG) releasePostgres();
  }

  if (process.exitCode !== 1 && SQL_TRACE && dbUrl && results.length) {
    try {
      process.stdout.write('counting SQL statements per request (in-process) … ');
      const counts = await traceStatements(dbUrl);
      for (const r of results) r.sqlPerRequest = counts[r.key.replace(/b$/, '')];
      console.log('done');
    } catch (err) {
      console.error('\nSQL trace failed:', err instanceof Error ? err.stack : err);
      process.exitCode = 1;
    }
  }
  if (env.BENCH_KEEP_DB !== '1')
    await dropDatabase(PG_URL, DB_NAME).catch((err) => console.error('could not drop the database:', err));

  if (results.length) report(results);
}

// ---------------------------------------------------------------------------
// Database, fixtures and the bulk load

/** Runs the migrations (by creating the container) and makes the SCIM token. */
async function prepare(serverEnv: Record<string, string>): Promise<string> {
  const [{ loadConfig }, { createBenchContainer }, { default: pino }] = await Promise.all([
    import('../src/config/config.js'),
    import('./lib/container.js'),
    import('pino'),
  ]);
  const config = loadConfig({ ...env, ...serverEnv, LOG_LEVEL: 'silent' });
  const c = await createBenchContainer(config, { log: pino({ level: 'silent' }) });
  try {
    const made = await c.scim.auth.create('bench');
    if (!made.token) throw new Error('scim.auth.create returned no token');
    return made.token;
  } finally {
    await c.close();
  }
}

/** BENCH_USERS users with their email value, main employment and role, in a few statements. */
async function loadUsers(dbUrl: string): Promise<{ ms: number; steps: Record<string, number>; size: string }> {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const steps: Record<string, number> = {};
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t = performance.now();
    await db.query(sql, params);
    steps[name] = performance.now() - t;
  };
  const t0 = performance.now();
  try {
    await db.query("SET maintenance_work_mem = '256MB'");
    await db.query('BEGIN');
    // Names drawn at random from the lists; created_at one second apart, so the
    // default order (created_at, id) is the load order.
    await step(
      'users',
      `INSERT INTO users (user_code, email, given_name, family_name, display_name, name_formatted, external_id, status, main_role,
                          main_account_id, department, created_at, updated_at)
       SELECT s.code, s.code, s.g, s.f, s.g || ' ' || s.f, s.g || ' ' || s.f, gen_random_uuid()::text, 'active', 'individual',
              $1::uuid, s.d, s.at, s.at
         FROM (SELECT n, 'user' || n || '@bench.example' AS code,
                      ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int] AS g,
                      ($3::text[])[1 + floor(random() * cardinality($3::text[]))::int] AS f,
                      ($4::text[])[1 + floor(random() * cardinality($4::text[]))::int] AS d,
                      now() - make_interval(secs => $5::int - n) AS at
                 FROM generate_series(1, $5::int) AS n) AS s
        ORDER BY s.n`,
      [GUEST_ACCOUNT_ID, GIVEN_NAMES, FAMILY_NAMES, DEPARTMENTS, USERS],
    );
    await step(
      'emails',
      `INSERT INTO user_values (user_id, attribute, position, value, type, is_primary)
       SELECT id, 'emails', 0, email, 'work', true FROM users WHERE user_code LIKE 'user%@bench.example' ORDER BY created_at`,
    );
    await step(
      'employments',
      `INSERT INTO employments (user_id, account_id, is_main) SELECT id, $1::uuid, true FROM users WHERE user_code LIKE 'user%@bench.example'`,
      [GUEST_ACCOUNT_ID],
    );
    await step(
      'roles',
      `INSERT INTO role_assignments (user_id, role) SELECT id, 'individual' FROM users WHERE user_code LIKE 'user%@bench.example'`,
    );
    await db.query('COMMIT');
    // VACUUM too: a directory that has been in use a while is vacuumed (hint bits set, visibility
    // map and GIN pending lists up to date), and autovacuum then does not start during the phases.
    // BENCH_VACUUM=0: ANALYZE only, as right after a mass import (GIN pending lists still full).
    await step('analyze', env.BENCH_VACUUM === '0' ? 'ANALYZE' : 'VACUUM (ANALYZE)');
    const { rows } = await db.query(
      'SELECT count(*)::int AS n, pg_size_pretty(pg_database_size(current_database())) AS size FROM users',
    );
    if (rows[0].n < USERS) throw new Error(`expected ${USERS} users after loading, found ${rows[0].n}`);
    return { ms: performance.now() - t0, steps, size: rows[0].size };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await db.end();
  }
}

/** Users per lower-cased 3-letter family-name prefix, as the filter should count them. */
async function prefixCounts(stats: pg.Client): Promise<Map<string, number>> {
  const { rows } = await stats.query(
    "SELECT lower(left(family_name, 3)) AS p, count(*)::int AS n FROM users WHERE status <> 'deleted' AND length(family_name) >= 3 GROUP BY 1",
  );
  return new Map(rows.map((r) => [r.p as string, r.n as number]));
}

// ---------------------------------------------------------------------------
// HTTP: node:http over a keep-alive agent (about half the client CPU of fetch,
// which matters: the load generator shares its core with PostgreSQL)

let agent = new Agent({ keepAlive: true });
function installAgent(connections: number) {
  agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

/** Fails loudly: a wrong answer is a bug, not a figure. */
class CheckFailed extends Error {}
/** A value for an error message, whatever it is. */
const show = (v: unknown, max = 300) => String(JSON.stringify(v) ?? v).slice(0, max);
function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new CheckFailed(what);
}

async function scim(
  method: string,
  path: string,
  body?: unknown,
  base = SCIM,
): Promise<{ status: number; doc: Json; headers: IncomingHttpHeaders }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const { status, text, headers } = await new Promise<{ status: number; text: string; headers: IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = request(
        `${base}${path}`,
        {
          method,
          agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/scim+json',
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data, headers: res.headers }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    },
  );
  let doc: Json;
  try {
    doc = text ? JSON.parse(text) : undefined;
  } catch {
    throw new CheckFailed(`${method} ${path}: ${status}, not JSON: ${text.slice(0, 200)}`);
  }
  return { status, doc, headers };
}

/** An Entra ID-like new user (no password). */
function entraUser(userName: string) {
  const given = pick(GIVEN_NAMES);
  const family = pick(FAMILY_NAMES);
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: randomUUID(),
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
    [ENTERPRISE]: { department: pick(DEPARTMENTS) },
  };
}

async function createUser(tag: string, base = SCIM): Promise<void> {
  const body = entraUser(`${tag}@new.bench.example`);
  const { status, doc, headers } = await scim('POST', '/Users', body, base);
  check(status === 201, `POST /Users answered ${status}: ${show(doc, 300)}`);
  check(typeof doc?.id === 'string' && UUID.test(doc.id), `POST /Users: no id in ${show(doc, 200)}`);
  check(
    doc.userName === body.userName && doc.externalId === body.externalId,
    `POST /Users echoed ${doc.userName}/${doc.externalId}, sent ${body.userName}/${body.externalId}`,
  );
  check(
    doc.emails?.[0]?.value === body.userName && doc[ENTERPRISE]?.department === body[ENTERPRISE].department,
    'POST /Users: emails or department not echoed',
  );
  check(headers.location?.endsWith(`/Users/${doc.id}`), `POST /Users: Location ${headers.location}`);
}

async function getByUserName(n: number, base = SCIM): Promise<void> {
  const userName = `user${n}@bench.example`;
  const { status, doc } = await scim(
    'GET',
    `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
    undefined,
    base,
  );
  check(status === 200, `GET userName eq "${userName}" answered ${status}: ${show(doc, 300)}`);
  check(
    doc.totalResults === 1 && doc.Resources?.length === 1,
    `userName eq "${userName}": totalResults ${doc.totalResults}, ${doc.Resources?.length} resources`,
  );
  const u = doc.Resources[0];
  check(
    u.userName === userName && u.emails?.[0]?.value === userName && u.active === true,
    `userName eq "${userName}" found ${u.userName}`,
  );
}

const PAGE_SIZE = 200;

/** Returns totalResults; checks it against `expected` when given. */
async function searchFamilyPrefix(prefix: string, expected: number | undefined, base = SCIM): Promise<number> {
  const { status, doc } = await scim(
    'GET',
    `/Users?filter=${encodeURIComponent(`name.familyName sw "${prefix}"`)}`,
    undefined,
    base,
  );
  check(status === 200, `GET name.familyName sw "${prefix}" answered ${status}: ${show(doc, 300)}`);
  const total = doc.totalResults as number;
  if (expected !== undefined)
    check(total === expected, `familyName sw "${prefix}": totalResults ${total}, ${expected} in the database`);
  check(total > 0, `familyName sw "${prefix}" found nobody`);
  const page = (doc.Resources ?? []) as Json[];
  check(
    page.length === Math.min(PAGE_SIZE, total) && doc.itemsPerPage === page.length,
    `familyName sw "${prefix}": ${page.length} resources (itemsPerPage ${doc.itemsPerPage}) of ${total}`,
  );
  for (const u of page)
    check(
      String(u.name?.familyName ?? '')
        .toLowerCase()
        .startsWith(prefix),
      `familyName sw "${prefix}" returned ${u.name?.familyName}`,
    );
  return total;
}

function bulkBody(tag: string, ops: number) {
  return {
    schemas: [BULK_REQUEST],
    Operations: Array.from({ length: ops }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `u${i}`,
      data: entraUser(`${tag}-${i}@bulk.bench.example`),
    })),
  };
}

/** One Bulk request of POST /Users; checks every operation. Returns the wall time in ms. */
async function bulk(tag: string, ops: number, stats: pg.Client | undefined, base = SCIM): Promise<number> {
  const body = bulkBody(tag, ops);
  const t = performance.now();
  const { status, doc } = await scim('POST', '/Bulk', body, base);
  const ms = performance.now() - t;
  check(status === 200, `Bulk answered ${status}: ${show(doc, 300)}`);
  const results = (doc.Operations ?? []) as Json[];
  check(results.length === ops, `Bulk: ${results.length} operation results for ${ops} operations`);
  const bad = results.filter((r) => r.status !== '201' || typeof r.location !== 'string');
  check(!bad.length, `Bulk: ${bad.length} operations not "201" with a location; first: ${show(bad[0], 300)}`);
  check(new Set(results.map((r) => r.bulkId)).size === ops, 'Bulk: bulkIds missing or repeated in the response');
  if (stats) {
    const { rows } = await stats.query('SELECT count(*)::int AS n FROM users WHERE user_code LIKE $1', [
      `${tag}-%@bulk.bench.example`,
    ]);
    check(rows[0].n === ops, `Bulk: ${rows[0].n} users in the database, ${ops} created`);
  }
  return ms;
}

// ---------------------------------------------------------------------------
// CPU readings of this benchmark's server and database

function usage(): Usage {
  return cpuUsage(server.pid, DB_NAME);
}

// ---------------------------------------------------------------------------
// Phases

type Timed = Omit<PhaseResult, 'figure' | 'target'>;

/** One phase: `op` in `concurrency` loops for WARMUP + SECONDS (bench/lib/timed-loop.ts). */
async function timed(key: string, label: string, concurrency: number, op: () => Promise<void>): Promise<Timed> {
  process.stdout.write(`(${key}) ${label}, concurrency ${concurrency} … `);
  if (CPU_PROF)
    process.stdout.write(
      `[measured from ${((Date.now() - server.startedAt) / 1000 + WARMUP).toFixed(1)} s of the server's life] `,
    );
  const { before, after, ...figures } = await timedLoop({
    concurrency,
    warmupSeconds: WARMUP,
    seconds: SECONDS,
    maxOpsPerWorker: MAX_OPS_PER_WORKER,
    op,
    sample: usage,
  });
  const result: Timed = { key, label, concurrency, ...figures, ...(before ? cpuBetween(before, after) : {}) };
  console.log(`${result.opsPerSec.toFixed(1)}/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`);
  return result;
}

async function bulkPhase(stats: pg.Client, run: string): Promise<PhaseResult> {
  process.stdout.write(
    `(4) POST /Bulk, ${BULK_OPS} × POST /Users, ${BULK_RUNS} run(s) after a 50-operation warm-up … `,
  );
  await bulk(`bw-${run}`, Math.min(50, BULK_OPS), stats);
  const times: number[] = [];
  // CPU of the request windows only (not the checks in between), summed over the runs.
  const sum: Usage = { server: 0, serverMain: 0, pg: 0, load: 0, machine: [], at: 0 };
  for (let i = 0; i < BULK_RUNS; i++) {
    const a = usage();
    times.push(await bulk(`b${i}-${run}`, BULK_OPS, stats));
    const b = usage();
    sum.server += b.server - a.server;
    sum.serverMain += b.serverMain - a.serverMain;
    sum.pg += b.pg - a.pg;
    sum.load += b.load - a.load;
    sum.machine = b.machine.map((v, j) => (sum.machine[j] ?? 0) + v - a.machine[j]!);
    sum.at += b.at - a.at;
  }
  const sorted = [...times].sort((x, y) => x - y);
  const median = percentile(sorted, 50);
  console.log(times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', '));
  const cpu = cpuBetween({ server: 0, serverMain: 0, pg: 0, load: 0, machine: sum.machine.map(() => 0), at: 0 }, sum);
  return {
    key: '4',
    label: `POST /Bulk, ${BULK_OPS} × POST /Users (wall time of one request)`,
    concurrency: 1,
    ops: BULK_RUNS,
    opsPerSec: (1000 * BULK_OPS) / median,
    p50: median,
    p95: sorted.at(-1)!,
    p99: sorted.at(-1)!,
    figure: `${(median / 1000).toFixed(2)} s${BULK_RUNS > 1 ? ` (median; ${sorted.map((t) => (t / 1000).toFixed(2)).join(' / ')})` : ''}`,
    target: '< 3 s',
    met: sorted.at(-1)! < 3000,
    note: `${((1000 * BULK_OPS) / median).toFixed(0)} operations/s; ${(median / BULK_OPS).toFixed(2)} ms per operation`,
    ...cpu,
  };
}

// ---------------------------------------------------------------------------
// SQL statements per request, counted in-process (the server is stopped by then)

async function traceStatements(dbUrl: string): Promise<Record<string, number>> {
  // oidc-provider warns about the Node version when it loads; the server's log has said so already.
  const warn = console.warn;
  console.warn = () => {};
  const [{ loadConfig }, { createBenchContainer }, { buildApp }, { default: pino }] = await Promise.all([
    import('../src/config/config.js'),
    import('./lib/container.js'),
    import('../src/app.js'),
    import('pino'),
  ]).finally(() => (console.warn = warn));
  const config = loadConfig({
    ...env,
    DATABASE_URL: dbUrl,
    ISSUER,
    GATEHOUSE_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    DATA_DIR: join(tmpdir(), 'gatehouse-bench-scim-data'),
    NODE_ENV: SERVER_NODE_ENV,
  });
  const c = await createBenchContainer(config, { log: pino({ level: 'silent' }) });
  let http: Server | undefined;
  try {
    const { handle } = await buildApp(c);
    http = createServer(handle);
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/scim/v2`;
    let statements = 0;
    c.db.on('query', () => statements++);
    const count = async (fn: () => Promise<unknown>) => {
      await fn(); // warm (caches, token last-use)
      const before = statements;
      await fn();
      return statements - before;
    };
    const tag = `trace-${Date.now().toString(36)}`;
    let i = 0;
    const prefix = FAMILY_NAMES[0]!.slice(0, 3).toLowerCase();
    const ops = 10;
    return {
      '1': await count(() => createUser(`${tag}-${i++}`, base)),
      '2': await count(() => getByUserName(1 + Math.floor(Math.random() * USERS), base)),
      '3': await count(() => searchFamilyPrefix(prefix, undefined, base)),
      '4': (await count(() => bulk(`${tag}-b${i++}`, ops, undefined, base))) / ops,
    };
  } finally {
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    await c.close();
  }
}

// ---------------------------------------------------------------------------
// Report

function report(unsorted: PhaseResult[]) {
  const results = [...unsorted].sort((a, b) => a.key.localeCompare(b.key));

  console.log(
    `\nResults (${USERS.toLocaleString('en')} users; timed phases: ${SECONDS} s measured after ${WARMUP} s warm-up; latency of whole requests)\n`,
  );
  printTable(
    [
      ['', 'metric', 'conc.', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'figure', 'target', ''],
      ...results.map((r) => [
        `(${r.key})`,
        r.label,
        String(r.concurrency),
        String(r.ops),
        r.key === '4' ? '—' : r.opsPerSec.toFixed(1),
        r.p50.toFixed(1),
        r.p95.toFixed(1),
        r.p99.toFixed(1),
        r.figure,
        r.target,
        r.met === undefined ? '' : r.met ? 'MET' : 'MISSED',
      ]),
    ],
    2,
  );
  const notes = results.filter((r) => r.note);
  if (notes.length) console.log(notes.map((r) => `  (${r.key}) ${r.note}`).join('\n'));

  console.log('\nWhere the CPU went (share of one core during the measured window, from /proc)\n');
  // opsPerSec is requests per second, for (4) Bulk operations per second.
  const per = (share: number | undefined, r: PhaseResult) =>
    share === undefined || !r.opsPerSec ? undefined : (1000 * share) / r.opsPerSec;
  printTable(
    [
      ['', 'server', 'main thr.', 'server ms/req', 'PostgreSQL', 'PG ms/req', 'load gen.', 'core0 / core1', 'SQL/req'],
      ...results.map((r) => [
        `(${r.key})`,
        percent(r.serverCpu),
        percent(r.serverMainCpu),
        fixed(per(r.serverCpu, r), 2),
        percent(r.pgCpu),
        fixed(per(r.pgCpu, r), 2),
        percent(r.loadCpu),
        r.coreBusy ? r.coreBusy.map(percent).join(' / ') : '—',
        fixed(r.sqlPerRequest, r.key === '4' ? 1 : 0),
      ]),
    ],
    1,
  );
  console.log(
    [
      'server = the Gatehouse process on core 0 (main = its JavaScript thread). ms/req = CPU milliseconds per request;',
      "  for (4) per Bulk operation. PostgreSQL = postmaster, auxiliary processes and this database's backends",
      `  (${PIN_PG ? 'moved to core 1, with the load generator' : 'unpinned'}). core0 / core1 = how busy each core was, whoever ran there.`,
      'SQL/req = statements the app sends for one request (for (4): per operation, BEGIN/COMMIT included),',
      '  counted in-process afterwards on a request of each kind.',
      `Load average at the end: ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    ].join('\n'),
  );

  console.log('\nTargets:');
  for (const r of results)
    if (r.met !== undefined)
      console.log(`  ${r.met ? 'MET   ' : 'MISSED'}  (${r.key}) ${r.figure} (target ${r.target})`);

  if (env.BENCH_JSON) {
    writeFileSync(
      env.BENCH_JSON,
      JSON.stringify(
        {
          users: USERS,
          seconds: SECONDS,
          warmup: WARMUP,
          pinned: PIN,
          pinnedPostgres: PIN_PG,
          node: process.version,
          results,
        },
        null,
        2,
      ),
    );
  }
}

// ---------------------------------------------------------------------------
// Entry (last, so every declaration above is initialised).
// The load generator pins itself to core 1 (the server gets core 0).
await runOnLoadCore(PIN, import.meta.url, main);
