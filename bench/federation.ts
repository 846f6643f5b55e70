/**
 * What Gatehouse adds to a sign-in through an upstream OpenID Connect provider:
 * CPU per sign-in of the Gatehouse process, beside the upstream's own.
 *
 *   npm run bench:federation
 *
 * What it does:
 *   1. recreates the database; adds the provider `acme` (domain acme.example, JIT on)
 *      and one confidential first-party client through the container;
 *   2. starts the upstream (bench/lib/upstream-idp-process.ts: an oidc-provider that
 *      signs in the person named by login_hint at once) and Gatehouse (src/main.ts),
 *      each as a child process;
 *   3. signs every person in once (JIT provisioning, warm-up), then runs BENCH_SIGNINS
 *      complete sign-ins, BENCH_CONCURRENCY at a time, as a browser and the client do:
 *        /auth → sign-in page → POST the email alone (home-realm discovery) → the
 *        upstream (/auth → its sign-in → back) → /federation/acme/callback (code
 *        exchanged at the upstream, ID token checked) → /auth/:uid → the client's
 *        redirect_uri → /token at Gatehouse;
 *   4. reads each process's CPU (utime+stime from /proc) before and after, and prints
 *      CPU ms per sign-in for Gatehouse and for the upstream, and sign-ins per second.
 *
 * Settings (environment):
 *   BENCH_SIGNINS=300  BENCH_CONCURRENCY=4  BENCH_USERS=50
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_federation
 *   BENCH_PORT=3927  BENCH_UPSTREAM_PORT=3928  BENCH_NODE_ENV=production
 *   BENCH_CPU_PROF=<dir>  run Gatehouse with --cpu-prof, the profile written to <dir> (bench/profile-summary.ts reads it)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { follow, Jar, openLoginPage, postSignInForm, request } from './lib/browser.js';
import { saveBenchClient, withBenchContainer } from './lib/container.js';
import { procCpu } from './lib/cpu.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { createServerProcess } from './lib/server-process.js';
import { fixed, printTable } from './lib/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const SIGNINS = Math.max(1, num('BENCH_SIGNINS', 300));
const CONCURRENCY = Math.max(1, num('BENCH_CONCURRENCY', 4));
const USERS = Math.max(1, num('BENCH_USERS', 50));
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_federation';
const PORT = num('BENCH_PORT', 3927);
const UPSTREAM_PORT = num('BENCH_UPSTREAM_PORT', 3928);
const ISSUER = `http://127.0.0.1:${PORT}`;
const CLIENT_ID = 'bench-rp';
const CLIENT_SECRET = 'bench-rp-secret-0123456789abcdef';
const REDIRECT_URI = 'http://rp.bench/callback';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const SECRET = 'bench-secret-bench-secret-bench-secret-0';

/** The upstream as a child process; resolves with its pid and what it printed. */
async function startUpstream() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/upstream-idp-process.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      NODE_ENV: 'production',
      BENCH_USERS: String(USERS),
      UPSTREAM_PORT: String(UPSTREAM_PORT),
      REDIRECT_URI: `${ISSUER}/federation/acme/callback`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, ...(JSON.parse(line) as { issuer: string; clientId: string; clientSecret: string }) };
}

/** One federated sign-in, browser and client back end: the tokens' `idp` claim is checked. */
async function signIn(email: string): Promise<void> {
  const jar = new Jar();
  const upstreamJar = new Jar();
  const form = await openLoginPage(jar, {
    issuer: ISSUER,
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    scope: 'openid',
  });
  const { actionUrl, state, verifier } = form;
  const toUpstream = await follow(await postSignInForm(jar, form, email, ''), actionUrl, jar, ISSUER);
  if (!toUpstream.leftTo) throw new Error(`home-realm discovery did not redirect: ${toUpstream.res.status}`);
  const upstreamUrl = toUpstream.leftTo.toString();
  const back = await follow(
    await request(upstreamUrl, upstreamJar),
    upstreamUrl,
    upstreamJar,
    toUpstream.leftTo.origin,
  );
  if (!back.leftTo) throw new Error(`the upstream did not send the browser back: ${back.res.status}`);
  const callbackUrl = back.leftTo.toString();
  const done = await follow(await request(callbackUrl, jar), callbackUrl, jar, ISSUER);
  if (!done.leftTo || done.leftTo.searchParams.get('state') !== state)
    throw new Error(`sign-in did not reach the client: ${done.res.status} ${(await done.res.text()).slice(0, 300)}`);
  const res = await request(`${ISSUER}/token`, undefined, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: done.leftTo.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    }).toString(),
  });
  const tokens = (await res.json()) as { id_token?: string };
  const claims = JSON.parse(Buffer.from(tokens.id_token?.split('.')[1] ?? '', 'base64url').toString() || '{}');
  if (claims.idp !== 'acme') throw new Error(`no idp claim in the ID token: ${JSON.stringify(claims)}`);
}

