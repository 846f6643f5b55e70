/**
 * The admin API (`/admin/api`) on PostgreSQL with a large directory, the server pinned to one core:
 * the users list (filters, search, sorts, keyset paging), the CSV import and the exports.
 *
 *   npm run bench:admin
 *
 * What it does:
 *   1. re-executes itself under `taskset -c 1` (the load generator gets core 1);
 *   2. drops and recreates the database, runs the migrations by creating the container
 *      once, and through it makes one admin (main role `admin`, with a password) and one
 *      first-party confidential client (authorization code);
 *   3. loads BENCH_USERS users with set-based SQL (INSERT … SELECT FROM generate_series,
 *      random() seeded with setseed, so every run loads the same directory):
 *        - `user{n}@bench.example`, userCode `U{n}` (7 digits), given names from a list of 62,
 *          family names from a list of 200 drawn unevenly (the first ~7 %, the last ~0.25 %:
 *          a `q` of 3 letters finds from ~150 to ~16,000 users), department (10 % none);
 *        - status 88 % active, 7 % new, 5 % inactive; main role 95 % individual, 4 % manager,
 *          1 % hr; tags `contractor` (20 %) or `vip` (5 %);
 *        - created_at uniform over two years; last_sign_in_at between the later of created_at
 *          and a year ago and now, for 90 % of the users who are not `new` (null otherwise);
 *        - 10 customer accounts holding 10 %, 6 %, 4 %, 3 %, 2 %, 1.5 %, 1 %, 0.6 %, 0.3 %,
 *          0.1 % of the main employments (the rest: the guest account), and 4 % of the users
 *          employed by a second customer account (a third of those employments ended);
 *        - as a user is written (src/repositories/users.ts CREATE_SQL): the primary work
 *          email in `user_values`, the main employment, the main role's assignment;
 *        - 5 groups of 30 %, ~10 % (the first account's main employees), 2 %, 1 % (hr and
 *          manager users) and 25 members;
 *        - a custom field `costCentre` of type option with 20 options (`CC-100` … `CC-290`),
 *          its row as repositories/custom-fields.ts writes it, and a value on every user in
 *          `users.custom_attributes` (chosen by hashint4(n), so ~5 % each; no random() draw,
 *          the rest of the directory stays as it was);
 *        - a licence type `office` (repositories/licences.ts's row, no seat limit) held by
 *          ~40 % of the users (`user_licences` rows);
 *      then VACUUM (ANALYZE). Prints how long that took and the spread;
 *   4. moves the local PostgreSQL to core 1 (BENCH_PIN_PG), starts
 *      `taskset -c 0 node --import tsx src/main.ts` (NODE_ENV=production, MFA_REQUIRED_ROLES=
 *      empty so the admin signs in with a password only, TTL_ACCESS_TOKEN=1 day) and waits
 *      for /readyz;
 *   5. signs the admin in through the real pages with openid-client (test/helpers/rp.ts,
 *      test/helpers/browser.ts): authorization code + PKCE, scope `openid admin`,
 *      resource `<issuer>/admin/api` → a JWT access token for the whole run;
 *   6. phase (1), the users list, over keep-alive connections (node:http); the expected
 *      answers are computed in SQL beforehand (the total, and the ids of the page in order):
 *        (1a) GET /users?status=active&role=individual&sort=-createdAt&limit=50 (first page);
 *        (1b) GET /users?q=<3 letters>&sort=familyName&limit=50, q the first three letters
 *             of a family name of the list (those that occur in "user@bench.example" left
 *             out: they match every user by the email);
 *        (1c) GET /users?accountId=<the largest customer account, ~10k>&sort=email&limit=50 (current
 *             employments: the list's default employment=current);
 *        (1d) GET /users?status=active&sort=-lastSignInAt&limit=50&cursor=…, pages
 *             BENCH_DEEP_FROM (20) onwards: the listing is walked once by nextCursor (every
 *             page checked), then pages 20–59 are requested in turn with their cursors;
 *        (1f) GET /users?cf.costCentre=CC-100&sort=-createdAt&limit=50 (~5 % of the users);
 *        (1g) GET /users?licence=office&status=active&sort=email&limit=50 (~35 %);
 *      each one at a time for BENCH_WARMUP + BENCH_SECONDS (latency, not queueing), then
 *        (1e) (1a)–(1d) in turn at concurrency BENCH_CONCURRENCY (8), for throughput;
 *      checks: 200, `total` equal to the count in SQL, the page's ids exactly the ones SQL
 *      sorts first (so `items.length` and the order are right), nextCursor present while
 *      more follow (and, in (1d), the very cursor of the next page);
 *   7. phase (3), the exports, before the import so they hold the loaded directory
 *      (BENCH_USERS users and the admin), each streamed once to a temporary file:
 *        (3a) GET /exports/users.csv?columns=id,email,givenName,familyName,status,createdAt;
 *        (3b) GET /exports/users.csv (every column);
 *        (3c) GET /exports/users.xlsx;
 *      wall time from the request to the last byte, and bytes; checks: 200, the media
 *      type, then (untimed) the CSV parsed: its header, one row per user, each user once
 *      with their email and status; the XLSX read back: one row per user and a header;
 *   8. phase (2), the import: a CSV of BENCH_IMPORT_ROWS rows (header
 *      email,givenName,familyName,status,mainRole,mainAccount,department,tags; tags
 *      separated by ";"), written beforehand: every other row an existing user
 *      (`user{2k}`, keeping their names, status, role and main account; department and
 *      tags changed), the others new users `import{k}@bench.example` (active, individual,
 *      a customer account for 40 %); streamed from the file as the body of
 *      POST /imports?key=email&mode=upsert&dryRun=false (content-type text/csv);
 *      wall time from the request to the answer; checks: 201 and the finished job
 *      ({ status: succeeded, total, processed, created, updated, failed: 0 }), then every
 *      row's user in the database with the file's values, and the new users' main
 *      employment, role assignment and primary email rows;
 *      a phase whose route answers 404 (not built yet) is skipped with a line saying so;
 *      any failed check stops the benchmark (exit code 1);
 *   9. phase (4), a bulk action over a filter: `createdTo` set to the created_at of the
 *      (BENCH_USERS/2 + 1)-th oldest user, so it matches half the loaded users (50,000 of
 *      100,000; the count computed in SQL is the expectedCount), action `tags.add`
 *      ["bulk-bench"]: POST /users/bulk-actions answers 202 with a job, followed by
 *      GET /bulk-jobs/{id} every 250 ms; wall time from the request to the job's end;
 *      checks: the job succeeded with every user done and none refused, exactly those
 *      users hold the tag in the database, one `user.bulk_action` audit event and one
 *      `user.updated` per user;
 *  10. stops the server. (Right after phase (1), with the server idle, the SQL statements
 *      behind one request of each list kind are counted by running the app in-process, as
 *      bench/sql-trace.ts does: before the import changes the answers phase (1) checks.)
 *  11. prints a table and the targets; drops the database (also on error).
 *
 * Targets (issue 5): (1) p99 < 50 ms (issue 13: also with custom-field and licence filters, 1f and 1g); (2) 100,000 rows in < 60 s; (3) 100,000 users in < 20 s
 * (the CSV with the columns above; the full CSV and the XLSX have none). Issue 13: (4) a bulk
 * action over 50,000 users in < 30 s.
 *
 * Settings (environment):
 *   BENCH_USERS=100000  BENCH_IMPORT_ROWS=100000  BENCH_SECONDS=10  BENCH_WARMUP=2
 *   BENCH_CONCURRENCY=8  BENCH_DEEP_FROM=20  BENCH_DEEP_PAGES=40  BENCH_ONLY=1,2,3,4 (also 1a…1g, 3a…3c)
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_admin
 *   BENCH_PORT=3920  BENCH_PIN=1 (0: do not use taskset)
 *   BENCH_PIN_PG=1  moves the local PostgreSQL to core 1 for the run and back afterwards
 *   BENCH_NODE_ENV=production (the server's NODE_ENV, as in the Dockerfile)
 *   BENCH_POOL_MAX=<n>  the server's DATABASE_POOL_MAX (default: the server's, 10)
 *   BENCH_CPU_PROF=<dir>  run the server with --cpu-prof, profiles written to <dir>
 *   BENCH_SQL_TRACE=1  count the statements per list request afterwards (0 skips it)
 *   BENCH_JSON=<file>  also write the results as JSON
 *   BENCH_KEEP_DB=1  leave the database in place at the end (for EXPLAIN; dropped by default)
 */
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import pg from 'pg';
import { relyingParty } from '../test/helpers/rp.js';
import type { TestServer } from '../test/helpers/server.js';
import { cpuBetween, machineCpu, usage as cpuUsage, type Usage } from './lib/cpu.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { canPin, movePostgresToLoadCore, releasePostgres, runOnLoadCore } from './lib/pinning.js';
import { revision } from './lib/revision.js';
import { createServerProcess } from './lib/server-process.js';
import { fixed, percent, printTable } from './lib/table.js';
import { timedLoop } from './lib/timed-loop.js';
import type { Json } from '../test/helpers/json.js';
import { DEPARTMENTS, GIVEN_NAMES } from './lib/names.js';
import {
  CF_KEY,
  CF_OPTIONS,
  CF_VALUE,
  type Directory,
  FAMILY_NAMES,
  GUEST_ACCOUNT_ID,
  LICENCE_KEY,
  LICENCE_SHARE,
  loadDirectory as loadBenchDirectory,
} from './lib/directory.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;

