/**
 * How soon a change made on one instance applies on another (PostgreSQL LISTEN/NOTIFY).
 *
 *   npm run bench:instances
 *
 * What it does:
 *   1. drops and recreates BENCH_DB (gatehouse_bench_instances) on BENCH_PG_URL;
 *   2. instance A is the bench's own container (the services, on a pool of its own, as
 *      `src/main.ts` builds them): it runs the migrations and registers a confidential
 *      client with the client credentials grant;
 *   3. instance B is `src/main.ts` as a process (NODE_ENV=production) on BENCH_PORT;
 *   4. series `client`: BENCH_CHANGES (50) times, A takes the client credentials grant away
 *      from the client, or gives it back (`clients.update`: one transaction with its notice);
 *      from the moment that commit returns, B's /token is asked, one request after the
 *      other, until its answer follows the change (400 ↔ 200);
 *   5. series `keys`: BENCH_ROTATIONS (20) times, A rotates the signing keys (what
 *      `gatehouse keys rotate` does); B's /jwks is asked until it lists the new keys (B
 *      rebuilds its provider on the notice);
 *   6. prints the median, p90 and max delay of each series. A delay includes the last
 *      request (a few ms); without the notices it would be up to 10 s (clients) and 60 s
 *      (keys), the timed refreshes that stay as the fallback.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import type { Operator } from '../src/domain/operator.js';
import { CLI_ACTOR } from '../src/services/audit.js';
import { createBenchContainer } from './lib/container.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { percentile } from './lib/percentile.js';
import { createServerProcess } from './lib/server-process.js';
import { printTable } from './lib/table.js';

const env = process.env;
const CHANGES = Math.max(1, Math.floor(num('BENCH_CHANGES', 50)));
const ROTATIONS = Math.max(1, Math.floor(num('BENCH_ROTATIONS', 20)));
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_instances';
const PORT = num('BENCH_PORT', 3921);
const B_URL = `http://127.0.0.1:${PORT}`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Longer than any fallback refresh: a change not seen by then is a failure of the notices. */
const GIVE_UP_MS = 90_000;
const OPERATOR: Operator = { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } };
const CLIENT_ID = 'bench-instances';

/** Asks `probe` one request after the other until it holds; the ms since `from`. */
async function delayUntil(from: number, probe: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await probe()) return performance.now() - from;
    if (performance.now() - from > GIVE_UP_MS) throw new Error(`no change seen on B within ${GIVE_UP_MS / 1000} s`);
  }
}

async function main() {
  const server = createServerProcess();
  server.killOnSignals();
  const dbUrl = await recreateDatabase(PG_URL, DB_NAME);
  const serverEnv: Record<string, string> = {
    DATABASE_URL: dbUrl,
    PORT: String(PORT),
    ISSUER: B_URL,
    GATEHOUSE_SECRET: 'bench-secret-bench-secret-bench-secret-0',
    LOG_LEVEL: 'warn',
    DATA_DIR: join(tmpdir(), 'gatehouse-bench-instances-data'),
  };
  const a = await createBenchContainer(loadConfig({ ...serverEnv, LOG_LEVEL: 'silent' }), {
    log: pino({ level: 'silent' }),
  });
  try {
    const { client_secret: secret } = await a.clients.register(
      { clientId: CLIENT_ID, grantTypes: ['client_credentials'], redirectUris: [], isPublic: false, firstParty: true },
      OPERATOR,
    );
    await server.start({
      root: ROOT,
      env: { ...env, ...serverEnv, NODE_ENV: 'production' },
      issuer: B_URL,
      pin: false,
    });
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64')}`;
    const tokenStatus = async () => {
      const res = await fetch(`${B_URL}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      await res.arrayBuffer();
      return res.status;
    };
    const kids = async () => ((await (await fetch(`${B_URL}/jwks`)).json()) as { keys: { kid: string }[] }).keys;

    if ((await tokenStatus()) !== 200) throw new Error('B does not issue the client a token');
    const clientDelays: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const allowed = i % 2 === 1;
      await a.clients.update(
        CLIENT_ID,
        allowed
          ? { grantTypes: ['client_credentials'] }
          : { grantTypes: ['authorization_code'], redirectUris: ['https://rp.bench.example/cb'] },
        OPERATOR,
      );
      const committed = performance.now();
      clientDelays.push(await delayUntil(committed, async () => ((await tokenStatus()) === 200) === allowed));
    }

    const keyDelays: number[] = [];
    for (let i = 0; i < ROTATIONS; i++) {
      const { created } = await a.signingKeys.rotate(1);
      const committed = performance.now();
      keyDelays.push(
        await delayUntil(committed, async () => {
          const published = (await kids()).map((k) => k.kid);
          return created.every((kid) => published.includes(kid));
        }),
      );
    }

    const row = (name: string, delays: number[]) => {
      const sorted = [...delays].sort((x, y) => x - y);
      return [
        name,
        String(sorted.length),
        ...[50, 90].map((p) => percentile(sorted, p).toFixed(1)),
        sorted.at(-1)!.toFixed(1),
      ];
    };
    console.log('\ndelay from the commit on A to the first answer of B that follows it (ms)');
    printTable(
      [
        ['change', 'n', 'median', 'p90', 'max'],
        row('client grant types', clientDelays),
        row('signing key rotation', keyDelays),
      ],
      1,
    );
  } finally {
    await server.kill();
    await a.close();
    await dropDatabase(PG_URL, DB_NAME).catch((err) => console.error('could not drop the database:', err));
  }
}

main().catch((err) => {
  console.error('\nbenchmark failed:', err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