/** `count` sign-ins, `concurrency` at a time; the wall time in seconds. */
async function run(count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await signIn(`person${next++ % USERS}@acme.example`);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function main() {
  const server = createServerProcess();
  server.killOnSignals();
  let upstream: Awaited<ReturnType<typeof startUpstream>> | undefined;
  try {
    const dbUrl = await recreateDatabase(PG_URL, DB_NAME);
    const serverEnv = {
      DATABASE_URL: dbUrl,
      PORT: String(PORT),
      ISSUER,
      GATEHOUSE_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      DATA_DIR: join(tmpdir(), 'gatehouse-bench-data'),
      // The upstream is on 127.0.0.1 over plain http.
      OUTBOUND_ALLOW_PRIVATE: '1',
      RATE_LIMIT_SIGNIN_IP: '1000000000/1s',
      RATE_LIMIT_SIGNIN_IDENTIFIER: '1000000000/1s',
    };
    upstream = await startUpstream();
    const { issuer, clientId, clientSecret } = upstream;
    await withBenchContainer(serverEnv, async (c, actor) => {
      const operator = { actor, ip: null, powers: { role: 'super_admin' as const, scope: { all: true as const } } };
      await c.federation.identityProviders.create(
        {
          type: 'oidc',
          name: 'acme',
          domains: ['acme.example'],
          jit: { enabled: true },
          oidc: { issuer, clientId, clientSecret },
        },
        operator,
      );
      await saveBenchClient(c, {
        clientId: CLIENT_ID,
        secret: CLIENT_SECRET,
        redirectUri: REDIRECT_URI,
        name: 'Bench RP',
      });
    });
    await server.start({
      root: ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: env.BENCH_NODE_ENV ?? 'production' },
      issuer: ISSUER,
      pin: false,
      cpuProfDir: env.BENCH_CPU_PROF,
    });
    const gatehousePid = server.pid!;
    const upstreamPid = upstream.child.pid!;

    process.stdout.write(`warm-up: ${USERS} first sign-ins (JIT provisioning) … `);
    await run(USERS, Math.min(CONCURRENCY, USERS));
    console.log('done');

    const before = { gatehouse: procCpu(gatehousePid), upstream: procCpu(upstreamPid), load: process.cpuUsage() };
    const seconds = await run(SIGNINS, CONCURRENCY);
    const load = process.cpuUsage(before.load);
    const perSignIn = (cpuSeconds: number) => (cpuSeconds / SIGNINS) * 1000;
    const gatehouseMs = perSignIn(procCpu(gatehousePid) - before.gatehouse);
    const upstreamMs = perSignIn(procCpu(upstreamPid) - before.upstream);
    console.log(`\n${SIGNINS} federated sign-ins, concurrency ${CONCURRENCY}, ${fixed(seconds, 1)} s wall`);
    printTable(
      [
        ['process', 'CPU ms / sign-in'],
        ['Gatehouse (all it adds)', fixed(gatehouseMs, 2)],
        ['upstream identity provider', fixed(upstreamMs, 2)],
        ['load generator', fixed(perSignIn((load.user + load.system) / 1e6), 2)],
        ['sign-ins / s (wall)', fixed(SIGNINS / seconds, 1)],
      ],
      1,
    );
  } catch (err) {
    server.failed(err);
  } finally {
    await server.kill();
    upstream?.child.kill('SIGTERM');
    await dropDatabase(PG_URL, DB_NAME).catch(() => undefined);
  }
}

await main();
