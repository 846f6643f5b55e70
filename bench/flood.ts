/**
 * Does a flood of wrong passwords starve the other requests? Client-credentials
 * latency idle, then under a 16-way flood of wrong-password sign-in posts, with
 * the server pinned to one core (as bench/signin.ts).
 *
 *   npm run bench:flood
 *
 * For each of two runs, on a fresh PostgreSQL database each:
 *   "default limits"  the server's default rate limits: the flood comes from one IP
 *                     (127.0.0.1), so the limit per IP soon answers it 429 before any hash;
 *   "limits raised"   RATE_LIMIT_SIGNIN_IP / _IDENTIFIER raised out of reach: every post
 *                     costs an argon2 verification, and the argon2 concurrency limit
 *                     (ARGON2_CONCURRENCY) alone keeps the server responsive.
 * it starts `src/main.ts` as a child process, then measures for BENCH_WARMUP + BENCH_SECONDS:
 *   (idle)   client_credentials (client_secret_basic, opaque token), BENCH_CC_CONCURRENCY at once;
 *   (flood)  the same while BENCH_FLOOD_CONCURRENCY posters each walk the real sign-in page:
 *            GET /auth → the interaction's login page → POST the form (CSRF) with a wrong
 *            password, for known and unknown identifiers in turn.
 * It prints p50 and p99 of both, the ratios (the target: flood p50 within 3× of idle),
 * and how many flood posts were evaluated (401) or refused (429 throttled, 503 argon2 queue full).
 * Loopback only; bounded by time and by BENCH_MAX_OPS per worker.
 *
 * Settings (environment):
 *   BENCH_SECONDS=10  BENCH_WARMUP=2  BENCH_USERS=50  BENCH_CC_CONCURRENCY=1  BENCH_FLOOD_CONCURRENCY=16
 *   BENCH_MAX_OPS=100000  BENCH_RUNS=default,raised  BENCH_PORT=3918
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_flood
 *   BENCH_PIN=1 (0: no taskset)  BENCH_PIN_PG=1 (move the local PostgreSQL to the load core for the run)
 *   BENCH_NODE_ENV=production  and any server setting (e.g. ARGON2_CONCURRENCY) passed through.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Jar, openLoginPage, postSignInForm, request } from './lib/browser.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { canPin, movePostgresToLoadCore, releasePostgres, runOnLoadCore } from './lib/pinning.js';
import { revision } from './lib/revision.js';
import { createServerProcess } from './lib/server-process.js';
import { fixed, printTable } from './lib/table.js';
import { timedLoop } from './lib/timed-loop.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;

const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP', 2);
const USERS = Math.max(1, num('BENCH_USERS', 50));
const CC_CONCURRENCY = Math.max(1, num('BENCH_CC_CONCURRENCY', 1));
const FLOOD_CONCURRENCY = Math.max(1, num('BENCH_FLOOD_CONCURRENCY', 16));
const MAX_OPS = Math.max(1, num('BENCH_MAX_OPS', 100_000));
const RUNS = (env.BENCH_RUNS ?? 'default,raised')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s === 'default' || s === 'raised');
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_flood';
const PORT = num('BENCH_PORT', 3918);
const PIN = canPin();
const PIN_PG = PIN && env.BENCH_PIN_PG !== '0';

const ISSUER = `http://127.0.0.1:${PORT}`;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PASSWORD = 'violet-harbour-47-lantern';
const CLIENT_ID = 'bench-app';
const CLIENT_SECRET = 'bench-app-secret-0123456789abcdef0123456789';
const REDIRECT_URI = 'http://127.0.0.1:9/bench/callback';
const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;
/** Out of reach for the "limits raised" run. */
const RAISED = { RATE_LIMIT_SIGNIN_IP: '1000000000/1s', RATE_LIMIT_SIGNIN_IDENTIFIER: '1000000000/1s' };

const server = createServerProcess();

