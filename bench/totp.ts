/**
 * TOTP verification throughput on one core, end to end through `mfa.verifyTotp`
 * against PostgreSQL, next to the bare otplib rate.
 *
 *   npm run bench:totp
 *
 * What it does:
 *   1. re-executes itself under `taskset -c 0` (BENCH_PINNED=1 marks the child): the
 *      whole benchmark, which is the Gatehouse code under test, runs on core 0;
 *   2. drops and recreates the database, runs the migrations by creating the container
 *      (with a clock the benchmark sets), and loads BENCH_USERS users with a confirmed
 *      TOTP factor each: the users with set-based SQL, the secrets (20 random bytes,
 *      sealed for their user as the service does) in one INSERT … SELECT FROM unnest;
 *   3. computes, before any timing, each user's code for BENCH_ROUNDS consecutive
 *      time steps: a verification is always a fresh (user, step), so replay protection
 *      never refuses one. Verification k goes to user k mod BENCH_USERS in round
 *      k div BENCH_USERS, and the clock moves one step per round (an operation still in
 *      flight from the round before is one step behind: inside the ±1 window);
 *   4. moves the local PostgreSQL to core 1 (BENCH_PIN_PG);
 *   5. measures, each for BENCH_WARMUP + BENCH_SECONDS:
 *        (a) otplib `verify` alone (a valid code, ±1 step window, as matchTotp asks),
 *            sequentially, over the users' secrets;
 *        (b) `mfa.verifyTotp` one at a time (latency);
 *        (c) `mfa.verifyTotp` at concurrency BENCH_CONCURRENCY (throughput);
 *      every verification must answer { ok: true } (anything else stops the benchmark);
 *   6. checks afterwards that a replayed code is refused and that no MFA counter is left
 *      non-zero, counts the SQL statements of one verification, prints a table and the
 *      target, moves PostgreSQL back and drops the database (also on error).
 *
 * Target (issue 4): (c) ≥ 500 verifications/s on one core.
 *
 * Settings (environment):
 *   BENCH_USERS=10000  BENCH_ROUNDS=8  BENCH_SECONDS=10  BENCH_WARMUP=2  BENCH_CONCURRENCY=8
 *   BENCH_ONLY=a,b,c
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  BENCH_DB=gatehouse_bench_totp
 *   BENCH_PIN=1 (0: do not use taskset)  BENCH_PIN_PG=1 (0: leave PostgreSQL where it is)
 *   BENCH_POOL_MAX=<n>  DATABASE_POOL_MAX (default: the server's, 10)
 *   BENCH_PG_SYNC_COMMIT=off  what-if: ALTER DATABASE … SET synchronous_commit
 *   BENCH_JSON=<file>  also write the results as JSON
 *   BENCH_KEEP_DB=1  leave the database in place at the end
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generate, generateSecret, verify } from 'otplib';
import pino from 'pino';
import { cpuBetween, machineCpu, usage as cpuUsage, type Usage } from './lib/cpu.js';
import { dropDatabase, recreateDatabase } from './lib/database.js';
import { envNumber as num } from './lib/env-number.js';
import { percentile } from './lib/percentile.js';
import { canPin, movePostgresToLoadCore, onCore, releasePostgres } from './lib/pinning.js';
import { revision } from './lib/revision.js';
import { fixed, percent, printTable } from './lib/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;

const USERS = Math.max(100, Math.floor(num('BENCH_USERS', 10_000)));
const ROUNDS = Math.max(1, Math.floor(num('BENCH_ROUNDS', 8)));
const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP', 2);
const CONCURRENCY = Math.max(1, num('BENCH_CONCURRENCY', 8));
const ONLY = new Set(
  (env.BENCH_ONLY ?? 'a,b,c')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const PG_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = env.BENCH_DB ?? 'gatehouse_bench_totp';
const PIN = canPin();
const PIN_PG = PIN && env.BENCH_PIN_PG !== '0';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PERIOD = 30;
/** 10 s into a time step. */
const T0 = Math.floor(Date.now() / 1000 / PERIOD) * PERIOD * 1000 + 10_000;
const MAX_OPS_PER_WORKER = 10_000_000;