const USERS = Math.max(100, Math.floor(num('BENCH_USERS', 100_000)));
const IMPORT_ROWS = Math.max(2, Math.floor(num('BENCH_IMPORT_ROWS', 100_000)));
const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP', 2);
const CONCURRENCY = Math.max(1, num('BENCH_CONCURRENCY', 8));
const DEEP_FROM = Math.max(1, Math.floor(num('BENCH_DEEP_FROM', 20)));
const DEEP_PAGES = Math.max(1, Math.floor(num('BENCH_DEEP_PAGES', 40)));
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_admin';
const PORT = num('BENCH_PORT', 3920);
const ONLY = new Set(
  (env.BENCH_ONLY ?? '1,2,3,4')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
/** Whether phase `key` (e.g. "1b") runs: BENCH_ONLY names it or its number. */
const runs = (key: string) => ONLY.has(key) || ONLY.has(key.replace(/[a-z]$/, ''));
/** Whether any phase of group `n` (e.g. "1" for 1a…1g) runs. */
const runsAny = (n: string) => [...ONLY].some((k) => k.replace(/[a-z]$/, '') === n);
const PIN = canPin();
const PIN_PG = PIN && env.BENCH_PIN_PG !== '0';
const SERVER_NODE_ENV = env.BENCH_NODE_ENV ?? 'production';
const CPU_PROF = env.BENCH_CPU_PROF;
const SQL_TRACE = env.BENCH_SQL_TRACE !== '0';

/** Every list request gives up after this long; the import and exports after IMPORT_TIMEOUT_MS. */
const REQUEST_TIMEOUT_MS = 60_000;
const IMPORT_TIMEOUT_MS = 15 * 60_000;
/** A cap on operations per worker and phase, next to the time bound. */
const MAX_OPS_PER_WORKER = 1_000_000;
const PAGE = 50;
const LIST_TARGET_MS = 50;
const IMPORT_TARGET_S = 60;
const EXPORT_TARGET_S = 20;
const BULK_TARGET_S = 30;
const BULK_TAG = 'bulk-bench';

const ISSUER = `http://127.0.0.1:${PORT}`;
const API = `${ISSUER}/admin/api`;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PASSWORD = 'violet-harbour-47-lantern';
const ADMIN_EMAIL = 'bench-admin@bench.test';
const CLIENT_ID = 'bench-admin-console';
const CLIENT_SECRET = 'bench-admin-console-secret-0123456789abcdef0123';
const REDIRECT_URI = 'http://127.0.0.1:9/bench/callback';
const DATA_DIR = join(tmpdir(), 'gatehouse-bench-admin-data');
const WORK_DIR = join(tmpdir(), `gatehouse-bench-admin-${process.pid}`);
const EXPORT_COLUMNS = ['id', 'email', 'givenName', 'familyName', 'status', 'createdAt'];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

// ---------------------------------------------------------------------------

interface PhaseResult {
  key: string;
  label: string;
  concurrency: number;
  /** Requests measured (for (2) and (3): 1). */
  ops: number;
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  /** For (2) and (3): the wall time in ms and the bytes sent or received. */
  wallMs?: number;
  bytes?: number;
  figure: string;
  target: string;
  met?: boolean;
  note?: string;
  serverCpu?: number;
  serverMainCpu?: number;
  pgCpu?: number;
  loadCpu?: number;
  coreBusy?: number[];
  sqlPerRequest?: number;
}

const server = createServerProcess();
let token = '';
const skipped: string[] = [];

async function main() {
  const results: PhaseResult[] = [];
  server.killOnSignals();

  console.log(
    `Gatehouse ${revision(ROOT)} admin API benchmark — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; server ${PIN ? 'pinned to core 0' : 'NOT pinned'}, load generator ${PIN ? 'pinned to core 1' : 'NOT pinned'}, ` +
      `PostgreSQL ${PIN_PG ? 'moved to core 1' : 'unpinned'}; ${USERS.toLocaleString('en')} users; ${WARMUP}s warm-up + ${SECONDS}s per timed phase; ` +
      `load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
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
      DATA_DIR,
      // The admin signs in with a password only (empty = no role needs MFA).
      MFA_REQUIRED_ROLES: '',
      // One token for the whole run.
      TTL_ACCESS_TOKEN: String(24 * 3600),
      ...(env.BENCH_POOL_MAX ? { DATABASE_POOL_MAX: env.BENCH_POOL_MAX } : {}),
    };
    process.stdout.write('migrations, admin and client … ');
    await prepare(serverEnv);
    console.log('done');

    process.stdout.write(`loading ${USERS.toLocaleString('en')} users with set-based SQL … `);
    const load = await loadBenchDirectory(dbUrl, USERS);
    console.log(
      `${(load.ms / 1000).toFixed(1)} s (${Object.entries(load.steps)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(', ')}); database ${load.size}`,
    );
    console.log(`  ${load.spread}`);
    const dir = load.directory;

    if (PIN_PG) movePostgresToLoadCore();
    await server.start({
      root: ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: SERVER_NODE_ENV },
      issuer: ISSUER,
      pin: PIN,
      cpuProfDir: CPU_PROF,
    });
    installAgent(CONCURRENCY * 2);
    token = await signIn();
    console.log(
      'admin signed in (openid-client, authorization code + PKCE): a JWT access token for /admin/api, scope admin',
    );

    const stats = new pg.Client({ connectionString: dbUrl });
    await stats.connect();
    mkdirSync(WORK_DIR, { recursive: true });
    try {
      if (runsAny('1')) results.push(...(await listPhases(stats, dir)));
      // Before the import changes the directory the expected answers were computed on.
      if (SQL_TRACE && listed) await countStatements(dbUrl, results);
      if (runsAny('3')) results.push(...(await exportPhases(stats)));
      if (runsAny('2')) {
        const r = await importPhase(stats, dir);
        if (r) results.push(r);
      }
      if (runsAny('4')) {
        const r = await bulkPhase(stats);
        if (r) results.push(r);
      }
    } finally {
      await stats.end().catch(() => {});
      rmSync(WORK_DIR, { recursive: true, force: true });
    }
  } catch (err) {
    server.failed(err);
  } finally {
    await server.kill();
    if (PIN_PG) releasePostgres();
  }

  if (env.BENCH_KEEP_DB !== '1')
    await dropDatabase(PG_URL, DB_NAME).catch((err) => console.error('could not drop the database:', err));
  else console.log(`database ${DB_NAME} kept (BENCH_KEEP_DB=1)`);

  if (results.length || skipped.length) report(results);
}

// ---------------------------------------------------------------------------
// Fixtures and the directory

/** Runs the migrations (by creating the container), makes the admin and the client. */
async function prepare(serverEnv: Record<string, string>): Promise<void> {
  const { benchAdmin, saveBenchClient, withBenchContainer } = await import('./lib/container.js');
  await withBenchContainer({ ...env, ...serverEnv }, async (c, actor) => {
    c.identity.create(benchAdmin(ADMIN_EMAIL, PASSWORD), actor),
      await saveBenchClient(c, {
        clientId: CLIENT_ID,
        secret: CLIENT_SECRET,
        redirectUri: REDIRECT_URI,
        name: 'Bench admin console',
      });
  });
}

/** The admin's sign-in through the pages (openid-client; setup, not measured); returns the access token. */
async function signIn(): Promise<string> {
  // oidc-provider and openid-client only need the URL of the "server".
  const rp = await relyingParty({ url: ISSUER } as TestServer, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
  });
  const { tokens } = await rp.signIn(
    { username: ADMIN_EMAIL, password: PASSWORD },
    { scope: 'openid admin', resource: API },
  );
  check(
    typeof tokens.access_token === 'string' && tokens.access_token.split('.').length === 3,
    'no JWT access token after sign-in',
  );
  return tokens.access_token;
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
const show = (v: unknown, max = 300) => String(JSON.stringify(v) ?? v).slice(0, max);
function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new CheckFailed(what);
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, unless it went to `sink` (then only an error answer's). */
  text: string;
  bytes: number;
}

/**
 * One request to the admin API with the admin's token. `body` may be a stream (sent
 * chunked, or with `content-length` when given); a 2xx answer goes to `sink` when given.
 */
function api(
  method: string,
  path: string,
  o: {
    body?: string | Readable;
    headers?: Record<string, string | number>;
    sink?: NodeJS.WritableStream;
    onChunk?: (chunk: Buffer) => void;
    timeoutMs?: number;
    base?: string;
  } = {},
): Promise<Reply> {
  const timeout = o.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = request(
      `${o.base ?? API}${path}`,
      {
        method,
        agent,
        timeout,
        headers: {
          authorization: `Bearer ${token}`,
          ...(typeof o.body === 'string' ? { 'content-length': Buffer.byteLength(o.body) } : {}),
          ...o.headers,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let bytes = 0;
        const chunks: Buffer[] = [];
        const toSink = o.sink && status >= 200 && status < 300;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (toSink) {
            o.onChunk?.(chunk);
            if (!o.sink!.write(chunk)) {
              res.pause();
              o.sink!.once('drain', () => res.resume());
            }
          } else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), bytes }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeout} ms`)));
    req.on('error', reject);
    if (o.body === undefined || typeof o.body === 'string') req.end(o.body);
    else {
      o.body.on('error', (err) => req.destroy(err));
      o.body.pipe(req);
    }
  });
}