interface Latency {
  ops: number;
  p50: number;
  p99: number;
}
interface RunResult {
  run: string;
  idle: Latency;
  flood: Latency;
  posts: Record<string, number>;
  postsPerSec: number;
}

// ---------------------------------------------------------------------------
// HTTP, as a browser and a client's back end do it

/** One wrong-password post through the real page; returns the POST's status. */
async function wrongPassword(username: string): Promise<number> {
  const jar = new Jar();
  const form = await openLoginPage(jar, {
    issuer: ISSUER,
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    scope: 'openid',
  });
  const res = await postSignInForm(jar, form, username, 'not-the-password-0');
  await res.arrayBuffer();
  return res.status;
}

async function clientCredentials(): Promise<void> {
  const res = await request(`${ISSUER}/token`, undefined, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token?: unknown };
  if (res.status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`client_credentials answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
}

// ---------------------------------------------------------------------------
// Fixtures, server, phases

async function createFixtures(serverEnv: Record<string, string>): Promise<string[]> {
  const [{ loadConfig }, { createBenchContainer }, { CLI_ACTOR }, { default: pino }] = await Promise.all([
    import('../src/config/config.js'),
    import('./lib/container.js'),
    import('../src/services/audit.js'),
    import('pino'),
  ]);
  const c = await createBenchContainer(loadConfig({ ...env, ...serverEnv, LOG_LEVEL: 'silent' }), {
    log: pino({ level: 'silent' }),
  });
  try {
    const emails = Array.from({ length: USERS }, (_, i) => `flood-user-${String(i).padStart(4, '0')}@bench.test`);
    for (const email of emails)
      await c.identity.create(
        { email, password: PASSWORD, role: 'individual', status: 'active', givenName: 'Bench', familyName: 'User' },
        CLI_ACTOR,
      );
    await c.repos.clients.save(
      CLIENT_ID,
      {
        client_name: 'Bench app',
        grant_types: ['authorization_code', 'client_credentials'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      CLIENT_SECRET,
      true,
    );
    return emails;
  } finally {
    await c.close();
  }
}

/** client_credentials latencies over the measured window, optionally while `background` floods. */
async function measure(background?: { workers: number; op: () => Promise<void> }): Promise<Latency> {
  const end = performance.now() + (WARMUP + SECONDS) * 1000;
  let stop = false;
  const flood = background
    ? Array.from({ length: background.workers }, async () => {
        for (let i = 0; i < MAX_OPS && !stop && performance.now() < end; i++) await background.op();
      })
    : [];
  let load: Awaited<ReturnType<typeof timedLoop>>;
  try {
    load = await timedLoop({
      concurrency: CC_CONCURRENCY,
      warmupSeconds: WARMUP,
      seconds: SECONDS,
      maxOpsPerWorker: MAX_OPS,
      op: clientCredentials,
      sample: () => undefined,
    });
  } finally {
    stop = true;
    await Promise.allSettled(flood);
  }
  await Promise.all(flood);
  return { ops: load.ops, p50: load.p50, p99: load.p99 };
}

async function runOnce(run: string): Promise<RunResult> {
  const dbUrl = await recreateDatabase(PG_URL, DB_NAME);
  const serverEnv: Record<string, string> = {
    DATABASE_URL: dbUrl,
    PORT: String(PORT),
    ISSUER,
    GATEHOUSE_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    DATA_DIR: join(tmpdir(), 'gatehouse-bench-flood-data'),
    ...(run === 'raised' ? RAISED : {}),
  };
  process.stdout.write(`[${run}] fixtures: ${USERS} users, client ${CLIENT_ID} … `);
  const emails = await createFixtures(serverEnv);
  console.log('done');
  await server.start({
    root: ROOT,
    env: { ...env, ...serverEnv, NODE_ENV: env.BENCH_NODE_ENV ?? 'production' },
    issuer: ISSUER,
    pin: PIN,
  });
  try {
    await clientCredentials();
    await wrongPassword('warm-up@bench.test');
    process.stdout.write(`[${run}] (idle) client_credentials, concurrency ${CC_CONCURRENCY} … `);
    const idle = await measure();
    console.log(`p50 ${fixed(idle.p50)} ms`);

    const posts: Record<string, number> = {};
    let seq = 0;
    const floodStart = performance.now();
    process.stdout.write(`[${run}] (flood) the same, with ${FLOOD_CONCURRENCY} wrong-password posters … `);
    const flood = await measure({
      workers: FLOOD_CONCURRENCY,
      op: async () => {
        const n = seq++;
        // Known and unknown identifiers in turn.
        const status = await wrongPassword(n % 2 ? emails[n % emails.length]! : `nobody-${n}@bench.test`);
        posts[status] = (posts[status] ?? 0) + 1;
      },
    });
    const floodSeconds = (performance.now() - floodStart) / 1000;
    console.log(`p50 ${fixed(flood.p50)} ms`);
    const total = Object.values(posts).reduce((a, b) => a + b, 0);
    return { run, idle, flood, posts, postsPerSec: total / floodSeconds };
  } finally {
    await server.kill();
  }
}

function report(results: RunResult[]) {
  const rows = [
    [
      'run',
      'idle p50 ms',
      'idle p99 ms',
      'flood p50 ms',
      'flood p99 ms',
      'p50 ×',
      'p99 ×',
      'cc ops idle/flood',
      'flood posts/s',
      '401 evaluated',
      '429 throttled',
      '503 busy',
      'other',
    ],
  ];
  for (const r of results) {
    const other =
      Object.entries(r.posts)
        .filter(([s]) => !['401', '429', '503'].includes(s))
        .map(([s, n]) => `${s}:${n}`)
        .join(' ') || '0';
    rows.push([
      r.run === 'raised' ? 'limits raised' : 'default limits',
      fixed(r.idle.p50),
      fixed(r.idle.p99),
      fixed(r.flood.p50),
      fixed(r.flood.p99),
      fixed(r.flood.p50 / r.idle.p50, 2),
      fixed(r.flood.p99 / r.idle.p99, 2),
      `${r.idle.ops}/${r.flood.ops}`,
      fixed(r.postsPerSec),
      String(r.posts['401'] ?? 0),
      String(r.posts['429'] ?? 0),
      String(r.posts['503'] ?? 0),
      other,
    ]);
  }
  console.log('');
  printTable(rows, 1);
  for (const r of results) {
    const ratio = r.flood.p50 / r.idle.p50;
    console.log(
      `${r.run === 'raised' ? 'limits raised' : 'default limits'}: client_credentials p50 under the flood is ${fixed(ratio, 2)}× idle — target ≤ 3×: ${ratio <= 3 ? 'met' : 'NOT met'}`,
    );
  }
}

async function main() {
  server.killOnSignals();
  console.log(
    `Gatehouse ${revision(ROOT)} flood benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ` +
      `server ${PIN ? 'pinned to core 0' : 'NOT pinned'}, PostgreSQL ${PIN_PG ? 'moved to core 1' : 'unpinned'}; ${WARMUP}s warm-up + ${SECONDS}s per phase; ` +
      `ARGON2_CONCURRENCY ${env.ARGON2_CONCURRENCY ?? 'default (the cores less one)'}; load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
  if (loadavg()[0]! > 0.5) console.log('warning: the machine is not idle; other processes will skew the figures');
  const results: RunResult[] = [];
  if (PIN_PG) movePostgresToLoadCore();
  try {
    for (const run of RUNS) results.push(await runOnce(run));
  } catch (err) {
    server.failed(err);
  } finally {
    await server.kill();
    if (PIN_PG) releasePostgres();
    await dropDatabase(PG_URL, DB_NAME).catch((err) => console.error('could not drop the database:', err));
  }
  if (results.length) report(results);
}

// The load generator pins itself to core 1 (the server gets core 0).
await runOnLoadCore(PIN, import.meta.url, main);
