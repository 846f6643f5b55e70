/**
 * Lists the SQL statements behind each HTTP request of the benchmarked flows
 * (one password sign-in, one with offline_access, a refresh, client_credentials
 * with and without a resource), one request at a time, against a throw-away
 * PostgreSQL database. A diagnostic for bench/signin.ts; it runs Gatehouse
 * in-process (buildApp), not pinned.
 *
 *   node --import tsx bench/sql-trace.ts [--full]
 *
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_TRACE_DB=gatehouse_bench_trace
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createBenchContainer } from './lib/container.js';
import { CLI_ACTOR } from '../src/services/audit.js';

const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = process.env.BENCH_TRACE_DB ?? 'gatehouse_bench_trace';
const FULL = process.argv.includes('--full');
const PASSWORD = 'violet-harbour-47-lantern';
const REDIRECT_URI = 'http://127.0.0.1:9/bench/callback';
const RESOURCE = 'https://api.bench.test';
const CLIENT_ID = 'bench-app';
const CLIENT_SECRET = 'bench-app-secret-0123456789abcdef0123456789';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

if (!/^[a-z_][a-z0-9_]*$/.test(DB)) throw new Error('BENCH_TRACE_DB must be a plain identifier');
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DB}`);
const url = new URL(PG_URL);
url.pathname = `/${DB}`;

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const config = loadConfig({
  DATABASE_URL: url.toString(),
  ISSUER: origin,
  GATEHOUSE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  LOG_LEVEL: 'silent',
  DATA_DIR: '/nonexistent',
});
const c = await createBenchContainer(config, { log: pino({ level: 'silent' }) });
const { handle } = await buildApp(c);
server.on('request', handle);

const email = 'trace-user@bench.test';
await c.identity.create(
  { email, password: PASSWORD, role: 'individual', status: 'active', givenName: 'Trace', familyName: 'User' },
  CLI_ACTOR,
);
await c.repos.clients.save(
  CLIENT_ID,
  {
    client_name: 'Bench app',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  CLIENT_SECRET,
  true,
);
await c.repos.resources.create({ indicator: RESOURCE, scopes: ['read'], accessTokenTtl: null, firstPartyOnly: false });

// Every statement the server sends, attributed to the request in flight.
let current: string[] | undefined;
c.db.on('query', (q: { sql: string }) => current?.push(q.sql));

const totals = new Map<string, number>();
async function traced(flow: string, method: string, target: string, init: RequestInit = {}) {
  current = [];
  const res = await fetch(target, { ...init, method, redirect: 'manual' });
  const body = await res.text();
  const statements = current;
  current = undefined;
  totals.set(flow, (totals.get(flow) ?? 0) + statements.length);
  console.log(`\n[${flow}] ${method} ${new URL(target).pathname} → ${res.status}: ${statements.length} SQL`);
  for (const sql of statements) console.log(`    ${FULL ? sql : shorten(sql)}`);
  return { res, body };
}
function shorten(sql: string) {
  const s = sql.replace(/\s+/g, ' ');
  // Parenthesised parts (sub-queries) out, so that the table named is the statement's own.
  let outer = s;
  for (let i = 0; i < 10 && /\([^()]*\)/.test(outer); i++) outer = outer.replace(/\([^()]*\)/g, '{…}');
  outer = outer.replace(/\{…\}/g, '(…)');
  const table = /\b(from|into|update)\s+"?(\w+)"?/i.exec(outer)?.[2] ?? '';
  const verb = s.split(' ')[0]!.toLowerCase();
  const where = /\bwhere\b(.*?)(\blimit\b|\border by\b|\breturning\b|$)/i.exec(outer)?.[1]?.trim() ?? '';
  return `${verb.padEnd(7)} ${table.padEnd(22)} ${where.slice(0, 110)}`;
}

class Jar {
  cookies = new Map<string, string>();
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      const v = pair.slice(eq + 1);
      if (!v || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), v);
    }
  }
  get header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function signIn(flow: string, scope: string) {
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope,
    state: 's',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  let target = `${origin}/auth?${q}`;
  let init: RequestInit = {};
  let method = 'GET';
  for (let i = 0; i < 12; i++) {
    const { res, body } = await traced(flow, method, target, {
      ...init,
      headers: { ...(init.headers as object), cookie: jar.header },
    });
    jar.store(res);
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, target);
      if (next.origin !== origin) {
        const code = next.searchParams.get('code')!;
        const { body: tokens } = await traced(flow, 'POST', `${origin}/token`, {
          headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT_URI,
            code_verifier: verifier,
          }).toString(),
        });
        return JSON.parse(tokens) as Record<string, string>;
      }
      target = next.toString();
      method = 'GET';
      init = {};
      continue;
    }
    const csrf = /name="_csrf" value="([^"]*)"/.exec(body)?.[1];
    const action = /<form[^>]*action="([^"]*)"/.exec(body)?.[1];
    if (!csrf || !action) throw new Error(`unexpected page ${res.status}: ${body.slice(0, 300)}`);
    target = new URL(action.replace(/&amp;/g, '&'), target).toString();
    method = 'POST';
    init = {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: email, password: PASSWORD }).toString(),
    };
  }
  throw new Error('sign-in did not finish');
}

const token = (flow: string, params: Record<string, string>) =>
  traced(flow, 'POST', `${origin}/token`, {
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });

try {
  await signIn('warm-up', 'openid'); // first requests load code paths
  await signIn('sign-in', 'openid');
  const offline = await signIn('sign-in offline_access', 'openid offline_access');
  const r1 = JSON.parse(
    (await token('refresh', { grant_type: 'refresh_token', refresh_token: offline.refresh_token! })).body,
  ) as Record<string, string>;
  if (!r1.refresh_token) throw new Error('no rotated refresh token');
  await token('client_credentials opaque', { grant_type: 'client_credentials' });
  await token('client_credentials JWT', { grant_type: 'client_credentials', resource: RESOURCE, scope: 'read' });
  console.log('\nSQL statements per flow:');
  for (const [flow, n] of totals) if (flow !== 'warm-up') console.log(`  ${flow.padEnd(28)} ${n}`);
} finally {
  server.close();
  server.closeAllConnections();
  await c.close();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.end();
}