const json = (r: Reply, what: string): Json => {
  try {
    return r.text ? JSON.parse(r.text) : undefined;
  } catch {
    throw new CheckFailed(`${what}: ${r.status}, not JSON: ${r.text.slice(0, 200)}`);
  }
};

/** A route that is not there (yet): the admin API's own 404. */
const isMissingRoute = (r: Reply) => r.status === 404 && /admin_api\.not_found/.test(r.text);

// ---------------------------------------------------------------------------
// Phase (1): the users list

/** What a page should be: the total, its ids in order, whether more follow. */
interface ExpectedPage {
  total: number;
  ids: string[];
  more: boolean;
  /** For (1d): the cursor of the next page, as the walk saw it. */
  next?: string;
}

/** GET /users?<query>; checks the answer against `expected`; returns the document. */
async function listPage(what: string, query: string, expected: ExpectedPage, base = API): Promise<Json> {
  const r = await api('GET', `/users?${query}`, { base });
  const doc = json(r, what);
  check(r.status === 200, `${what}: GET /users?${query} answered ${r.status}: ${show(doc)}`);
  check(doc.total === expected.total, `${what}: total ${doc.total}, ${expected.total} in SQL`);
  const items = (doc.items ?? []) as { id: string }[];
  check(items.length === expected.ids.length, `${what}: ${items.length} items, expected ${expected.ids.length}`);
  for (let i = 0; i < items.length; i++)
    check(
      items[i]!.id === expected.ids[i],
      `${what}: item ${i} is ${items[i]!.id}, SQL sorts ${expected.ids[i]} there`,
    );
  check(
    expected.more ? typeof doc.nextCursor === 'string' && doc.nextCursor.length > 0 : doc.nextCursor === null,
    `${what}: nextCursor ${show(doc.nextCursor, 80)} (more follow: ${expected.more})`,
  );
  if (expected.next !== undefined)
    check(doc.nextCursor === expected.next, `${what}: nextCursor differs from the walk's`);
  return doc;
}

