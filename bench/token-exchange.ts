/**
 * Token exchange (RFC 8693 impersonation) throughput on PostgreSQL, the server pinned to one core.
 *
 *   npm run bench:token-exchange
 *
 * What it does:
 *   1. re-executes itself under `taskset -c 1` (the load generator gets core 1);
 *   2. drops and recreates the database; through the container: one admin (with a
 *      password), one first-party confidential client allowed the token exchange
 *      grant, one resource server; then BENCH_TARGETS individuals with set-based SQL;
 *   3. moves the local PostgreSQL to core 1 (BENCH_PIN_PG), starts
 *      `taskset -c 0 node --import tsx src/main.ts` (NODE_ENV=production), waits for /readyz;
 *   4. signs the admin in once over HTTP (authorization code + PKCE): an opaque access
 *      token, and a JWT access token for the resource server — the two actor tokens;
 *   5. measures, over keep-alive connections (node:http), for BENCH_WARMUP + BENCH_SECONDS each:
 *        (1) POST /token grant_type=token-exchange, the opaque actor token, a random
 *            target, scope "openid roles" → an opaque access token for userinfo;
 *        (2) the same with the JWT actor token and resource=<the API>, scope "read roles"
 *            → an ES256 JWT for the API;
 *      every answer is checked (200, issued_token_type, Bearer, no refresh token, the
 *      token's kind); any failed check stops the benchmark (exit code 1); afterwards one
 *      token of each kind is introspected or verified for `sub` and `act`, and the
 *      impersonation rows are counted against the exchanges made;
 *   6. stops the server, counts the SQL statements behind one exchange of each kind
 *      in-process, prints a table and the target; drops the database (also on error).
 *
 * Target (issue 4): ≥ 500 token exchanges per second on one core.
 *
 * Settings (environment):
 *   BENCH_SECONDS=10  BENCH_WARMUP=2  BENCH_CONCURRENCY=16  BENCH_TARGETS=1000  BENCH_ONLY=1,2
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_exchange
 *   BENCH_PORT=3919  BENCH_PIN=1 (0: no taskset)  BENCH_PIN_PG=1 (0: leave PostgreSQL where it is)
 *   BENCH_NODE_ENV=production  BENCH_CPU_PROF=<dir>  BENCH_SQL_TRACE=1 (0 skips it)
 *   BENCH_JSON=<file>  BENCH_KEEP_DB=1
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import pg from 'pg';
import { cpuBetween, usage as cpuUsage } from './lib/cpu.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { timedLoop } from './lib/timed-loop.js';
import { canPin, movePostgresToLoadCore, releasePostgres, runOnLoadCore } from './lib/pinning.js';
import { revision } from './lib/revision.js';
import { createServerProcess } from './lib/server-process.js';
import { fixed, percent, printTable } from './lib/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;

const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP', 2);
const CONCURRENCY = Math.max(1, num('BENCH_CONCURRENCY', 16));
const TARGETS = Math.max(1, num('BENCH_TARGETS', 1000));
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_exchange';
const PORT = num('BENCH_PORT', 3919);
const ONLY = new Set(
  (env.BENCH_ONLY ?? '1,2')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const PIN = canPin();
const PIN_PG = PIN && env.BENCH_PIN_PG !== '0';
const SERVER_NODE_ENV = env.BENCH_NODE_ENV ?? 'production';
const SQL_TRACE = env.BENCH_SQL_TRACE !== '0';
const TARGET_PER_SEC = 500;

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_OPS_PER_WORKER = 1_000_000;

const ISSUER = `http://127.0.0.1:${PORT}`;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PASSWORD = 'violet-harbour-47-lantern';
const ADMIN_EMAIL = 'bench-admin@bench.test';
const CLIENT_ID = 'bench-console';
const CLIENT_SECRET = 'bench-console-secret-0123456789abcdef0123456789';
const REDIRECT_URI = 'http://127.0.0.1:9/bench/callback';
const RESOURCE = 'https://api.bench.test';
const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;
const GUEST_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const USER_ID_TYPE = 'urn:gatehouse:params:oauth:token-type:user_id';
const DATA_DIR = join(tmpdir(), 'gatehouse-bench-exchange-data');

interface PhaseResult {
  key: string;
  label: string;
  ops: number;
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  met: boolean;
  serverCpu?: number;
  serverMainCpu?: number;
  pgCpu?: number;
  loadCpu?: number;
  coreBusy?: number[];
  sqlPerRequest?: number;
}

const server = createServerProcess();
/** The two actor tokens, both the admin's. */
const actor = { opaque: '', jwt: '' };
let adminId = '';
let targets: string[] = [];

