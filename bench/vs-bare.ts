/**
 * Token issuance: Gatehouse against bare oidc-provider, server CPU per grant.
 *
 *   npm run bench:vs-bare
 *
 * What it does:
 *   1. re-executes itself under `taskset -c 1` (the load generator gets core 1);
 *   2. makes a fresh PostgreSQL database with one user, one first-party confidential
 *      client (client_secret_basic) and one API (resource indicator, ES256 JWT access tokens);
 *   3. starts both servers on core 0, each a child process (NODE_ENV=production):
 *      bench/bare-provider.ts (the same oidc-provider, in-memory adapter, the same client
 *      and API) and Gatehouse (`src/main.ts`, the database above); the local PostgreSQL is
 *      moved to core 1 for the run;
 *   4. gets BENCH_CONCURRENCY refresh tokens from each by an authorization-code grant
 *      (Gatehouse: its sign-in page and a password; bare: an interaction that signs in at once),
 *      then runs every grant once on each, unmeasured, as a warm-up;
 *   5. BENCH_ROUNDS times, for each grant (opaque, JWT, refresh) loads one server then the
 *      other (the order swapped every round) for BENCH_WARMUP + BENCH_SECONDS, and reads the
 *      server process's CPU time (/proc, every thread) over the measured window;
 *   6. prints server CPU per grant (ms), the median of the rounds, and the ratio
 *      bare ÷ Gatehouse (1.0: Gatehouse costs what the bare library does; 0.5: twice as much);
 *      also net of each server's background CPU, read while the other one was loaded (on a
 *      busy machine few grants are made per second and the background weighs on them).
 *
 * The grants: (opaque) client_credentials without a resource: an opaque token, which
 * Gatehouse writes to PostgreSQL and bare keeps in memory; (jwt) client_credentials with
 * the API as `resource`: an ES256 JWT, stored nowhere; (refresh) refresh_token with
 * rotation (openid offline_access: a new refresh token, an opaque access token and an
 * RS256 ID token), one chain per worker.
 *
 * Settings (environment):
 *   BENCH_SECONDS=5  BENCH_WARMUP=2  BENCH_ROUNDS=3  BENCH_CONCURRENCY=32  BENCH_ONLY=opaque,jwt,refresh
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_vs_bare
 *   BENCH_PORT=<port> (Gatehouse; bare gets the next one; default: two ports free at the start, so
 *     that a server of another checkout on a fixed port is never measured instead)  BENCH_PIN=1  BENCH_PIN_PG=1
 *   BENCH_LOG_LEVEL  Gatehouse's LOG_LEVEL (default: its own default, info: one access-log line per request)
 *   BENCH_GATEHOUSE_ROOT=<dir>  run Gatehouse from another checkout (e.g. a worktree at the commit before)
 *   BENCH_CPU_PROF=<dir>  run both servers with --cpu-prof, profiles written to <dir> (named by the pids printed)
 *   BENCH_JSON=<file>  also write every measurement as JSON
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authorizationRequest, follow, Jar, openLoginPage, request } from './lib/browser.js';
import { saveBenchClientAndApi, withBenchContainer } from './lib/container.js';
import { procCpu, usage } from './lib/cpu.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { installAgent } from './lib/keep-alive.js';
import { canPin, movePostgresToLoadCore, releasePostgres, runOnLoadCore } from './lib/pinning.js';
import { revision } from './lib/revision.js';
import { createServerProcess } from './lib/server-process.js';
import { fixed, printTable } from './lib/table.js';
import { timedLoop } from './lib/timed-loop.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
/** The Gatehouse checkout whose server is measured (another worktree: a before/after of the same bench). */
const GATEHOUSE_ROOT = env.BENCH_GATEHOUSE_ROOT ?? ROOT;

const SECONDS = num('BENCH_SECONDS', 5);
const WARMUP = num('BENCH_WARMUP', 2);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 3));
const CONCURRENCY = Math.max(1, num('BENCH_CONCURRENCY', 32));
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_vs_bare';
const GRANTS = ['opaque', 'jwt', 'refresh'] as const;
type Grant = (typeof GRANTS)[number];
const ONLY = (env.BENCH_ONLY ?? GRANTS.join(',')).split(',').map((s) => s.trim()) as Grant[];
const PIN = canPin();
const PIN_PG = PIN && env.BENCH_PIN_PG !== '0';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const EMAIL = 'bench-user@bench.test';
const PASSWORD = 'violet-harbour-47-lantern';
const CLIENT_ID = 'bench-app';
const CLIENT_SECRET = 'bench-app-secret-0123456789abcdef0123456789';
/** Never fetched: a sign-in stops at the redirect that leaves the server. */
const REDIRECT_URI = 'http://127.0.0.1:9/bench/callback';
const RESOURCE = 'https://api.bench.test';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const MAX_OPS_PER_WORKER = 1_000_000;