/** The SQL (written here, not the app's) of each list kind: WHERE and ORDER BY. */
const Q_MATCH = `(lower(email) LIKE $1 OR lower(user_code) LIKE $1 OR lower(given_name) LIKE $1 OR lower(family_name) LIKE $1 OR lower(display_name) LIKE $1)`;

/** The total and the first `rows` ids of one listing, by SQL. */
async function expectedIds(
  stats: pg.Client,
  where: string,
  orderBy: string,
  params: unknown[],
  rows: number,
): Promise<{ total: number; ids: string[] }> {
  const { rows: r } = await stats.query(
    `SELECT id, count(*) OVER ()::int AS total FROM users u WHERE ${where} ORDER BY ${orderBy} LIMIT ${rows}`,
    params,
  );
  const total =
    r[0]?.total ?? (await stats.query(`SELECT count(*)::int AS n FROM users u WHERE ${where}`, params)).rows[0].n;
  return { total, ids: r.map((x) => x.id as string) };
}

/** The expected answers of the list kinds (by SQL) and the deep listing's cursors (by one walk). */
interface ListData {
  a: { total: number; ids: string[] };
  prefixes: string[];
  b: Map<string, { total: number; ids: string[] }>;
  account: { id: string; name: string };
  c: { total: number; ids: string[] };
  d: { total: number; ids: string[] };
  /** cursors[p]: the cursor of page p (cursors[0] is unused). */
  cursors: string[];
  f: { total: number; ids: string[] };
  g: { total: number; ids: string[] };
  notes: Record<string, string>;
}

const A_QUERY = `status=active&role=individual&sort=-createdAt&limit=${PAGE}`;
const D_QUERY = `status=active&sort=-lastSignInAt&limit=${PAGE}`;
const F_QUERY = `cf.${CF_KEY}=${encodeURIComponent(CF_VALUE)}&sort=-createdAt&limit=${PAGE}`;
const G_QUERY = `licence=${LICENCE_KEY}&status=active&sort=email&limit=${PAGE}`;
const bQuery = (prefix: string) => `q=${encodeURIComponent(prefix)}&sort=familyName&limit=${PAGE}`;
const cQuery = (accountId: string) => `accountId=${accountId}&sort=email&limit=${PAGE}`;
const deepPage = (data: Pick<ListData, 'd' | 'cursors'>, p: number, withNext: boolean): ExpectedPage => ({
  total: data.d.total,
  ids: data.d.ids.slice(p * PAGE, (p + 1) * PAGE),
  more: data.d.total > (p + 1) * PAGE,
  next: withNext ? data.cursors[p + 1] : undefined,
});

/** Computes every expected answer in SQL, then walks the deep listing once by nextCursor. */
async function listData(stats: pg.Client, dir: Directory): Promise<ListData> {
  const t = performance.now();
  process.stdout.write('expected answers in SQL … ');
  const a = await expectedIds(
    stats,
    // SPEC: the list filters on the main role.
    "u.status = 'active' AND u.main_role = 'individual'",
    'u.created_at DESC, u.id DESC',
    [],
    PAGE,
  );

  // First three letters of each family name, except those every email contains.
  const prefixes = [...new Set(FAMILY_NAMES.map((f) => f.slice(0, 3).toLowerCase()))].filter(
    (p) => !'user@bench.example'.includes(p),
  );
  const b = new Map<string, { total: number; ids: string[] }>();
  for (const p of prefixes)
    b.set(p, await expectedIds(stats, Q_MATCH, "coalesce(lower(u.family_name), ''), u.id", [`%${p}%`], PAGE));
  const bTotals = [...b.values()].map((v) => v.total).sort((x, y) => x - y);

  const account = dir.accounts[0]!;
  const c = await expectedIds(
    stats,
    // The list's default employment=current: ended employments do not count.
    'EXISTS (SELECT 1 FROM employments e WHERE e.user_id = u.id AND e.account_id = $1 AND (e.end_date IS NULL OR e.end_date >= current_date))',
    "coalesce(lower(u.email), ''), u.id",
    [account.id],
    PAGE,
  );

  const deepRows = (DEEP_FROM + DEEP_PAGES) * PAGE;
  const d = await expectedIds(
    stats,
    "u.status = 'active'",
    "coalesce(u.last_sign_in_at, '-infinity'::timestamptz) DESC, u.id DESC",
    [],
    deepRows,
  );
  check(
    d.ids.length === deepRows,
    `(1d) needs ${deepRows} active users, there are ${d.ids.length}: lower BENCH_DEEP_FROM/BENCH_DEEP_PAGES`,
  );

  const f = await expectedIds(
    stats,
    'u.custom_attributes @> $1::jsonb',
    'u.created_at DESC, u.id DESC',
    [JSON.stringify({ [CF_KEY]: CF_VALUE })],
    PAGE,
  );
  const g = await expectedIds(
    stats,
    "u.status = 'active' AND EXISTS (SELECT 1 FROM user_licences l JOIN licence_types t ON t.id = l.licence_type_id WHERE l.user_id = u.id AND t.key = $1)",
    "coalesce(lower(u.email), ''), u.id",
    [LICENCE_KEY],
    PAGE,
  );
  console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);

  process.stdout.write(`walking ${D_QUERY} by nextCursor to page ${DEEP_FROM + DEEP_PAGES - 1} (each page checked) … `);
  const tw = performance.now();
  const cursors: string[] = [''];
  for (let p = 0; p < DEEP_FROM + DEEP_PAGES; p++) {
    const doc = await listPage(
      `(1d) walk, page ${p}`,
      p ? `${D_QUERY}&cursor=${encodeURIComponent(cursors[p]!)}` : D_QUERY,
      deepPage({ d, cursors }, p, false),
    );
    cursors.push(doc.nextCursor);
  }
  console.log(`${((performance.now() - tw) / 1000).toFixed(1)} s`);
  return {
    a,
    prefixes,
    b,
    account,
    c,
    d,
    cursors,
    f,
    g,
    notes: {
      '1a': `total ${a.total.toLocaleString('en')}`,
      '1b': `${prefixes.length} prefixes; total min ${bTotals[0]} / median ${bTotals[Math.floor(bTotals.length / 2)]} / max ${bTotals.at(-1)}`,
      '1c': `${account.name}, total ${c.total.toLocaleString('en')}`,
      '1d': `pages ${DEEP_FROM}–${DEEP_FROM + DEEP_PAGES - 1} in turn, of ${Math.ceil(d.total / PAGE).toLocaleString('en')} (total ${d.total.toLocaleString('en')})`,
      '1f': `option ${CF_VALUE} of ${CF_OPTIONS.length}, total ${f.total.toLocaleString('en')}`,
      '1g': `${LICENCE_KEY} held by ~${LICENCE_SHARE * 100} %, active holders ${g.total.toLocaleString('en')}`,
    },
  };
}