async function main() {
  server.killOnSignals();
  console.log(
    `Gatehouse ${revision(ROOT)} token exchange benchmark — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; server ${PIN ? 'pinned to core 0' : 'NOT pinned'}, load generator ${PIN ? 'pinned to core 1' : 'NOT pinned'}, ` +
      `PostgreSQL ${PIN_PG ? 'moved to core 1' : 'unpinned'}; ${TARGETS} targets; concurrency ${CONCURRENCY}; ${WARMUP}s warm-up + ${SECONDS}s per phase; ` +
      `load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
  const results: PhaseResult[] = [];
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
    };
    process.stdout.write(`fixtures and ${TARGETS} targets … `);
    await prepare(serverEnv, dbUrl);
    console.log('done');

    if (PIN_PG) movePostgresToLoadCore();
    await server.start({
      root: ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: SERVER_NODE_ENV },
      issuer: ISSUER,
      pin: PIN,
      cpuProfDir: env.BENCH_CPU_PROF,
    });
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2, maxFreeSockets: CONCURRENCY * 2 });
    actor.opaque = await signIn('openid roles');
    actor.jwt = await signIn('openid roles read', RESOURCE);

    const stats = new pg.Client({ connectionString: dbUrl });
    await stats.connect();
    try {
      let made = 0;
      const count = (op: () => Promise<unknown>) => async () => {
        await op();
        made++;
      };
      await exchangeOpaque();
      await exchangeJwt();
      made += 2;
      if (ONLY.has('1'))
        results.push(
          await timed('1', 'token exchange, opaque actor token → opaque token (userinfo)', count(exchangeOpaque)),
        );
      if (ONLY.has('2'))
        results.push(
          await timed('2', 'token exchange, JWT actor token + resource → JWT for the API', count(exchangeJwt)),
        );
      const { rows } = await stats.query("SELECT count(*)::int AS n FROM impersonations WHERE kind = 'exchange'");
      check(rows[0].n === made, `${rows[0].n} impersonations recorded for ${made} exchanges`);
      await verifySamples();
      console.log(`checked: ${made} exchanges, ${rows[0].n} impersonation rows; sample tokens carry sub and act`);
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
      process.stdout.write('counting SQL statements per exchange (in-process) … ');
      const counts = await traceStatements(dbUrl);
      for (const r of results) r.sqlPerRequest = counts[r.key];
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
// Fixtures

async function prepare(serverEnv: Record<string, string>, dbUrl: string): Promise<void> {
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
    adminId = (
      await c.identity.create(
        {
          email: ADMIN_EMAIL,
          password: PASSWORD,
          role: 'admin',
          status: 'active',
          givenName: 'Bench',
          familyName: 'Admin',
        },
        CLI_ACTOR,
      )
    ).id;
    await c.repos.clients.save(
      CLIENT_ID,
      {
        client_name: 'Bench console',
        grant_types: ['authorization_code', TOKEN_EXCHANGE],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      CLIENT_SECRET,
      true,
    );
    await c.repos.resources.create({
      indicator: RESOURCE,
      scopes: ['read', 'write'],
      accessTokenTtl: null,
      firstPartyOnly: false,
    });
  } finally {
    await c.close();
  }
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    const { rows } = await db.query(
      `INSERT INTO users (user_code, email, given_name, family_name, status, main_role, main_account_id)
       SELECT 'T' || n, 'target' || n || '@bench.test', 'Target', 'User' || n, 'active', 'individual', $1::uuid FROM generate_series(1, $2::int) AS n
       RETURNING id`,
      [GUEST_ACCOUNT_ID, TARGETS],
    );
    targets = rows.map((r) => r.id as string);
    await db.query(
      `INSERT INTO employments (user_id, account_id, is_main) SELECT id, $1::uuid, true FROM users WHERE email LIKE 'target%@bench.test'`,
      [GUEST_ACCOUNT_ID],
    );
    await db.query(
      `INSERT INTO role_assignments (user_id, role) SELECT id, 'individual' FROM users WHERE email LIKE 'target%@bench.test'`,
    );
    await db.query('COMMIT');
    await db.query('VACUUM (ANALYZE)');
  } finally {
    await db.end();
  }
}

// ---------------------------------------------------------------------------
// HTTP (node:http over a keep-alive agent: about half the client CPU of fetch, and
// the load generator shares its core with PostgreSQL)

let agent = new Agent({ keepAlive: true });

class CheckFailed extends Error {}
function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new CheckFailed(what);
}

function http(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
  base = ISSUER,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(url, base),
      {
        method,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function tokenRequest(params: Record<string, string>, base = ISSUER): Promise<Record<string, unknown>> {
  const res = await http(
    'POST',
    '/token',
    { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    new URLSearchParams(params).toString(),
    base,
  );
  check(res.status === 200, `token endpoint ${res.status}: ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text) as Record<string, unknown>;
}