interface PhaseResult {
  key: string;
  label: string;
  concurrency: number;
  ops: number;
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  target?: string;
  met?: boolean;
  note?: string;
  loadCpu?: number;
  pgCpu?: number;
  coreBusy?: number[];
  sqlPerOp?: number;
}

class CheckFailed extends Error {}
function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new CheckFailed(what);
}

async function main() {
  console.log(
    `Gatehouse ${revision(ROOT)} TOTP benchmark — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; benchmark ${PIN ? 'pinned to core 0' : 'NOT pinned'}, ` +
      `PostgreSQL ${PIN_PG ? 'moved to core 1' : 'unpinned'}; ${USERS.toLocaleString('en')} users × ${ROUNDS} time steps; ` +
      `${WARMUP}s warm-up + ${SECONDS}s per timed phase; load average ${loadavg()
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

  const results: PhaseResult[] = [];
  let container: Awaited<ReturnType<typeof import('./lib/container.js').createBenchContainer>> | undefined;
  try {
    const dbUrl = await recreateDatabase(PG_URL, DB_NAME, { synchronousCommit: env.BENCH_PG_SYNC_COMMIT });
    const [{ loadConfig }, { createBenchContainer }, { createSecretBox }] = await Promise.all([
      import('../src/config/config.js'),
      import('./lib/container.js'),
      import('../src/util/crypto.js'),
    ]);
    let now = T0;
    const clock = { now: () => new Date(now) };
    const config = loadConfig({
      DATABASE_URL: dbUrl,
      GATEHOUSE_SECRET: SECRET,
      ISSUER: 'https://id.bench.example',
      LOG_LEVEL: 'silent',
      DATA_DIR: join(tmpdir(), 'gatehouse-bench-totp-data'),
      ...(env.BENCH_POOL_MAX ? { DATABASE_POOL_MAX: env.BENCH_POOL_MAX } : {}),
    });
    process.stdout.write('migrations … ');
    const c = await createBenchContainer(config, { clock, log: pino({ level: 'silent' }) });
    container = c;
    console.log('done');

    process.stdout.write(`loading ${USERS.toLocaleString('en')} users with a TOTP factor … `);
    const t0 = performance.now();
    const { rows } = (await c.db.raw(
      `INSERT INTO users (user_code, email, status, main_role)
       SELECT 'totp' || n, 'totp' || n || '@bench.example', 'active', 'individual' FROM generate_series(1, ?::int) AS n
       RETURNING id`,
      [USERS],
    )) as { rows: { id: string }[] };
    const ids = rows.map((r) => r.id);
    const secrets = ids.map(() => generateSecret({ length: 20 }));
    const box = createSecretBox(SECRET, 'totp-secret');
    await c.db.raw(
      'INSERT INTO totp_factors (user_id, secret_sealed, confirmed_at) SELECT u, s, now() FROM unnest(?::uuid[], ?::text[]) AS f(u, s)',
      [ids, secrets.map((s, i) => box.seal(s, ids[i]!))],
    );
    await c.db.raw('VACUUM (ANALYZE) users, totp_factors');
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);

    process.stdout.write(`codes for ${(USERS * ROUNDS).toLocaleString('en')} (user, step) pairs … `);
    const t1 = performance.now();
    const codes: string[][] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const epoch = Math.floor(T0 / 1000) + r * PERIOD;
      codes.push(await Promise.all(secrets.map((secret) => generate({ secret, epoch }))));
    }
    console.log(`${((performance.now() - t1) / 1000).toFixed(1)} s`);

    if (PIN_PG) movePostgresToLoadCore();

    // Verification k: user k mod USERS, round k div USERS; the clock never lags the round.
    let next = 0;
    const CAP = USERS * ROUNDS;
    const dispense = () => {
      if (next >= CAP) return undefined;
      const k = next++;
      const round = Math.floor(k / USERS);
      now = Math.max(now, T0 + round * PERIOD * 1000);
      return { userId: ids[k % USERS]!, code: codes[round]![k % USERS]! };
    };
    const verifyOne = async () => {
      const job = dispense();
      if (!job) return false;
      const result = await c.mfa.verifyTotp(job.userId, job.code, null);
      check(result.ok, `verifyTotp refused a fresh code: ${JSON.stringify(result)}`);
      return true;
    };

    if (ONLY.has('a')) {
      let i = 0;
      const epoch = Math.floor(T0 / 1000);
      const r = await timed('a', 'otplib verify alone (valid code, ±1 step window)', 1, async () => {
        const u = i++ % USERS;
        const result = await verify({ secret: secrets[u]!, token: codes[0]![u]!, epoch, epochTolerance: PERIOD });
        check(result.valid, 'otplib refused a valid code');
        return true;
      });
      results.push(r);
    }
    if (ONLY.has('b')) results.push(await timed('b', 'mfa.verifyTotp (PostgreSQL), one at a time', 1, verifyOne));
    if (ONLY.has('c')) {
      const r = await timed('c', 'mfa.verifyTotp (PostgreSQL)', CONCURRENCY, verifyOne);
      results.push({ ...r, target: '≥ 500/s', met: r.opsPerSec >= 500 });
    }

    // Afterwards: replay refused, counters free, and the statements of one verification.
    const used = Math.min(next, CAP);
    if (used > 0) {
      const last = used - 1;
      const round = Math.floor(last / USERS);
      const replay = await c.mfa.verifyTotp(ids[last % USERS]!, codes[round]![last % USERS]!, null);
      check(!replay.ok && replay.code === 'mfa.invalid_code', 'a replayed code was accepted');
    }
    const dirty = (await c.db('users').count({ count: '*' }).where('mfa_failed_attempts', '>', 0).first()) as {
      count?: unknown;
    };
    check(
      Number(dirty.count) <= 1,
      `${Number(dirty.count)} users left with MFA failures (only the replay check may count one)`,
    );
    const accepted = (await c.db('totp_factors').count({ count: '*' }).whereNotNull('last_step').first()) as {
      count?: unknown;
    };
    check(
      Number(accepted.count) === Math.min(used, USERS),
      `expected ${Math.min(used, USERS)} factors with an accepted step, found ${Number(accepted.count)}`,
    );
    if (next < CAP) {
      let statements = 0;
      const count = () => statements++;
      c.db.on('query', count);
      await verifyOne();
      c.db.off('query', count);
      for (const r of results) if (r.key !== 'a') r.sqlPerOp = statements;
    }
    if (next >= CAP)
      console.log(
        `note: all ${CAP.toLocaleString('en')} prepared (user, step) pairs were used: raise BENCH_USERS or BENCH_ROUNDS`,
      );
  } catch (err) {
    console.error('\nbenchmark failed:', err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  } finally {
    await container?.close().catch(() => {});
    if (PIN_PG) releasePostgres();
  }
  if (env.BENCH_KEEP_DB !== '1')
    await dropDatabase(PG_URL, DB_NAME).catch((err) => console.error('could not drop the database:', err));
  if (results.length) report(results);
}

/** Runs `op` from `concurrency` workers for WARMUP + SECONDS; `op` returns false when out of work. */
async function timed(
  key: string,
  label: string,
  concurrency: number,
  op: () => Promise<boolean>,
): Promise<PhaseResult> {
  process.stdout.write(`(${key}) ${label}, concurrency ${concurrency} … `);
  const usage = (): Usage => cpuUsage(undefined, DB_NAME);
  const start = performance.now();
  const warmEnd = start + WARMUP * 1000;
  const end = warmEnd + SECONDS * 1000;
  const latencies: number[] = [];
  let u0: Usage | undefined;
  let lastDone = warmEnd;
  let exhausted = false;
  // Readings taken in the loop, not from timers: phase (a) never yields to the event loop.
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < MAX_OPS_PER_WORKER && !exhausted; i++) {
        const a = performance.now();
        if (a >= warmEnd) u0 ??= usage();
        if (a >= end) break;
        if (!(await op())) {
          exhausted = true;
          break;
        }
        const b = performance.now();
        if (b >= warmEnd && b <= end) {
          latencies.push(b - a);
          lastDone = b;
        }
      }
    }),
  );
  const u1 = usage();
  // Out of prepared work: the window is what was measured.
  const window = exhausted ? Math.max(1, lastDone - warmEnd) / 1000 : SECONDS;
  latencies.sort((x, y) => x - y);
  const result: PhaseResult = {
    key,
    label,
    concurrency,
    ops: latencies.length,
    opsPerSec: latencies.length / window,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    ...(u0 ? cpuBetween(u0, u1) : {}),
    ...(exhausted ? { note: `ran out of prepared codes after ${window.toFixed(1)} s` } : {}),
  };
  console.log(`${result.opsPerSec.toFixed(0)}/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);
  return result;
}