/** The list requests, each checked; `d` asks for the next deep page in turn, or (random) any of them. */
function listOps(data: ListData, base = API) {
  let nextDeep = DEEP_FROM;
  const deep = (p: number) =>
    listPage(
      `(1d) page ${p}`,
      `${D_QUERY}&cursor=${encodeURIComponent(data.cursors[p]!)}`,
      deepPage(data, p, true),
      base,
    );
  return {
    a: () => listPage('(1a)', A_QUERY, { ...data.a, more: data.a.total > PAGE }, base),
    b: () => {
      const p = pick(data.prefixes);
      const e = data.b.get(p)!;
      return listPage(`(1b) q=${p}`, bQuery(p), { ...e, more: e.total > PAGE }, base);
    },
    c: () => listPage('(1c)', cQuery(data.account.id), { ...data.c, more: data.c.total > PAGE }, base),
    d: (random = false) => {
      if (random) return deep(DEEP_FROM + Math.floor(Math.random() * DEEP_PAGES));
      const p = nextDeep;
      nextDeep = p + 1 < DEEP_FROM + DEEP_PAGES ? p + 1 : DEEP_FROM;
      return deep(p);
    },
    f: () => listPage('(1f)', F_QUERY, { ...data.f, more: data.f.total > PAGE }, base),
    g: () => listPage('(1g)', G_QUERY, { ...data.g, more: data.g.total > PAGE }, base),
  };
}

/** Kept for the SQL count afterwards. */
let listed: ListData | undefined;

async function listPhases(stats: pg.Client, dir: Directory): Promise<PhaseResult[]> {
  listed = await listData(stats, dir);
  const data = listed;
  const kinds = listOps(data);
  const results: PhaseResult[] = [];
  const latency = async (key: string, label: string, op: () => Promise<unknown>) => {
    if (!runs(key)) return;
    const r = await timed(key, label, 1, op);
    results.push({
      ...r,
      figure: `p99 ${r.p99.toFixed(1)} ms`,
      target: `p99 < ${LIST_TARGET_MS} ms`,
      met: r.p99 < LIST_TARGET_MS,
      note: data.notes[key],
    });
  };
  await latency('1a', `GET /users?${A_QUERY}`, kinds.a);
  await latency('1b', `GET /users?q=<3 letters>&sort=familyName&limit=${PAGE}`, kinds.b);
  await latency('1c', `GET /users?${cQuery('<~10k account>')}`, kinds.c);
  await latency('1d', `GET /users?${D_QUERY}&cursor=… (page ${DEEP_FROM}+)`, () => kinds.d());
  await latency('1f', `GET /users?${F_QUERY}`, kinds.f);
  await latency('1g', `GET /users?${G_QUERY}`, kinds.g);
  if (runs('1e')) {
    let i = 0;
    const mix = [kinds.a, kinds.b, kinds.c, () => kinds.d(true)];
    const r = await timed('1e', '(1a)–(1d) in turn', CONCURRENCY, () => mix[i++ % mix.length]!());
    results.push({ ...r, figure: `${r.opsPerSec.toFixed(0)} req/s`, target: '(throughput)' });
  }
  return results;
}

// ---------------------------------------------------------------------------
// Phase (3): exports

/** Counts CSV records (newlines outside quotes) as the bytes go by. */
function csvRecordCounter() {
  let inQuotes = false;
  let records = 0;
  return {
    feed(chunk: Buffer) {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 0x22) inQuotes = !inQuotes;
        else if (b === 0x0a && !inQuotes) records++;
      }
    },
    get records() {
      return records;
    },
  };
}