interface Target {
  name: 'bare' | 'gatehouse';
  issuer: string;
  server: ReturnType<typeof createServerProcess>;
  /** Refresh tokens, one per worker in flight. */
  chains: string[];
  /** An authorization code for `openid offline_access`, and its PKCE verifier. */
  authorize: (target: Target) => Promise<{ code: string; verifier: string }>;
}

interface Measurement {
  round: number;
  grant: Grant;
  server: Target['name'];
  grants: number;
  grantsPerSec: number;
  /** Server process CPU (every thread) per grant, ms. */
  cpuMs: number;
  cpuSeconds: number;
  /** The measured window, s. */
  window: number;
  /** The other server's CPU meanwhile, unloaded (timers, pools, housekeeping): ms per second. */
  otherIdleMsPerSec: number;
  /** PostgreSQL CPU per grant, ms (the benchmark database's backends, the postmaster and its helpers). */
  pgMs: number;
  p50: number;
  load1: number;
}

const loadAverage = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function main() {
  const PORT = env.BENCH_PORT ? num('BENCH_PORT', 0) : await freePort();
  const BARE_PORT = env.BENCH_PORT ? PORT + 1 : await freePort();
  const gatehouse: Target = {
    name: 'gatehouse',
    issuer: `http://127.0.0.1:${PORT}`,
    server: createServerProcess(),
    chains: [],
    authorize: signInWithPassword,
  };
  const bare: Target = {
    name: 'bare',
    issuer: `http://127.0.0.1:${BARE_PORT}`,
    server: createServerProcess(),
    chains: [],
    authorize: signInAtOnce,
  };
  const targets = [bare, gatehouse];
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      Promise.all(targets.map((t) => t.server.kill())).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });

  console.log(
    `Gatehouse ${revision(GATEHOUSE_ROOT)} against bare oidc-provider — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ` +
      `servers ${PIN ? 'pinned to core 0' : 'NOT pinned'}, load generator ${PIN ? 'on core 1' : 'NOT pinned'}, PostgreSQL ${PIN_PG ? 'moved to core 1' : 'unpinned'}; ` +
      `${ROUNDS} rounds of ${WARMUP}s warm-up + ${SECONDS}s per grant and server, concurrency ${CONCURRENCY}; load average ${loadAverage()}`,
  );

  const measurements: Measurement[] = [];
  let current: Target | undefined;
  try {
    const dbUrl = await recreateDatabase(PG_URL, DB_NAME);
    const serverEnv = {
      DATABASE_URL: dbUrl,
      PORT: String(PORT),
      ISSUER: gatehouse.issuer,
      GATEHOUSE_SECRET: SECRET,
      DATA_DIR: join(tmpdir(), 'gatehouse-bench-data'),
      ...(env.BENCH_LOG_LEVEL ? { LOG_LEVEL: env.BENCH_LOG_LEVEL } : {}),
    };
    await withBenchContainer({ ...env, ...serverEnv }, async (c, actor) => {
      await c.identity.create(
        {
          email: EMAIL,
          password: PASSWORD,
          role: 'individual',
          status: 'active',
          givenName: 'Bench',
          familyName: 'User',
        },
        actor,
      );
      await saveBenchClientAndApi(c, {
        clientId: CLIENT_ID,
        secret: CLIENT_SECRET,
        redirectUri: REDIRECT_URI,
        resource: RESOURCE,
      });
    });

    if (PIN_PG) movePostgresToLoadCore();
    await bare.server.start({
      root: ROOT,
      env: {
        ...env,
        NODE_ENV: 'production',
        BARE_PORT: String(BARE_PORT),
        BARE_CLIENT_ID: CLIENT_ID,
        BARE_CLIENT_SECRET: CLIENT_SECRET,
        BARE_REDIRECT_URI: REDIRECT_URI,
        BARE_RESOURCE: RESOURCE,
      },
      issuer: bare.issuer,
      pin: PIN,
      cpuProfDir: env.BENCH_CPU_PROF,
      entry: 'bench/bare-provider.ts',
      readyPath: '/.well-known/openid-configuration',
    });
    await gatehouse.server.start({
      root: GATEHOUSE_ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: 'production' },
      issuer: gatehouse.issuer,
      pin: PIN,
      cpuProfDir: env.BENCH_CPU_PROF,
    });
    installAgent(CONCURRENCY * 2);

    for (const t of targets) {
      current = t;
      process.stdout.write(`${t.name}: ${CONCURRENCY} refresh tokens by authorization-code grants … `);
      for (let i = 0; i < CONCURRENCY; i++) t.chains.push(await refreshToken(t));
      console.log('done');
    }
    // An unmeasured pass first: code paths loaded and compiled, pools and caches filled.
    for (const t of targets) for (const grant of ONLY) await measure(t, grant, 0, t === bare ? gatehouse : bare);

    for (let round = 1; round <= ROUNDS; round++) {
      for (const grant of ONLY) {
        for (const t of round % 2 ? targets : [...targets].reverse()) {
          current = t;
          const m = await measure(t, grant, round, t === bare ? gatehouse : bare);
          measurements.push(m);
          console.log(
            `round ${round} ${grant.padEnd(7)} ${t.name.padEnd(9)} ${m.grantsPerSec.toFixed(0).padStart(6)} grants/s  ` +
              `server ${m.cpuMs.toFixed(3)} ms/grant  PostgreSQL ${m.pgMs.toFixed(3)} ms/grant  load ${loadAverage()}`,
          );
        }
      }
    }
  } catch (err) {
    (current ?? gatehouse).server.failed(err);
  } finally {
    await Promise.all(targets.map((t) => t.server.kill()));
    if (PIN_PG) releasePostgres();
    await dropDatabase(PG_URL, DB_NAME).catch((err) => console.error('could not drop the database:', err));
  }
  if (measurements.length) report(measurements);
}

