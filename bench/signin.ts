/**
 * Sign-in throughput of Gatehouse on PostgreSQL, with the server pinned to one core.
 *
 *   npm run bench:signin
 *
 * What it does:
 *   1. re-executes itself under `taskset -c 1` (the load generator gets core 1);
 *   2. (a) runs bench/argon2-bound.ts under `taskset -c 1`: argon2id verifies per
 *      second in a sequential loop at the configured cost — the bound for (b);
 *   3. drops and recreates the database, creates the fixtures through the
 *      container (users, one first-party confidential client, one resource server);
 *   4. starts `taskset -c 0 node --import tsx src/main.ts` as a child process;
 *   5. measures, each for BENCH_WARMUP + BENCH_SECONDS with plain fetch over
 *      keep-alive connections:
 *        (b) password sign-ins: /auth (PKCE) → login page → POST form (CSRF)
 *            → redirects → code → token endpoint, concurrency 8, 200 users;
 *        (c) client_credentials (client_secret_basic), opaque and JWT (resource), concurrency 32;
 *        (d) refresh_token grants with rotation, one chain per worker, concurrency 32;
 *   6. prints a table and the targets; kills the server (also on error).
 *
 * Settings (environment):
 *   BENCH_SECONDS=10  BENCH_WARMUP=2  BENCH_USERS=200
 *   BENCH_SIGNIN_CONCURRENCY=8  BENCH_CC_CONCURRENCY=32  BENCH_REFRESH_CONCURRENCY=32
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench
 *   BENCH_PG_SOCKET=<dir>  the server reaches PostgreSQL over the Unix socket in <dir> (e.g. /var/run/postgresql)
 *   BENCH_PORT=3917  BENCH_ONLY=a,b,c,d,e  BENCH_PIN=1 (0: do not use taskset)
 *   BENCH_PIN_PG=1  moves the local PostgreSQL (postmaster and backends) to core 1 for the run
 *     and back to every core afterwards, so the server's core is the server's alone, as
 *     with a database on its own machine (0: leave PostgreSQL where it is)
 *   BENCH_NODE_ENV=production (the server's NODE_ENV, as in the Dockerfile)
 *   BENCH_CPU_PROF=<dir>  run the server with --cpu-prof, profiles written to <dir>
 *   BENCH_SERVER_IMPORT=<file>  preload <file> into the server (what-if experiments, see bench/experiments/)
 *   BENCH_PG_SYNC_COMMIT=off  what-if: ALTER DATABASE … SET synchronous_commit (default: the server's setting)
 *   BENCH_ID_TOKEN_ALG=ES256  what-if: the bench client asks for ID tokens signed with this alg (default: the server's, RS256)
 *   BENCH_STATS_WAIT=11  seconds to let PostgreSQL publish its statistics around each phase (SQL/op; PostgreSQL 15
 *                    backends flush them at most every 10 s when idle); 0 skips the SQL/op column
 *   BENCH_JSON=<file>  also write the results as JSON
 *   BENCH_KEEP_DB=1  leave the database in place at the end (it is dropped by default)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { follow, Jar, openLoginPage, request, requestsSent } from './lib/browser.js';
import { cpuBetween, procCpu, usage as cpuUsage, type Usage as CpuUsage } from './lib/cpu.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { installAgent } from './lib/keep-alive.js';
import { percentile } from './lib/percentile.js';
import { canPin, movePostgresToLoadCore, onCore, releasePostgres, runOnLoadCore } from './lib/pinning.js';
import { revision } from './lib/revision.js';
import { createServerProcess } from './lib/server-process.js';
import { fixed, percent, printTable } from './lib/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;

const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP', 2);
const USERS = Math.max(1, num('BENCH_USERS', 200));
const SIGNIN_CONCURRENCY = Math.max(1, num('BENCH_SIGNIN_CONCURRENCY', 8));
const CC_CONCURRENCY = Math.max(1, num('BENCH_CC_CONCURRENCY', 32));
const REFRESH_CONCURRENCY = Math.max(1, num('BENCH_REFRESH_CONCURRENCY', 32));
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench';
const PORT = num('BENCH_PORT', 3917);
const ONLY = new Set(
  (env.BENCH_ONLY ?? 'a,b,c,d,e')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const PIN = canPin();
const PIN_PG = PIN && env.BENCH_PIN_PG !== '0';
const SERVER_NODE_ENV = env.BENCH_NODE_ENV ?? 'production';
const CPU_PROF = env.BENCH_CPU_PROF;
const PG_SOCKET = env.BENCH_PG_SOCKET;
const STATS_WAIT = num('BENCH_STATS_WAIT', 11);

/** A cap on operations per worker and phase, next to the time bound. */
const MAX_OPS_PER_WORKER = 1_000_000;