/** The admin's sign-in (setup, not measured): /auth → login form → code → token; returns the access token. */
async function signIn(scope: string, resource?: string): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (method: string, url: string, body?: string) => {
    const res = await http(
      method,
      url,
      {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    );
    for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const pair = line.split(';')[0]!;
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return res;
  };
  const follow = async (res: Awaited<ReturnType<typeof send>>, from: string) => {
    for (let url = from, hops = 0; ; hops++) {
      check(hops < 10, 'too many redirects');
      if (res.status < 300 || res.status >= 400) return { res, url };
      const next = new URL(String(res.headers.location), url);
      if (next.origin !== ISSUER) return { res, url, leftTo: next };
      url = next.toString();
      res = await send('GET', url);
    }
  };
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL('/auth', ISSUER);
  auth.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope,
    state: 's',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(resource ? { resource } : {}),
  }).toString();
  const page = await follow(await send('GET', auth.toString()), auth.toString());
  const form = /<form\b[^>]*action="([^"]*\/login)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.res.text);
  const csrf = form && /name="_csrf"[^>]*value="([^"]*)"/.exec(form[2]!)?.[1];
  check(form && csrf, `no login form on ${page.url} (${page.res.status})`);
  const action = new URL(form[1]!.replace(/&amp;/g, '&'), page.url).toString();
  const done = await follow(
    await send(
      'POST',
      action,
      new URLSearchParams({ _csrf: csrf, username: ADMIN_EMAIL, password: PASSWORD }).toString(),
    ),
    action,
  );
  const code = done.leftTo?.searchParams.get('code');
  check(code, `the sign-in did not reach the client: ${done.res.status} ${done.url}`);
  const tokens = await tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    ...(resource ? { resource } : {}),
  });
  check(typeof tokens.access_token === 'string', 'no access token after sign-in');
  return tokens.access_token;
}

const pickTarget = () => targets[Math.floor(Math.random() * targets.length)]!;

async function exchange(actorToken: string, extra: Record<string, string>, base = ISSUER): Promise<string> {
  const body = await tokenRequest(
    {
      grant_type: TOKEN_EXCHANGE,
      actor_token: actorToken,
      actor_token_type: ACCESS_TOKEN_TYPE,
      subject_token: pickTarget(),
      subject_token_type: USER_ID_TYPE,
      ...extra,
    },
    base,
  );
  check(
    body.issued_token_type === ACCESS_TOKEN_TYPE &&
      body.token_type === 'Bearer' &&
      typeof body.access_token === 'string',
    `unexpected answer ${JSON.stringify(body).slice(0, 200)}`,
  );
  check(body.refresh_token === undefined && Number(body.expires_in) > 0, 'a refresh token, or no lifetime');
  return body.access_token;
}
const exchangeOpaque = async (base = ISSUER) => {
  const token = await exchange(actor.opaque, { scope: 'openid roles' }, base);
  check(!token.includes('.'), 'expected an opaque token');
  return token;
};
const exchangeJwt = async (base = ISSUER) => {
  const token = await exchange(actor.jwt, { resource: RESOURCE, scope: 'read roles' }, base);
  check(token.split('.').length === 3, 'expected a JWT');
  return token;
};

