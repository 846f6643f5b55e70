import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { migrate, openDatabase } from '../../src/db/database.js';
import { processDatabase, type ProcessDatabase } from '../helpers/database.js';

/**
 * `npm run build` as the Docker image uses it: the compiled server, CLI and migrations
 * in a directory without src/ or tsx's help (bin/, dist/, views/, public/, package.json,
 * node_modules), so nothing can fall back to the TypeScript sources.
 */
const root = new URL('../..', import.meta.url).pathname;
const app = mkdtempSync(join(tmpdir(), 'gatehouse-build-'));
let database: ProcessDatabase | undefined;
let env: Record<string, string> = {};

function run(args: string[], extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, args, { cwd: app, env: { ...env, ...extra } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

test.before(async () => {
  // The build script's compiler run, into the copy's dist/.
  const built = await run([
    join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(root, 'tsconfig.build.json'),
    '--outDir',
    join(app, 'dist'),
  ]).done;
  if (built.code !== 0) throw new Error(`tsc failed: ${built.stdout}${built.stderr}`);
  mkdirSync(join(app, 'bin'));
  for (const file of ['gatehouse.js', 'launch.js', 'start.js'])
    copyFileSync(join(root, 'bin', file), join(app, 'bin', file));
  copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
  for (const dir of ['node_modules', 'views', 'public']) symlinkSync(realpathSync(join(root, dir)), join(app, dir));
  // The pages need the console's build only when /admin is asked for: an empty one will do.
  mkdirSync(join(app, 'console', 'dist'), { recursive: true });
  writeFileSync(join(app, 'console', 'dist', 'index.html'), '<!doctype html><title>console</title>');
  database = await processDatabase('build');
  env = {
    ...(process.env as Record<string, string>),
    ...database.env,
    LOG_LEVEL: 'warn',
    GATEHOUSE_SECRET: 'build-test-secret-build-test-secret-00',
  };
  if (!database.env.DATABASE_URL) delete env.DATABASE_URL;
});
test.after.always(async () => {
  await database?.drop();
  rmSync(app, { recursive: true, force: true });
});

test.serial('the compiled CLI migrates a new database and runs commands', async (t) => {
  // Every migration on a new embedded database: about 11 s on a quiet machine, a minute or more on a busy one.
  t.timeout(5 * 60_000);
  const migrated = await run(['bin/gatehouse.js', 'migrate']).done;
  t.is(migrated.code, 0, migrated.stderr);
  const made = await run([
    'bin/gatehouse.js',
    'user',
    'create',
    '--email',
    'built@example.com',
    '--password',
    'violet-harbour-47-lantern',
    '--role',
    'super_admin',
  ]).done;
  t.is(made.code, 0, made.stderr);
  const listed = await run(['bin/gatehouse.js', 'user', 'list', '--q', 'built']).done;
  t.is(listed.code, 0, listed.stderr);
  t.deepEqual(
    JSON.parse(listed.stdout).items.map((u: { email: string }) => u.email),
    ['built@example.com'],
  );
  const help = await run(['bin/gatehouse.js', 'user', 'create', '--help']).done;
  t.is(help.code, 0);
  t.regex(help.stdout, /^usage: gatehouse user create/);
});

test.serial('migrations recorded by the build are those of the sources: nothing left to run', async (t) => {
  const db = await openDatabase({ url: database?.env.DATABASE_URL, dataDir: database?.dataDir ?? '' });
  try {
    t.deepEqual(await migrate(db), []);
    const names = (await db('knex_migrations').pluck('name')) as string[];
    t.true(names.length > 10);
    t.true(names.every((n) => n.endsWith('.ts')));
  } finally {
    await db.destroy();
  }
});

test.serial('NODE_ENV=production npm start runs the compiled server', async (t) => {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const server = run(['bin/start.js'], {
    NODE_ENV: 'production',
    MAIL_OUTBOX: '1',
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
  });
  try {
    let ready: Response | undefined;
    for (let i = 0; i < 600 && !ready?.ok; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    }
    t.true(ready?.ok, server.output());
    const signIn = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
    t.is(signIn.status, 200);
    const style = await fetch(`http://127.0.0.1:${port}/forgot-password`);
    t.is(style.status, 200, 'a page from views/');
  } finally {
    server.child.kill('SIGTERM');
  }
  t.is((await server.done).code, 0, server.output());
});

test('without a build, NODE_ENV=production npm start says to run npm run build', async (t) => {
  const bare = mkdtempSync(join(tmpdir(), 'gatehouse-unbuilt-'));
  try {
    mkdirSync(join(bare, 'bin'));
    for (const file of ['launch.js', 'start.js']) copyFileSync(join(root, 'bin', file), join(bare, 'bin', file));
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(bare, 'bin/start.js')], { env: { ...env, NODE_ENV: 'production' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    t.is(out.code, 1);
    t.regex(out.stderr, /run `npm run build` first/);
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});