const ISSUER = `http://127.0.0.1:${PORT}`;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PASSWORD = 'violet-harbour-47-lantern';
const CLIENT_ID = 'bench-app';
const CLIENT_SECRET = 'bench-app-secret-0123456789abcdef0123456789';
/** Never fetched: the sign-in stops at the redirect that leaves the server. */
const REDIRECT_URI = 'http://127.0.0.1:9/bench/callback';
const RESOURCE = 'https://api.bench.test';
const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;

// ---------------------------------------------------------------------------

interface PhaseResult {
  key: string;
  label: string;
  concurrency: number;
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  /** Share of one core used by the server process during the measured window. */
  serverCpu?: number;
  /** The same, for the server's main thread only (the rest: libuv's pool — argon2, WebCrypto — and V8's GC helpers). */
  serverMainCpu?: number;
  /** CPU share of each server thread, by thread id (ascending: main, V8 platform workers, then libuv's pool and tsx's loader thread). */
  serverThreads?: [number, number][];
  /** Share of one core used by all PostgreSQL processes during the measured window. */
  pgCpu?: number;
  /** Share of one core used by the load generator during the measured window. */
  loadCpu?: number;
  /** Cores' worth of CPU used by everything else on the machine (noise) during the measured window. */
  otherCpu?: number;
  /** Busy share of core 0 (the server's) and core 1 (the load generator's), whoever ran there. */
  coreBusy?: number[];
  /** PostgreSQL transactions (≈ statements: the hot paths use none explicitly) per operation. */
  dbStatementsPerOp?: number;
  /** HTTP requests per operation. */
  requestsPerOp?: number;
}

const server = createServerProcess();

