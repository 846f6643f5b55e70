import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { processDatabase, type ProcessDatabase } from '../helpers/database.js';
import type { Json } from '../helpers/json.js';

/**
 * `kill -9` in the middle of an import (issue "Hardening", part 3), with real
 * processes. On the embedded database the server runs the import (the CLI sends
 * it there): the server is killed and started again. On PostgreSQL
 * (TEST_DATABASE_URL) the `gatehouse import` process runs it on its own
 * connection: it is killed, and another process reads the job once its lease
 * (IMPORT_LEASE_SECONDS=1 in the killed process) has run out.
 */
const root = new URL('../..', import.meta.url).pathname;
const port = 30000 + Math.floor(Math.random() * 20000);
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  LOG_LEVEL: 'warn',
  GATEHOUSE_SECRET: 'kill-test-secret-kill-test-secret-0000',
  PORT: String(port),
  ISSUER: `http://127.0.0.1:${port}`,
};
delete env.DATABASE_URL;
let database: ProcessDatabase;
const servers: ChildProcess[] = [];
// A server left running by a failing test goes with the test process.
process.on('exit', () => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
});

test.before(async () => {
  database = await processDatabase('kill');
  Object.assign(env, database.env);
});
test.after.always(async () => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
  await database?.drop();
});

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves once stderr matches. */
  until(pattern: RegExp): Promise<void>;
}

function cli(args: string[], runEnv: Record<string, string> = env): Run {
  const child = spawn(process.execPath, [join(root, 'bin/gatehouse.js'), ...args], {
    cwd: database.dataDir,
    env: runEnv,
  });
  let stdout = '';
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of waiting.filter((w) => w.pattern.test(stderr))) w.resolve();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    until: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiting.push({ pattern, resolve });
        void done.then(() => reject(new Error(`the command ended before ${pattern}:\n${stderr}`)));
      }),
  };
}
const json = async (run: Run) => {
  const r = await run.done;
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

/** The server on the embedded database (the CLI sends it its commands); resolves once it answers /readyz. */
async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env });
  servers.push(child);
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  // A first start runs every migration on a new embedded database, slower beside other test files.
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${log}`);
    if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not start:\n${log}`);
}
const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

test('kill -9 mid-import: the job ends failed (import.interrupted), no user of the file exists, and the same file then imports whole', async (t) => {
  // Two server starts (the first migrates a new embedded database) and two imports, beside other test files.
  t.timeout(6 * 60_000);
  const postgres = env.DATABASE_URL !== undefined;
  const rows = 10_000;
  const domain = `${randomBytes(4).toString('hex')}.example.com`;
  writeFileSync(
    join(database.dataDir, 'users.csv'),
    `email,givenName\n${Array.from({ length: rows }, (_, i) => `u${i}@${domain},User ${i}`).join('\n')}\n`,
  );
  const args = ['import', 'users.csv', '--key', 'email', '--mode', 'add'];

  let server: ChildProcess | undefined;
  if (postgres) t.is((await cli(['migrate']).done).code, 0);
  else server = await startServer();

  // The first batch is in (a progress line names its rows), then the process running the import is killed.
  const first = cli(args, postgres ? { ...env, IMPORT_LEASE_SECONDS: '1' } : env);
  await first.until(/import: \d+% [1-9]\d* rows/);
  const victim = server ?? first.child;
  victim.kill('SIGKILL');
  await killed(victim);
  t.not((await first.done).code, 0, 'the import did not finish');

  if (!postgres) server = await startServer();
  // Another process reads the job: at once on the embedded database (the restarted server ended it at start),
  // on PostgreSQL once the dead process's lease has run out.
  let job: Json;
  for (let i = 0; i < 10; i++) {
    [job] = await json(cli(['import', 'list']));
    if (job.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  t.like(job, { status: 'failed', errorCode: 'import.interrupted', created: 0, updated: 0 });
  t.regex(job.error, /run the file again/);
  t.truthy(job.finishedAt);
  if (postgres) t.true(job.processed >= 1000 && job.processed < rows, `progress stays visible: ${job.processed}`);
  t.regex(
    (await cli(['user', 'show', `u0@${domain}`]).done).stderr,
    /No user matches/,
    'the first batch was rolled back',
  );

  const again = await json(cli(args));
  t.like(again, { status: 'succeeded', total: rows, processed: rows, created: rows, failed: 0, errorCode: null });
  t.is((await json(cli(['user', 'show', `u${rows - 1}@${domain}`]))).email, `u${rows - 1}@${domain}`);
  const [latest, interrupted] = await json(cli(['import', 'list']));
  t.is(latest.id, again.id);
  t.is(interrupted.id, job.id);

  if (server) {
    server.kill('SIGTERM');
    await killed(server);
  }
});
