/**
 * How long Gatehouse takes to start: the server until /readyz answers, and a CLI
 * call (`client list`, `--help`) from spawn to exit, compiled (`dist/`, `npm run build`)
 * and through tsx, on an already-migrated PostgreSQL database and on embedded PGlite.
 *
 *   npm run bench:startup            (builds first)
 *
 * Each figure is the median of BENCH_RUNS runs after one warm-up (the file cache
 * warm, tsx's transform cache filled). The load average is printed: on a busy
 * machine every figure grows.
 *
 * Settings (environment): BENCH_RUNS=5  BENCH_PORT=3917
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_startup
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { percentile } from './lib/percentile.js';
import { revision } from './lib/revision.js';
import { createServerProcess } from './lib/server-process.js';
import { printTable } from './lib/table.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = num('BENCH_RUNS', 5);
const PORT = num('BENCH_PORT', 3917);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = process.env.BENCH_DB ?? 'gatehouse_bench_startup';
const SECRET = 'bench-startup-secret-bench-startup-secret';

const ENTRIES = {
  compiled: { cli: ['dist/src/cli/main.js'], server: true },
  tsx: { cli: ['--import', 'tsx', 'src/cli/main.ts'], server: false },
} as const;

/** The median of `RUNS` timings of `once`, after one warm-up. */
async function median(once: () => Promise<number> | number): Promise<number> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await once());
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

function cliCall(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const out = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
  if (out.status !== 0 && !args.includes('--help')) throw new Error(`${args.join(' ')}: ${out.stderr}`);
  return performance.now() - started;
}

/** Median ms of a CLI call, compiled then through tsx. */
async function cliTimes(args: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const times: string[] = [];
  for (const e of Object.values(ENTRIES))
    times.push((await median(() => cliCall([...e.cli, ...args], env))).toFixed(0));
  return times;
}

async function main() {
  console.log(`startup, ${revision(root)}, node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}\n`);
  const pgUrl = await recreateDatabase(PG_URL, DB);
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-startup-'));
  const base: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_SECRET: SECRET, LOG_LEVEL: 'warn', MAIL_OUTBOX: '1' };
  delete base.DATABASE_URL;
  const databases = {
    postgresql: { ...base, DATABASE_URL: pgUrl, DATA_DIR: dataDir },
    pglite: { ...base, DATA_DIR: dataDir },
  };
  const server = createServerProcess();
  server.killOnSignals();
  const rows = [['what', 'database', 'compiled ms', 'tsx ms']];
  try {
    // Migrated once, so every run below finds the schema up to date.
    for (const env of Object.values(databases)) cliCall([...ENTRIES.compiled.cli, 'migrate'], env);
    // What any Node.js process costs on this machine now: the floor under every figure.
    const bare = (await median(() => cliCall(['-e', '0'], base))).toFixed(0);
    rows.push(['node -e 0 (Node.js alone)', '—', bare, bare]);
    rows.push(['gatehouse user create --help', '—', ...(await cliTimes(['user', 'create', '--help'], base))]);
    for (const [name, env] of Object.entries(databases))
      rows.push([
        `gatehouse client list${name === 'pglite' ? ' (no server running)' : ''}`,
        name,
        ...(await cliTimes(['client', 'list'], env)),
      ]);
    for (const [name, env] of Object.entries(databases)) {
      const times: number[] = [];
      for (const e of Object.values(ENTRIES))
        times.push(
          await median(async () => {
            const issuer = `http://127.0.0.1:${PORT}`;
            const started = performance.now();
            await server.start({
              root,
              env: { ...env, PORT: String(PORT), ISSUER: issuer },
              issuer,
              pin: false,
              compiled: e.server,
            });
            const ms = performance.now() - started;
            await server.kill();
            return ms;
          }),
        );
      rows.push(['server start until /readyz', name, ...times.map((ms) => ms.toFixed(0))]);
    }
    // With the server running on the embedded database, the CLI sends its command to it.
    const issuer = `http://127.0.0.1:${PORT}`;
    await server.start({
      root,
      env: { ...databases.pglite, PORT: String(PORT), ISSUER: issuer },
      issuer,
      pin: false,
      compiled: true,
    });
    rows.push([
      'gatehouse client list (server running)',
      'pglite',
      ...(await cliTimes(['client', 'list'], databases.pglite)),
    ]);
  } finally {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(PG_URL, DB);
  }
  console.log(`median of ${RUNS} runs after a warm-up:\n`);
  printTable(rows, 2);
}

main().catch((err: unknown) => {
  console.error('\nbenchmark failed:', err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