async function main() {
  const results: PhaseResult[] = [];
  let bound: PhaseResult | undefined;
  server.killOnSignals();

  console.log(
    `Gatehouse ${revision(ROOT)} sign-in benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ` +
      `server ${PIN ? 'pinned to core 0' : 'NOT pinned'}, load generator ${PIN ? 'pinned to core 1' : 'NOT pinned'}, PostgreSQL ${PIN_PG ? 'moved to core 1' : 'unpinned'}${PG_SOCKET ? ` (Unix socket ${PG_SOCKET})` : ' (TCP 127.0.0.1)'}; ` +
      `${WARMUP}s warm-up + ${SECONDS}s per phase; load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
  if (loadavg()[0]! > 0.5)
    console.log('warning: the machine is not idle; other processes will skew the figures (see the "others" column)');

  try {
    // (a) -----------------------------------------------------------------
    if (ONLY.has('a') || ONLY.has('b')) {
      process.stdout.write('(a) argon2id verify loop … ');
      bound = runArgon2Bound();
      console.log(`${bound.opsPerSec.toFixed(1)}/s`);
    }

    // Fixtures -------------------------------------------------------------
    const dbUrl = await recreateDatabase(PG_URL, DB_NAME, { synchronousCommit: env.BENCH_PG_SYNC_COMMIT });
    const serverEnv = {
      DATABASE_URL: PG_SOCKET ? socketUrl(dbUrl, PG_SOCKET) : dbUrl,
      PORT: String(PORT),
      ISSUER,
      GATEHOUSE_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      DATA_DIR: join(tmpdir(), 'gatehouse-bench-data'),
      // Every sign-in comes from 127.0.0.1: the limits per IP would soon answer (e1)/(e2) 429.
      // This measures what a sign-in costs; bench:flood measures the limits at work.
      RATE_LIMIT_SIGNIN_IP: '1000000000/1s',
      RATE_LIMIT_SIGNIN_IDENTIFIER: '1000000000/1s',
    };
    process.stdout.write(`fixtures: ${USERS} users, client ${CLIENT_ID}, resource ${RESOURCE} … `);
    const users = await createFixtures(serverEnv);
    console.log('done');

    // Server ----------------------------------------------------------------
    if (PIN_PG) movePostgresToLoadCore();
    await server.start({
      root: ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: SERVER_NODE_ENV },
      issuer: ISSUER,
      pin: PIN,
      cpuProfDir: CPU_PROF,
      preload: env.BENCH_SERVER_IMPORT,
    });
    installAgent(Math.max(SIGNIN_CONCURRENCY, CC_CONCURRENCY, REFRESH_CONCURRENCY) * 2);
    const stats = new pg.Client({ connectionString: dbUrl });
    await stats.connect();
    const ctx = { stats, users };

    try {
      // Warm the server's code paths once before measuring anything.
      await signIn(users[0]!, 'openid');

      if (ONLY.has('b')) {
        let seq = 0;
        results.push(
          await phase(ctx, 'b', 'password sign-in (auth→login→code→token)', SIGNIN_CONCURRENCY, async () => {
            await signIn(users[seq++ % users.length]!, 'openid');
          }),
        );
      }
      if (ONLY.has('c')) {
        results.push(
          await phase(ctx, 'c1', 'client_credentials, opaque', CC_CONCURRENCY, () => clientCredentials(false)),
        );
        results.push(
          await phase(ctx, 'c2', `client_credentials, JWT (resource)`, CC_CONCURRENCY, () => clientCredentials(true)),
        );
      }
      if (ONLY.has('d')) {
        process.stdout.write(`(d) setup: ${REFRESH_CONCURRENCY} sign-ins with offline_access … `);
        const chains: (string | undefined)[] = [];
        await pool(REFRESH_CONCURRENCY, 8, async (i) => {
          const tokens = await signIn(users[i % users.length]!, 'openid offline_access');
          if (typeof tokens.refresh_token !== 'string')
            throw new Error('no refresh_token from a sign-in with offline_access');
          chains[i] = tokens.refresh_token;
        });
        console.log('done');
        results.push(
          await phase(ctx, 'd', 'refresh_token (rotation)', REFRESH_CONCURRENCY, async (worker) => {
            const current = chains[worker];
            if (!current) throw new StopWorker('refresh chain broken earlier');
            chains[worker] = undefined; // consumed whatever happens
            const body = await tokenRequest({ grant_type: 'refresh_token', refresh_token: current });
            if (!body.refresh_token || !body.access_token)
              throw new Error(`refresh answered without tokens: ${JSON.stringify(body).slice(0, 200)}`);
            chains[worker] = body.refresh_token as string;
          }),
        );
      }
      if (ONLY.has('e')) {
        // One at a time, so the latencies compare the two paths and not queueing.
        // Known users get at most a few wrong passwords each (never a lock).
        let seq = 0;
        results.push(
          await phase(ctx, 'e1', 'wrong password, unknown user', 1, () => failedSignIn(`nobody-${seq++}@bench.test`)),
        );
        results.push(
          await phase(ctx, 'e2', 'wrong password, known user', 1, () =>
            failedSignIn(users[seq++ % users.length]!.email),
          ),
        );
      }
    } finally {
      await stats.end().catch(() => {});
    }
  } catch (err) {
    server.failed(err);
  } finally {
    await server.kill();
    if (PIN_PG) releasePostgres();
    if (env.BENCH_KEEP_DB !== '1')
      await dropDatabase(PG_URL, DB_NAME).catch((err) => console.error('could not drop the database:', err));
  }

  if (bound || results.length) report(bound, results);
}

// ---------------------------------------------------------------------------
// (a) argon2 bound

function runArgon2Bound(): PhaseResult {
  const [file, args] = onCore(PIN, 1, [process.execPath, ...process.execArgv, join(ROOT, 'bench/argon2-bound.ts')]);
  const res = spawnSync(file, args, { encoding: 'utf8', env, cwd: ROOT, timeout: (SECONDS + WARMUP + 60) * 1000 });
  if (res.status !== 0) throw new Error(`argon2 bound failed: ${res.stderr || res.error}`);
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as {
    ops: number;
    opsPerSec: number;
    p50: number;
    p99: number;
    params: { memoryCost: number; timeCost: number; parallelism: number };
  };
  return {
    key: 'a',
    label: `argon2id verify, bare loop (m=${out.params.memoryCost} KiB, t=${out.params.timeCost}, p=${out.params.parallelism})`,
    concurrency: 1,
    ops: out.ops,
    opsPerSec: out.opsPerSec,
    p50: out.p50,
    p99: out.p99,
    errors: 0,
  };
}

// ---------------------------------------------------------------------------
// Database and fixtures

/** The same database, over a Unix socket. */
function socketUrl(tcpUrl: string, dir: string): string {
  const u = new URL(tcpUrl);
  return `postgres://${u.username ? `${u.username}@` : ''}localhost${u.pathname}?host=${encodeURIComponent(dir)}`;
}

interface BenchUser {
  email: string;
}

async function createFixtures(serverEnv: Record<string, string>): Promise<BenchUser[]> {
  const [{ loadConfig }, { createBenchContainer, saveBenchClientAndApi }, { CLI_ACTOR }, { default: pino }] =
    await Promise.all([
      import('../src/config/config.js'),
      import('./lib/container.js'),
      import('../src/services/audit.js'),
      import('pino'),
    ]);
  const config = loadConfig({ ...env, ...serverEnv, LOG_LEVEL: 'silent' });
  const c = await createBenchContainer(config, { log: pino({ level: 'silent' }) });
  try {
    const users: BenchUser[] = Array.from({ length: USERS }, (_, i) => ({
      email: `bench-user-${String(i).padStart(4, '0')}@bench.test`,
    }));
    // Hashing runs on libuv's pool: a few at a time.
    await pool(users.length, 4, async (i) => {
      await c.identity.create(
        {
          email: users[i]!.email,
          password: PASSWORD,
          role: 'individual',
          status: 'active',
          givenName: 'Bench',
          familyName: `User${i}`,
        },
        CLI_ACTOR,
      );
    });
    await saveBenchClientAndApi(c, {
      clientId: CLIENT_ID,
      secret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      resource: RESOURCE,
      extra: env.BENCH_ID_TOKEN_ALG ? { id_token_signed_response_alg: env.BENCH_ID_TOKEN_ALG } : {},
    });
    return users;
  } finally {
    await c.close();
  }
}

// ---------------------------------------------------------------------------
// HTTP

async function tokenRequest(params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await request(`${ISSUER}/token`, undefined, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`token endpoint ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const loginPage = (jar: Jar, scope: string) =>
  openLoginPage(jar, { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, scope });

/** A wrong password (for a known or an unknown identifier): the POST must answer 401. */
async function failedSignIn(username: string): Promise<void> {
  const jar = new Jar();
  const { actionUrl, csrf } = await loginPage(jar, 'openid');
  const res = await request(actionUrl, jar, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password: 'not-the-password-0' }).toString(),
  });
  await res.arrayBuffer();
  if (res.status !== 401) throw new Error(`a wrong password answered ${res.status}`);
}

/** One complete password sign-in, as a browser and the client's back end do it; 5 requests without consent. */
async function signIn(user: BenchUser, scope: string): Promise<Record<string, unknown>> {
  const jar = new Jar();
  const { actionUrl, csrf, state, verifier } = await loginPage(jar, scope);

  // POST the form → /auth/:uid (→ consent interaction for offline_access) → redirect_uri?code=
  const posted = await request(actionUrl, jar, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username: user.email, password: PASSWORD }).toString(),
  });
  const done = await follow(posted, actionUrl, jar, ISSUER);
  if (!done.leftTo)
    throw new Error(
      `sign-in did not reach the client: ${done.res.status} ${done.url}: ${(await done.res.text()).slice(0, 300)}`,
    );
  const code = done.leftTo.searchParams.get('code');
  if (!code || done.leftTo.searchParams.get('state') !== state)
    throw new Error(`no code/state at the redirect: ${done.leftTo.search.slice(0, 200)}`);

  const tokens = await tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  if (!tokens.access_token || !tokens.id_token) throw new Error('code exchange without access_token/id_token');
  return tokens;
}

async function clientCredentials(withResource: boolean) {
  const body = await tokenRequest(
    withResource
      ? { grant_type: 'client_credentials', resource: RESOURCE, scope: 'read' }
      : { grant_type: 'client_credentials' },
  );
  const token = body.access_token;
  if (typeof token !== 'string') throw new Error('no access_token');
  if (withResource !== (token.split('.').length === 3))
    throw new Error(`expected ${withResource ? 'a JWT' : 'an opaque'} access token`);
}

// ---------------------------------------------------------------------------
// Phases

class StopWorker extends Error {}

/** Runs `count` tasks, at most `width` at a time. */
async function pool(count: number, width: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

interface Usage extends CpuUsage {
  /** Every server thread by thread id. */
  serverThreads: Map<number, number>;
}

function threadsCpu(pid: number | undefined): Map<number, number> {
  const out = new Map<number, number>();
  if (!pid) return out;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) out.set(Number(tid), procCpu(`${pid}/task/${tid}`));
  } catch {
    // gone
  }
  return out;
}

function usage(): Usage {
  return { ...cpuUsage(server.pid, DB_NAME), serverThreads: threadsCpu(server.pid) };
}

/**
 * Transactions of the benchmark database so far, once the backends have published
 * them. `reuse` takes the previous reading when no request was sent since.
 */
let lastTransactions: { at: number; n: number } | undefined;
async function transactions(stats: pg.Client, reuse = false): Promise<number | undefined> {
  if (!STATS_WAIT) return undefined;
  if (reuse && lastTransactions && lastTransactions.at === requestsSent()) return lastTransactions.n;
  await sleep(STATS_WAIT * 1000);
  const n = await readTransactions(stats);
  lastTransactions = { at: requestsSent(), n };
  return n;
}
async function readTransactions(stats: pg.Client): Promise<number> {
  await stats.query('select pg_stat_clear_snapshot()');
  const { rows } = await stats.query(
    'select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()',
  );
  return Number(rows[0].n);
}

async function phase(
  ctx: { stats: pg.Client },
  key: string,
  label: string,
  concurrency: number,
  op: (worker: number) => Promise<void>,
): Promise<PhaseResult> {
  process.stdout.write(`(${key}) ${label}, concurrency ${concurrency} … `);
  const txBefore = await transactions(ctx.stats, true);
  if (CPU_PROF)
    process.stdout.write(
      `[measured from ${((Date.now() - server.startedAt) / 1000 + WARMUP).toFixed(1)} s to ${((Date.now() - server.startedAt) / 1000 + WARMUP + SECONDS).toFixed(1)} s of the server's life] `,
    );

  const start = performance.now();
  const warmEnd = start + WARMUP * 1000;
  const end = warmEnd + SECONDS * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let opsAll = 0;
  const requestsBefore = requestsSent();
  let u0: Usage | undefined;
  let u1: Usage | undefined;
  const t0 = setTimeout(() => (u0 = usage()), WARMUP * 1000);
  const t1 = setTimeout(() => (u1 = usage()), (WARMUP + SECONDS) * 1000);

  let abort = false;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < MAX_OPS_PER_WORKER && performance.now() < end && !abort; i++) {
        const a = performance.now();
        try {
          await op(worker);
          opsAll++;
          const b = performance.now();
          if (b >= warmEnd && b <= end) latencies.push(b - a);
        } catch (err) {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
          if (err instanceof StopWorker) return;
          // A broken server should not spin the loop.
          if (errors > 50 && errors > opsAll) {
            abort = true;
            throw new Error(`(${key}) too many errors; first: ${firstError}`);
          }
          await sleep(10);
        }
      }
    }),
  ).finally(() => {
    clearTimeout(t0);
    clearTimeout(t1);
  });
  u1 ??= usage();
  const txAfter = await transactions(ctx.stats);

  latencies.sort((x, y) => x - y);
  const window = u0 ? (u1.at - u0.at) / 1000 : NaN;
  const cpu = u0 && cpuBetween(u0, u1);
  const result: PhaseResult = {
    key,
    label,
    concurrency,
    ops: latencies.length,
    opsPerSec: latencies.length / SECONDS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    firstError,
    serverCpu: cpu?.serverCpu,
    serverMainCpu: cpu?.serverMainCpu,
    serverThreads: u0
      ? [...u1.serverThreads]
          .map(([tid, v]) => [tid, (v - (u0!.serverThreads.get(tid) ?? 0)) / window] as [number, number])
          .sort((x, y) => x[0] - y[0])
      : undefined,
    pgCpu: cpu?.pgCpu,
    loadCpu: cpu?.loadCpu,
    otherCpu: u0
      ? (u1.machine[0]! - u0.machine[0]! - (u1.server - u0.server) - (u1.pg - u0.pg) - (u1.load - u0.load)) / window
      : undefined,
    coreBusy: cpu?.coreBusy,
    // Each statistics read is itself 2 transactions.
    dbStatementsPerOp:
      opsAll && txAfter !== undefined && txBefore !== undefined ? (txAfter - txBefore - 2) / opsAll : undefined,
    requestsPerOp: opsAll ? (requestsSent() - requestsBefore) / opsAll : undefined,
  };
  console.log(`${result.opsPerSec.toFixed(1)}/s${errors ? ` (${errors} errors: ${firstError})` : ''}`);
  return result;
}