/** One GET streamed to a file: wall time, bytes, CPU of the window; null when the route is not there. */
async function download(path: string, file: string, onChunk?: (chunk: Buffer) => void) {
  const out = createWriteStream(file);
  const u0 = usage();
  const t = performance.now();
  const r = await api('GET', path, { sink: out, onChunk, timeoutMs: IMPORT_TIMEOUT_MS });
  const ms = performance.now() - t;
  const u1 = usage();
  out.end();
  await finished(out);
  if (isMissingRoute(r)) return null;
  check(r.status === 200, `GET ${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return { ms, bytes: r.bytes, headers: r.headers, cpu: cpuBetween(u0, u1) };
}

async function exportPhases(stats: pg.Client): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  const { rows: users } = await stats.query('SELECT id, email, status FROM users');
  const byId = new Map(users.map((u) => [u.id as string, u as { id: string; email: string | null; status: string }]));
  const expected = users.length;

  const csvPhase = async (key: string, label: string, path: string, columns: string[] | undefined, target: boolean) => {
    if (!runs(key)) return;
    process.stdout.write(`(${key}) ${label} … `);
    const file = join(WORK_DIR, `export-${key}.csv`);
    const counter = csvRecordCounter();
    const got = await download(path, file, (chunk) => counter.feed(chunk));
    if (!got) {
      console.log('skipped');
      skipped.push(
        `(${key}) skipped: GET /admin/api${path.replace(/\?.*/, '')} answers 404 (the route does not exist yet)`,
      );
      return;
    }
    console.log(
      `${(got.ms / 1000).toFixed(2)} s, ${(got.bytes / 2 ** 20).toFixed(1)} MiB, ${counter.records.toLocaleString('en')} lines`,
    );
    check(
      /^text\/csv/.test(String(got.headers['content-type'])),
      `(${key}) content-type ${got.headers['content-type']}`,
    );
    // Untimed: the file parsed, every user once with their email and status.
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const records = parseCsv(text, { columns: false, skip_empty_lines: true, relax_column_count: false }) as string[][];
    const header = records[0] ?? [];
    if (columns)
      check(
        header.join(',') === columns.join(','),
        `(${key}) header ${header.join(',')}, asked for ${columns.join(',')}`,
      );
    for (const c of ['id', 'email', 'status'])
      check(header.includes(c), `(${key}) no ${c} column in ${header.join(',')}`);
    check(records.length - 1 === expected, `(${key}) ${records.length - 1} rows, ${expected} users in the database`);
    const [iId, iEmail, iStatus] = ['id', 'email', 'status'].map((c) => header.indexOf(c)) as [number, number, number];
    const seen = new Set<string>();
    for (const row of records.slice(1)) {
      const u = byId.get(row[iId]!);
      check(u, `(${key}) row for an unknown id ${row[iId]}`);
      check(!seen.has(u.id), `(${key}) user ${u.id} twice`);
      seen.add(u.id);
      check(
        (row[iEmail] || null) === u.email && row[iStatus] === u.status,
        `(${key}) user ${u.id}: ${row[iEmail]}/${row[iStatus]}, ${u.email}/${u.status} in the database`,
      );
    }
    const s = got.ms / 1000;
    results.push({
      key,
      label,
      concurrency: 1,
      ops: 1,
      opsPerSec: NaN,
      p50: got.ms,
      p95: got.ms,
      p99: got.ms,
      wallMs: got.ms,
      bytes: got.bytes,
      figure: `${s.toFixed(2)} s`,
      target: target ? `< ${EXPORT_TARGET_S} s` : '—',
      met: target ? s < EXPORT_TARGET_S : undefined,
      note: `${(got.bytes / 2 ** 20).toFixed(1)} MiB, ${expected.toLocaleString('en')} rows, ${Math.round(expected / s).toLocaleString('en')} rows/s, ${header.length} columns`,
      ...got.cpu,
    });
  };
  await csvPhase(
    '3a',
    `GET /exports/users.csv?columns=${EXPORT_COLUMNS.join(',')}`,
    `/exports/users.csv?columns=${EXPORT_COLUMNS.join(',')}`,
    EXPORT_COLUMNS,
    true,
  );
  await csvPhase('3b', 'GET /exports/users.csv (every column)', '/exports/users.csv', undefined, false);

  if (runs('3c')) {
    process.stdout.write('(3c) GET /exports/users.xlsx … ');
    const file = join(WORK_DIR, 'export.xlsx');
    const got = await download('/exports/users.xlsx', file);
    if (!got) {
      console.log('skipped');
      skipped.push('(3c) skipped: GET /admin/api/exports/users.xlsx answers 404 (the route does not exist yet)');
    } else {
      console.log(`${(got.ms / 1000).toFixed(2)} s, ${(got.bytes / 2 ** 20).toFixed(1)} MiB`);
      check(
        String(got.headers['content-type']).startsWith(XLSX_TYPE),
        `(3c) content-type ${got.headers['content-type']}`,
      );
      // Untimed: read back, one row per user and the header.
      const { default: ExcelJS } = await import('exceljs');
      let rows = 0;
      let sheets = 0;
      const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
        worksheets: 'emit',
        sharedStrings: 'cache',
        hyperlinks: 'ignore',
        styles: 'ignore',
        entries: 'ignore',
      });
      for await (const sheet of reader) {
        sheets++;
        for await (const _row of sheet) rows++;
      }
      check(
        sheets >= 1 && rows === expected + 1,
        `(3c) ${rows} rows in ${sheets} sheet(s), expected ${expected} users and a header`,
      );
      const s = got.ms / 1000;
      results.push({
        key: '3c',
        label: 'GET /exports/users.xlsx',
        concurrency: 1,
        ops: 1,
        opsPerSec: NaN,
        p50: got.ms,
        p95: got.ms,
        p99: got.ms,
        wallMs: got.ms,
        bytes: got.bytes,
        figure: `${s.toFixed(2)} s`,
        target: '—',
        note: `${(got.bytes / 2 ** 20).toFixed(1)} MiB, ${expected.toLocaleString('en')} rows, ${Math.round(expected / s).toLocaleString('en')} rows/s`,
        ...got.cpu,
      });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------
// Phase (2): the import

interface ImportRow {
  email: string;
  givenName: string;
  familyName: string;
  status: string;
  mainRole: string;
  /** The account's id (what is written in the file is `accountRef`). */
  mainAccountId: string;
  department: string;
  tags: string[];
  isNew: boolean;
}

const csvField = (v: string) => (/[",\r\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The import file: existing users (every other row) and new ones; returns the rows and the file. */
async function importFile(
  stats: pg.Client,
  dir: Directory,
): Promise<{ rows: ImportRow[]; file: string; existing: number; fresh: number }> {
  const existing = Math.min(Math.floor(IMPORT_ROWS / 2), Math.floor(USERS / 2));
  const fresh = IMPORT_ROWS - existing;
  const { rows: current } = await stats.query(
    `SELECT email, given_name, family_name, status, main_role, main_account_id, tags FROM users
      WHERE email = ANY (SELECT 'user' || (2 * k) || '@bench.example' FROM generate_series(1, $1::int) AS k)`,
    [existing],
  );
  check(current.length === existing, `${current.length} existing users to update, expected ${existing}`);
  const names = new Map([...dir.accounts.map((a) => [a.id, a.name] as const), [GUEST_ACCOUNT_ID, 'Guest'] as const]);
  const rows: ImportRow[] = [];
  const updated = current.map(
    (u): ImportRow => ({
      email: u.email,
      givenName: u.given_name,
      familyName: u.family_name,
      status: u.status,
      mainRole: u.main_role,
      mainAccountId: u.main_account_id,
      department: 'Imported',
      tags: [...(u.tags as string[]), 'imported', 'wave-2'],
      isNew: false,
    }),
  );
  for (let k = 1, e = 0; k <= fresh || e < updated.length; k++) {
    if (e < updated.length) rows.push(updated[e++]!);
    if (k <= fresh) {
      rows.push({
        email: `import${k}@bench.example`,
        givenName: pick(GIVEN_NAMES),
        familyName: pick(FAMILY_NAMES),
        status: 'active',
        mainRole: 'individual',
        // 40 % to a customer account, the rest to the guest account.
        mainAccountId: Math.random() < 0.4 ? pick(dir.accounts).id : GUEST_ACCOUNT_ID,
        department: pick(DEPARTMENTS),
        tags: ['imported', 'new'],
        isNew: true,
      });
    }
  }
  const file = join(WORK_DIR, 'import.csv');
  const out = createWriteStream(file);
  out.write('email,givenName,familyName,status,mainRole,mainAccount,department,tags\n');
  for (const r of rows) {
    const line = [
      r.email,
      r.givenName,
      r.familyName,
      r.status,
      r.mainRole,
      accountRef(r.mainAccountId, names),
      r.department,
      r.tags.join(';'),
    ]
      .map(csvField)
      .join(',');
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  return { rows, file, existing: updated.length, fresh };
}

/** How the file names an account: by its name (the guest account too). */
function accountRef(id: string, names: Map<string, string>): string {
  return names.get(id) ?? id;
}

async function importPhase(stats: pg.Client, dir: Directory): Promise<PhaseResult | undefined> {
  const path = '/imports?key=email&mode=upsert&dryRun=false';
  process.stdout.write(`(2) writing the import file (${IMPORT_ROWS.toLocaleString('en')} rows) … `);
  const { rows, file, existing, fresh } = await importFile(stats, dir);
  const size = statSync(file).size;
  console.log(
    `${existing.toLocaleString('en')} existing, ${fresh.toLocaleString('en')} new, ${(size / 2 ** 20).toFixed(1)} MiB`,
  );

  process.stdout.write(`(2) POST ${path}, text/csv streamed from the file … `);
  const u0 = usage();
  const t = performance.now();
  const r = await api('POST', path, {
    body: createReadStream(file, { highWaterMark: 256 * 1024 }),
    headers: { 'content-type': 'text/csv', 'content-length': size },
    timeoutMs: IMPORT_TIMEOUT_MS,
  });
  const ms = performance.now() - t;
  const u1 = usage();
  if (isMissingRoute(r)) {
    console.log('skipped');
    skipped.push('(2) skipped: POST /admin/api/imports answers 404 (the route does not exist yet)');
    return undefined;
  }
  const job = json(r, '(2)');
  console.log(`${(ms / 1000).toFixed(2)} s → ${r.status} ${show(job, 400)}`);
  check(r.status === 201, `(2) answered ${r.status}: ${show(job)}`);
  check(typeof job?.id === 'string' && job.status === 'succeeded', `(2) job not succeeded: ${show(job)}`);
  check(
    job.total === rows.length && job.processed === rows.length,
    `(2) total ${job.total}, processed ${job.processed}, expected ${rows.length}`,
  );
  check(
    job.created === fresh && job.updated === existing && job.failed === 0,
    `(2) created ${job.created}, updated ${job.updated}, failed ${job.failed}; expected ${fresh}, ${existing}, 0`,
  );

  // Untimed: every row's user as the file says, and the new users' rows.
  process.stdout.write('(2) checking the users in the database … ');
  const { rows: found } = await stats.query(
    `SELECT lower(email) AS email, given_name, family_name, status, main_role, main_account_id, department, tags FROM users
      WHERE lower(email) = ANY ($1::text[]) AND status <> 'deleted'`,
    [rows.map((x) => x.email.toLowerCase())],
  );
  const byEmail = new Map(found.map((u) => [u.email as string, u]));
  check(
    byEmail.size === rows.length && found.length === rows.length,
    `(2) ${found.length} users (${byEmail.size} emails) in the database for ${rows.length} rows`,
  );
  for (const x of rows) {
    const u = byEmail.get(x.email.toLowerCase());
    const same =
      u.given_name === x.givenName &&
      u.family_name === x.familyName &&
      u.status === x.status &&
      u.main_role === x.mainRole &&
      u.main_account_id === x.mainAccountId &&
      u.department === x.department &&
      [...u.tags].sort().join(';') === [...new Set(x.tags)].sort().join(';');
    check(same, `(2) ${x.email} in the database: ${show(u)}; the file: ${show(x)}`);
  }
  const { rows: orphans } = await stats.query(
    `SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM employments e WHERE e.user_id = u.id AND e.is_main AND e.account_id = u.main_account_id))::int AS no_employment,
            count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.role = u.main_role))::int AS no_role,
            count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM user_values v WHERE v.user_id = u.id AND v.attribute = 'emails' AND v.is_primary AND lower(v.value) = lower(u.email)))::int AS no_email,
            count(*)::int AS n
       FROM users u WHERE u.email LIKE 'import%@bench.example'`,
  );
  const o = orphans[0];
  check(o.n === fresh, `(2) ${o.n} new users in the database, ${fresh} in the file`);
  check(
    o.no_employment === 0 && o.no_role === 0 && o.no_email === 0,
    `(2) new users without their main employment: ${o.no_employment}, role assignment: ${o.no_role}, primary email row: ${o.no_email}`,
  );
  console.log('done');

  const s = ms / 1000;
  return {
    key: '2',
    label: `POST /imports?key=email&mode=upsert (${rows.length.toLocaleString('en')} rows)`,
    concurrency: 1,
    ops: 1,
    opsPerSec: NaN,
    p50: ms,
    p95: ms,
    p99: ms,
    wallMs: ms,
    bytes: size,
    figure: `${s.toFixed(2)} s`,
    target: `< ${IMPORT_TARGET_S} s`,
    met: s < IMPORT_TARGET_S,
    note: `${(size / 2 ** 20).toFixed(1)} MiB; ${existing.toLocaleString('en')} updated, ${fresh.toLocaleString('en')} created; ${Math.round(rows.length / s).toLocaleString('en')} rows/s`,
    ...cpuBetween(u0, u1),
  };
}

// ---------------------------------------------------------------------------
// Phase (4): a bulk action over a filter matching half the loaded users

async function bulkPhase(stats: pg.Client): Promise<PhaseResult | undefined> {
  const half = Math.floor(USERS / 2);
  const { rows: edge } = await stats.query(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM users
      WHERE email LIKE 'user%@bench.example' ORDER BY created_at, id OFFSET $1 LIMIT 1`,
    [half],
  );
  const createdTo = edge[0].at as string;
  const { rows: counted } = await stats.query(
    `SELECT count(*)::int AS n FROM users WHERE created_at < $1 AND status <> 'deleted'`,
    [createdTo],
  );
  const expected = counted[0].n as number;
  const body = JSON.stringify({
    action: 'tags.add',
    input: { tags: [BULK_TAG] },
    filter: { createdTo },
    expectedCount: expected,
  });
  process.stdout.write(`(4) POST /users/bulk-actions tags.add over createdTo=${createdTo} (${expected} users) … `);
  const u0 = usage();
  const t = performance.now();
  const r = await api('POST', '/users/bulk-actions', {
    body,
    headers: { 'content-type': 'application/json' },
    timeoutMs: IMPORT_TIMEOUT_MS,
  });
  if (isMissingRoute(r)) {
    console.log('skipped');
    skipped.push('(4) skipped: POST /admin/api/users/bulk-actions answers 404 (the route does not exist yet)');
    return undefined;
  }
  let job = json(r, '(4)');
  check(r.status === 202, `(4) answered ${r.status}: ${show(job)}`);
  const deadline = performance.now() + IMPORT_TIMEOUT_MS;
  while (job.status === 'running') {
    check(performance.now() < deadline, `(4) the job is still running after ${IMPORT_TIMEOUT_MS / 1000} s`);
    await sleep(250);
    const g = await api('GET', `/bulk-jobs/${job.id}`);
    job = json(g, '(4) job');
    check(g.status === 200, `(4) GET /bulk-jobs/${job?.id} answered ${g.status}: ${show(job)}`);
  }
  const ms = performance.now() - t;
  const u1 = usage();
  console.log(`${(ms / 1000).toFixed(2)} s → ${show(job, 400)}`);
  check(
    job.status === 'succeeded' && job.total === expected && job.succeeded === expected && job.failed === 0,
    `(4) job: ${show(job)}; expected ${expected} users done, none refused`,
  );

  process.stdout.write('(4) checking the users and the audit in the database … ');
  const { rows: tagged } = await stats.query(
    `SELECT count(*) FILTER (WHERE created_at < $2)::int AS inside, count(*) FILTER (WHERE created_at >= $2)::int AS outside
       FROM users WHERE tags @> ARRAY[$1]::text[]`,
    [BULK_TAG, createdTo],
  );
  check(
    tagged[0].inside === expected && tagged[0].outside === 0,
    `(4) ${tagged[0].inside} users in the filter and ${tagged[0].outside} outside it hold the tag; expected ${expected} and 0`,
  );
  const { rows: events } = await stats.query(
    `SELECT count(*) FILTER (WHERE action = 'user.bulk_action')::int AS bulk,
            count(*) FILTER (WHERE action = 'user.updated' AND changes ? 'tags')::int AS updated
       FROM audit_events WHERE at >= now() - make_interval(secs => $1)`,
    [Math.ceil(ms / 1000) + 60],
  );
  check(
    events[0].bulk === 1 && events[0].updated === expected,
    `(4) audit: ${events[0].bulk} bulk events, ${events[0].updated} user.updated; expected 1 and ${expected}`,
  );
  console.log('done');

  const sec = ms / 1000;
  return {
    key: '4',
    label: `POST /users/bulk-actions tags.add over a filter (${expected.toLocaleString('en')} users, a job)`,
    concurrency: 1,
    ops: 1,
    opsPerSec: NaN,
    p50: ms,
    p95: ms,
    p99: ms,
    wallMs: ms,
    figure: `${sec.toFixed(2)} s`,
    target: `< ${BULK_TARGET_S} s`,
    met: sec < BULK_TARGET_S,
    note: `${Math.round(expected / sec).toLocaleString('en')} users/s, each changed and audited through the single-user service`,
    ...cpuBetween(u0, u1),
  };
}