/** One token of each kind: `sub` is a target, `act` the admin. */
async function verifySamples(): Promise<void> {
  const opaque = await exchangeOpaque();
  const res = await http(
    'POST',
    '/token/introspection',
    { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ token: opaque }).toString(),
  );
  const info = JSON.parse(res.text) as { active?: boolean; sub?: string; act?: { sub?: string } };
  check(
    info.active && targets.includes(info.sub!) && info.act?.sub === adminId,
    `introspection: ${res.text.slice(0, 200)}`,
  );
  const jwt = await exchangeJwt();
  const jwks = JSON.parse((await http('GET', '/jwks')).text) as { keys: JWK[] };
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks), { issuer: ISSUER, audience: RESOURCE });
  check(
    targets.includes(String(payload.sub)) && (payload.act as { sub?: string } | undefined)?.sub === adminId,
    'JWT without sub/act',
  );
}

// ---------------------------------------------------------------------------
// Phases

async function timed(key: string, label: string, op: () => Promise<unknown>): Promise<PhaseResult> {
  process.stdout.write(`(${key}) ${label}, concurrency ${CONCURRENCY} … `);
  const { before, after, ...figures } = await timedLoop({
    concurrency: CONCURRENCY,
    warmupSeconds: WARMUP,
    seconds: SECONDS,
    maxOpsPerWorker: MAX_OPS_PER_WORKER,
    op,
    sample: () => cpuUsage(server.pid, DB_NAME),
  });
  const { opsPerSec } = figures;
  const result: PhaseResult = {
    key,
    label,
    ...figures,
    met: opsPerSec >= TARGET_PER_SEC,
    ...(before ? cpuBetween(before, after) : {}),
  };
  console.log(`${opsPerSec.toFixed(1)}/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`);
  return result;
}

// ---------------------------------------------------------------------------
// SQL statements per exchange, counted in-process (the server is stopped by then)

async function traceStatements(dbUrl: string): Promise<Record<string, number>> {
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
  let app: Server | undefined;
  try {
    const { handle } = await buildApp(c);
    app = createServer(handle);
    await new Promise<void>((resolve) => app!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    let statements = 0;
    c.db.on('query', () => statements++);
    const count = async (fn: () => Promise<unknown>) => {
      await fn(); // warm (caches)
      const before = statements;
      await fn();
      return statements - before;
    };
    return { '1': await count(() => exchangeOpaque(base)), '2': await count(() => exchangeJwt(base)) };
  } finally {
    await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
    await c.close();
  }
}

// ---------------------------------------------------------------------------
// Report

function report(results: PhaseResult[]) {
  console.log(
    `\nResults (${SECONDS} s measured after ${WARMUP} s warm-up, concurrency ${CONCURRENCY}; latency of whole requests)\n`,
  );
  printTable(
    [
      ['', 'metric', 'exchanges', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'target', ''],
      ...results.map((r) => [
        `(${r.key})`,
        r.label,
        String(r.ops),
        r.opsPerSec.toFixed(1),
        r.p50.toFixed(1),
        r.p95.toFixed(1),
        r.p99.toFixed(1),
        `≥ ${TARGET_PER_SEC}/s`,
        r.met ? 'MET' : 'MISSED',
      ]),
    ],
    2,
  );
  console.log('\nWhere the CPU went (share of one core during the measured window, from /proc)\n');
  const per = (share: number | undefined, r: PhaseResult) =>
    share === undefined || !r.opsPerSec ? undefined : (1000 * share) / r.opsPerSec;
  printTable(
    [
      ['', 'server', 'main thr.', 'server ms/op', 'PostgreSQL', 'PG ms/op', 'load gen.', 'core0 / core1', 'SQL/op'],
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
    `\nTargets:\n${results.map((r) => `  ${r.met ? 'MET   ' : 'MISSED'}  (${r.key}) ${r.opsPerSec.toFixed(0)} exchanges/s (target ≥ ${TARGET_PER_SEC}/s)`).join('\n')}`,
  );
  if (env.BENCH_JSON)
    writeFileSync(
      env.BENCH_JSON,
      JSON.stringify(
        {
          seconds: SECONDS,
          warmup: WARMUP,
          concurrency: CONCURRENCY,
          targets: TARGETS,
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

// Entry (last, so every declaration above is initialised).
await runOnLoadCore(PIN, import.meta.url, main);