// ---------------------------------------------------------------------------
// Report

function report(bound: PhaseResult | undefined, results: PhaseResult[]) {
  const rows = [...(bound ? [bound] : []), ...results];

  console.log(`\nResults (${SECONDS} s measured after ${WARMUP} s warm-up; latency of whole operations)\n`);
  printTable(
    [
      ['', 'metric', 'concurrency', 'ops/s', 'p50 ms', 'p99 ms', 'errors'],
      ...rows.map((r) => [
        `(${r.key})`,
        r.label,
        String(r.concurrency),
        r.opsPerSec.toFixed(1),
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        String(r.errors),
      ]),
    ],
    2,
  );

  console.log('\nWhere the CPU went (share of one core during the measured window, from /proc)\n');
  printTable(
    [
      [
        '',
        'server',
        'main thr.',
        'other thr.',
        'main ms/op',
        'other ms/op',
        'ops/s per server core',
        'PostgreSQL',
        'load gen.',
        'others',
        'core0 / core1',
        'SQL/op',
        'HTTP/op',
      ],
      ...results.map((r) => {
        const threads =
          r.serverCpu !== undefined && r.serverMainCpu !== undefined ? r.serverCpu - r.serverMainCpu : undefined;
        return [
          `(${r.key})`,
          percent(r.serverCpu),
          percent(r.serverMainCpu),
          percent(threads),
          fixed(r.serverMainCpu !== undefined ? (1000 * r.serverMainCpu) / r.opsPerSec : undefined, 2),
          fixed(threads !== undefined ? (1000 * threads) / r.opsPerSec : undefined, 2),
          fixed(r.serverCpu ? r.opsPerSec / r.serverCpu : undefined, 0),
          percent(r.pgCpu),
          percent(r.loadCpu),
          percent(r.otherCpu),
          r.coreBusy ? r.coreBusy.map(percent).join(' / ') : '—',
          fixed(r.dbStatementsPerOp),
          fixed(r.requestsPerOp, 0),
        ];
      }),
    ],
    1,
  );
  console.log(
    [
      'server = the Gatehouse process on core 0: its main (JavaScript) thread, and its other threads (libuv pool: argon2, WebCrypto',
      '  signing; V8 GC helpers). ms/op = server CPU milliseconds per operation. ops/s per server core = ops/s ÷ server CPU.',
      `PostgreSQL = postmaster, auxiliary processes and the backends of this database (${PIN_PG ? 'moved to core 1' : 'unpinned: they run on either core'}).`,
      'others = every other process (noise; derived from tick counts, which under-count short bursts, so it can read ≈0).',
      'core0 / core1 = how busy each core was, whoever ran there. SQL/op = PostgreSQL transactions (autocommit statements)',
      '  per operation, warm-up included. HTTP/op = requests per operation.',
      `Load average at the end: ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    ].join('\n'),
  );
  console.log(
    '\nServer threads by thread id (main first, then V8 platform/GC workers, then libuv pool and the tsx loader thread), busy ones:',
  );
  for (const r of results) {
    const list = (r.serverThreads ?? [])
      .filter(([, v]) => v >= 0.005)
      .map(([tid, v]) => `${tid}:${Math.round(v * 100)}%`);
    console.log(`  (${r.key}) ${list.join('  ')}`);
  }

  const get = (k: string) => results.find((r) => r.key === k);
  const b = get('b');
  const checks: [string, boolean | undefined][] = [];
  console.log('\nTargets:');
  if (b && bound) {
    const ratio = b.opsPerSec / bound.opsPerSec;
    checks.push([
      `(b)/(a) = ${(ratio * 100).toFixed(1)}%: ${b.opsPerSec.toFixed(1)} sign-ins/s against an argon2 bound of ${bound.opsPerSec.toFixed(1)}/s (target ≥ 80%)`,
      ratio >= 0.8,
    ]);
  }
  for (const k of ['c1', 'c2']) {
    const r = get(k);
    if (r) checks.push([`(${k}) ${r.opsPerSec.toFixed(0)}/s (target ≥ 1,000/s)`, r.opsPerSec >= 1000]);
  }
  const d = get('d');
  if (d) checks.push([`(d) ${d.opsPerSec.toFixed(0)}/s (target ≥ 500/s)`, d.opsPerSec >= 500]);
  const e1 = results.find((r) => r.key === 'e1');
  const e2 = results.find((r) => r.key === 'e2');
  if (e1 && e2) {
    // Same answer, same time: the p50s of the two failed sign-ins within 10 % of each other.
    const gap = Math.abs(e1.p50 - e2.p50) / Math.max(e1.p50, e2.p50);
    checks.push([
      `unknown user vs wrong password: p50 ${e1.p50.toFixed(1)} ms vs ${e2.p50.toFixed(1)} ms (${(gap * 100).toFixed(1)}% apart; goal ≤ 10%)`,
      gap <= 0.1,
    ]);
  }
  for (const [text, ok] of checks) console.log(`  ${ok ? 'MET   ' : 'MISSED'}  ${text}`);
  console.log(
    "For scale, Keycloak's sizing guide: 15 password sign-ins, 120 client-credentials grants, 120 refreshes per second per vCPU.",
  );
  const scale = [
    b && `sign-ins ${(b.opsPerSec / 15).toFixed(1)}×`,
    get('c1') &&
      `client_credentials ${(get('c1')!.opsPerSec / 120).toFixed(1)}× (opaque) / ${((get('c2')?.opsPerSec ?? NaN) / 120).toFixed(1)}× (JWT)`,
    d && `refreshes ${(d.opsPerSec / 120).toFixed(1)}×`,
  ].filter(Boolean);
  if (scale.length) console.log(`Gatehouse on one core, relative to that: ${scale.join(', ')}.`);

  if (env.BENCH_JSON) {
    writeFileSync(
      env.BENCH_JSON,
      JSON.stringify({ seconds: SECONDS, warmup: WARMUP, pinned: PIN, node: process.version, bound, results }, null, 2),
    );
  }
}

// ---------------------------------------------------------------------------
// Entry (last, so every declaration above is initialised).
// 1. The load generator pins itself to core 1 (the server gets core 0).
await runOnLoadCore(PIN, import.meta.url, main);