// ---------------------------------------------------------------------------
// CPU readings and the timed phases

function usage(): Usage {
  return cpuUsage(server.pid, DB_NAME);
}

type Timed = Omit<PhaseResult, 'figure' | 'target'>;

/** One phase: `op` in `concurrency` loops for WARMUP + SECONDS (bench/lib/timed-loop.ts). */
async function timed(key: string, label: string, concurrency: number, op: () => Promise<unknown>): Promise<Timed> {
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

// ---------------------------------------------------------------------------
// SQL statements per list request, counted in-process (the server idle meanwhile)

/** Fills in `sqlPerRequest` of the list phases. */
async function countStatements(dbUrl: string, results: PhaseResult[]): Promise<void> {
  process.stdout.write('counting SQL statements per list request (in-process, the server idle) … ');
  const counts = await traceStatements(dbUrl);
  for (const r of results) r.sqlPerRequest = counts[r.key];
  console.log('done');
}

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
    DATA_DIR,
    MFA_REQUIRED_ROLES: '',
    NODE_ENV: SERVER_NODE_ENV,
  });
  const c = await createBenchContainer(config, { log: pino({ level: 'silent' }) });
  let http: Server | undefined;
  try {
    const { handle } = await buildApp(c);
    http = createServer(handle);
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    // The same token: it is verified against the signing keys in the database, not the port.
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/admin/api`;
    let statements = 0;
    c.db.on('query', () => statements++);
    const kinds = listOps(listed!, base);
    const count = async (fn: () => Promise<unknown>) => {
      await fn(); // warm (caches)
      const before = statements;
      await fn();
      return statements - before;
    };
    return {
      '1a': await count(kinds.a),
      '1b': await count(kinds.b),
      '1c': await count(kinds.c),
      '1d': await count(() => kinds.d(true)),
      '1f': await count(kinds.f),
      '1g': await count(kinds.g),
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
  const single = (r: PhaseResult) => r.wallMs !== undefined;

  console.log(
    `\nResults (${USERS.toLocaleString('en')} users; list phases: ${SECONDS} s measured after ${WARMUP} s warm-up, latency of whole requests; import and exports: one request each, wall time)\n`,
  );
  if (results.length) {
    printTable(
      [
        ['', 'metric', 'conc.', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'figure', 'target', ''],
        ...results.map((r) => [
          `(${r.key})`,
          r.label,
          String(r.concurrency),
          String(r.ops),
          single(r) ? '—' : r.opsPerSec.toFixed(1),
          single(r) ? '—' : r.p50.toFixed(1),
          single(r) ? '—' : r.p95.toFixed(1),
          single(r) ? '—' : r.p99.toFixed(1),
          r.figure,
          r.target,
          r.met === undefined ? '' : r.met ? 'MET' : 'MISSED',
        ]),
      ],
      2,
    );
  }
  const notes = results.filter((r) => r.note);
  if (notes.length) console.log(notes.map((r) => `  (${r.key}) ${r.note}`).join('\n'));
  for (const s of skipped) console.log(`  ${s}`);

  if (results.length) {
    console.log('\nWhere the CPU went (share of one core during the measured window, from /proc)\n');
    // For the one-request phases: CPU milliseconds of the whole request.
    const per = (share: number | undefined, r: PhaseResult) =>
      share === undefined
        ? undefined
        : single(r)
          ? share * r.wallMs!
          : r.opsPerSec
            ? (1000 * share) / r.opsPerSec
            : undefined;
    printTable(
      [
        [
          '',
          'server',
          'main thr.',
          'server ms/req',
          'PostgreSQL',
          'PG ms/req',
          'load gen.',
          'core0 / core1',
          'SQL/req',
        ],
        ...results.map((r) => [
          `(${r.key})`,
          percent(r.serverCpu),
          percent(r.serverMainCpu),
          fixed(per(r.serverCpu, r), 2),
          percent(r.pgCpu),
          fixed(per(r.pgCpu, r), 2),
          percent(r.loadCpu),
          r.coreBusy ? r.coreBusy.map(percent).join(' / ') : '—',
          fixed(r.sqlPerRequest, 0),
        ]),
      ],
      1,
    );
    console.log(
      [
        'server = the Gatehouse process on core 0 (main = its JavaScript thread). ms/req = CPU milliseconds per request.',
        `PostgreSQL = postmaster, auxiliary processes and this database's backends (${PIN_PG ? 'moved to core 1, with the load generator' : 'unpinned'}).`,
        'core0 / core1 = how busy each core was, whoever ran there. For (2) and (3): over the one request, and ms/req is',
        '  the CPU milliseconds of that whole request.',
        'SQL/req = statements the app sends for one list request (the token check included), counted in-process afterwards.',
        `Load average at the end: ${loadavg()
          .map((v) => v.toFixed(2))
          .join(' ')}`,
      ].join('\n'),
    );
  }

  console.log('\nTargets:');
  for (const r of results)
    if (r.met !== undefined)
      console.log(`  ${r.met ? 'MET   ' : 'MISSED'}  (${r.key}) ${r.figure} (target ${r.target})`);
  for (const s of skipped) console.log(`  SKIPPED ${s.replace(/ skipped:/, ':')}`);

  if (env.BENCH_JSON) {
    writeFileSync(
      env.BENCH_JSON,
      JSON.stringify(
        {
          users: USERS,
          importRows: IMPORT_ROWS,
          seconds: SECONDS,
          warmup: WARMUP,
          concurrency: CONCURRENCY,
          pinned: PIN,
          pinnedPostgres: PIN_PG,
          node: process.version,
          results,
          skipped,
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