// ---------------------------------------------------------------------------
// Grants

async function tokenRequest(t: Target, params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await request(`${t.issuer}/token`, undefined, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${t.name} token endpoint ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const client = (t: Target) => ({
  issuer: t.issuer,
  clientId: CLIENT_ID,
  redirectUri: REDIRECT_URI,
  scope: 'openid offline_access',
});

/** Where a sign-in left the server for the client: the code. */
function codeOf(done: { leftTo?: URL; url: string; res: Response }, state: string): string {
  const code = done.leftTo?.searchParams.get('code');
  if (!code || done.leftTo?.searchParams.get('state') !== state)
    throw new Error(`the sign-in did not end at the client with a code: ${done.res.status} ${done.leftTo ?? done.url}`);
  return code;
}

/** Gatehouse: the sign-in page, the password form (offline_access: Gatehouse adds prompt=consent itself). */
async function signInWithPassword(t: Target) {
  const jar = new Jar();
  const { actionUrl, csrf, state, verifier } = await openLoginPage(jar, client(t));
  const posted = await request(actionUrl, jar, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username: EMAIL, password: PASSWORD }).toString(),
  });
  return { code: codeOf(await follow(posted, actionUrl, jar, t.issuer), state), verifier };
}

/** Bare: its interaction signs the user in and grants at once (prompt=consent keeps offline_access). */
async function signInAtOnce(t: Target) {
  const jar = new Jar();
  const { url, state, verifier } = authorizationRequest(client(t), { prompt: 'consent' });
  return { code: codeOf(await follow(await request(url, jar), url, jar, t.issuer), state), verifier };
}

async function refreshToken(t: Target): Promise<string> {
  const { code, verifier } = await t.authorize(t);
  const tokens = await tokenRequest(t, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  if (typeof tokens.refresh_token !== 'string') throw new Error(`${t.name}: no refresh_token for offline_access`);
  return tokens.refresh_token;
}

/** One grant of the kind, checked: the token's format, the rotated refresh token. */
async function grantOnce(t: Target, grant: Grant): Promise<void> {
  if (grant === 'refresh') {
    const token = t.chains.pop();
    if (!token) throw new Error('no refresh chain free (more workers than chains)');
    const body = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: token });
    if (typeof body.refresh_token !== 'string' || typeof body.id_token !== 'string')
      throw new Error(`${t.name}: refresh answered without a new refresh token and ID token`);
    t.chains.push(body.refresh_token);
    return;
  }
  const jwt = grant === 'jwt';
  const body = await tokenRequest(
    t,
    jwt
      ? { grant_type: 'client_credentials', resource: RESOURCE, scope: 'read' }
      : { grant_type: 'client_credentials' },
  );
  if (typeof body.access_token !== 'string' || jwt !== (body.access_token.split('.').length === 3))
    throw new Error(`${t.name}: expected ${jwt ? 'a JWT' : 'an opaque'} access token`);
}