function report(results: PhaseResult[]) {
  console.log(`\nResults (${SECONDS} s measured after ${WARMUP} s warm-up per phase)\n`);
  const per = (share: number | undefined, r: PhaseResult) =>
    share === undefined || !r.opsPerSec ? undefined : (1000 * share) / r.opsPerSec;
  printTable(
    [
      [
        '',
        'metric',
        'conc.',
        'ops',
        'ops/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'bench CPU',
        'ms CPU/op',
        'PostgreSQL',
        'PG ms/op',
        'core0 / core1',
        'SQL/op',
        'target',
        '',
      ],
      ...results.map((r) => [
        `(${r.key})`,
        r.label,
        String(r.concurrency),
        String(r.ops),
        r.opsPerSec.toFixed(0),
        fixed(r.p50, 3),
        fixed(r.p95, 3),
        fixed(r.p99, 3),
        percent(r.loadCpu),
        fixed(per(r.loadCpu, r), 3),
        r.key === 'a' ? '—' : percent(r.pgCpu),
        r.key === 'a' ? '—' : fixed(per(r.pgCpu, r), 3),
        r.coreBusy ? r.coreBusy.map(percent).join(' / ') : '—',
        r.sqlPerOp === undefined ? '—' : String(r.sqlPerOp),
        r.target ?? '',
        r.met === undefined ? '' : r.met ? 'MET' : 'MISSED',
      ]),
    ],
    2,
  );
  const notes = results.filter((r) => r.note);
  if (notes.length) console.log(notes.map((r) => `  (${r.key}) ${r.note}`).join('\n'));
  console.log(
    [
      '',
      `bench CPU = this process (${PIN ? 'pinned to core 0' : 'not pinned'}): otplib, the MFA service, knex and pg. PostgreSQL = postmaster,`,
      `  auxiliary processes and this database's backends (${PIN_PG ? 'on core 1' : 'unpinned'}). SQL/op = statements of one verification.`,
      `Load average at the end: ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    ].join('\n'),
  );
  console.log('\nTarget:');
  for (const r of results)
    if (r.met !== undefined)
      console.log(
        `  ${r.met ? 'MET   ' : 'MISSED'}  (${r.key}) ${r.opsPerSec.toFixed(0)} verifications/s (target ${r.target})`,
      );
  if (env.BENCH_JSON) {
    writeFileSync(
      env.BENCH_JSON,
      JSON.stringify(
        {
          users: USERS,
          rounds: ROUNDS,
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

/** The benchmark runs on core 0 (PostgreSQL gets core 1): re-executes itself under `taskset -c 0`. */
async function runOnCore0(): Promise<void> {
  if (!PIN || env.BENCH_PINNED === '1') return main();
  const [file, args] = onCore(true, 0, [
    process.execPath,
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...process.argv.slice(2),
  ]);
  const child = spawn(file, args, { stdio: 'inherit', env: { ...env, BENCH_PINNED: '1' } });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

await runOnCore0();