async function measure(t: Target, grant: Grant, round: number, idle: Target): Promise<Measurement> {
  const pid = t.server.pid;
  const idlePid = idle.server.pid;
  if (!pid || !idlePid) throw new Error('a server is not running');
  const run = await timedLoop({
    concurrency: CONCURRENCY,
    warmupSeconds: WARMUP,
    seconds: SECONDS,
    maxOpsPerWorker: MAX_OPS_PER_WORKER,
    op: () => grantOnce(t, grant),
    sample: () => ({
      server: procCpu(pid),
      idle: procCpu(idlePid),
      pg: usage(undefined, DB_NAME).pg,
      at: performance.now(),
    }),
  });
  if (!run.before || !run.after || !run.ops) throw new Error(`${t.name} ${grant}: nothing measured`);
  return {
    round,
    grant,
    server: t.name,
    grants: run.ops,
    grantsPerSec: run.opsPerSec,
    cpuMs: ((run.after.server - run.before.server) * 1000) / run.ops,
    cpuSeconds: run.after.server - run.before.server,
    window: (run.after.at - run.before.at) / 1000,
    otherIdleMsPerSec: ((run.after.idle - run.before.idle) * 1000) / ((run.after.at - run.before.at) / 1000),
    pgMs: ((run.after.pg - run.before.pg) * 1000) / run.ops,
    p50: run.p50,
    load1: loadavg()[0]!,
  };
}

// ---------------------------------------------------------------------------
// Report

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * CPU per grant less the server's own background (timers, pools, housekeeping): its CPU
 * rate while the other server was loaded in the same round, times the window. On a busy
 * machine few grants are made per second and that background weighs on the raw figure.
 */
function netMs(m: Measurement, all: Measurement[]): number {
  const pair = all.find((o) => o.round === m.round && o.grant === m.grant && o.server !== m.server);
  return pair ? (m.cpuSeconds * 1000 - pair.otherIdleMsPerSec * m.window) / m.grants : NaN;
}

function report(measurements: Measurement[]) {
  const of = (grant: Grant, server: Target['name']) =>
    measurements.filter((m) => m.grant === grant && m.server === server);
  console.log(
    `\nServer CPU per grant in ms (process CPU time, every thread, ÷ grants in the measured window), median of ${ROUNDS} rounds;\n` +
      "net = less the server's background CPU (measured while the other server was loaded); " +
      'ratio = bare ÷ Gatehouse (goal: JWT ≥ 0.8, opaque ≥ 0.6)\n',
  );
  const rows = ONLY.map((grant) => {
    const b = of(grant, 'bare');
    const g = of(grant, 'gatehouse');
    const ratios = (f: (m: Measurement) => number) => b.map((m, i) => (g[i] ? f(m) / f(g[i]!) : NaN));
    const net = (m: Measurement) => netMs(m, measurements);
    return {
      grant,
      bareMs: median(b.map((m) => m.cpuMs)),
      gatehouseMs: median(g.map((m) => m.cpuMs)),
      ratio: median(ratios((m) => m.cpuMs)),
      perRound: ratios((m) => m.cpuMs),
      bareNetMs: median(b.map(net)),
      gatehouseNetMs: median(g.map(net)),
      netRatio: median(ratios(net)),
      netPerRound: ratios(net),
      gatehouseIdle: median(b.map((m) => m.otherIdleMsPerSec)),
      pgMs: median(g.map((m) => m.pgMs)),
      bareRate: median(b.map((m) => m.grantsPerSec)),
      gatehouseRate: median(g.map((m) => m.grantsPerSec)),
    };
  });
  printTable(
    [
      [
        'grant',
        'bare',
        'Gatehouse',
        'ratio',
        'per round',
        'bare net',
        'Gatehouse net',
        'net ratio',
        'per round',
        'Gatehouse idle ms/s',
        'Gatehouse PostgreSQL',
        'bare grants/s',
        'Gatehouse grants/s',
      ],
      ...rows.map((r) => [
        r.grant,
        fixed(r.bareMs, 3),
        fixed(r.gatehouseMs, 3),
        fixed(r.ratio, 2),
        r.perRound.map((v) => fixed(v, 2)).join(' '),
        fixed(r.bareNetMs, 3),
        fixed(r.gatehouseNetMs, 3),
        fixed(r.netRatio, 2),
        r.netPerRound.map((v) => fixed(v, 2)).join(' '),
        fixed(r.gatehouseIdle, 1),
        fixed(r.pgMs, 3),
        fixed(r.bareRate, 0),
        fixed(r.gatehouseRate, 0),
      ]),
    ],
    1,
  );
  const loads = measurements.map((m) => m.load1);
  console.log(
    `\nLoad average (1 min) during the run: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}; at the end ${loadAverage()}.`,
  );
  console.log(
    "grants/s are what the load generator reached (core 1, shared with PostgreSQL), not the servers' limit: compare CPU per grant.",
  );
  if (env.BENCH_JSON)
    writeFileSync(
      env.BENCH_JSON,
      JSON.stringify({ seconds: SECONDS, warmup: WARMUP, rounds: ROUNDS, measurements, summary: rows }, null, 2),
    );
}

await runOnLoadCore(PIN, import.meta.url, main);
