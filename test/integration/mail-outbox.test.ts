import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { checkMailDelivery } from '../../src/config/mail-delivery.js';
import { migrate, openDatabase } from '../../src/db/database.js';
import { createMailOutboxRepository } from '../../src/repositories/mail-outbox.js';
import { processDatabase } from '../helpers/database.js';
import { startServer } from '../helpers/server.js';
import { eventually } from '../helpers/receiver.js';

/**
 * The dev mail outbox (issue "Hardening", part 6): a warning when mail goes there,
 * no production start without SMTP_URL unless MAIL_OUTBOX=1, rows kept 24 hours.
 */
const root = new URL('../..', import.meta.url).pathname;
const HOUR = 3600_000;
const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    LOG_LEVEL: 'info',
    GATEHOUSE_SECRET: 'mail-test-secret-mail-test-secret-0000',
  };
  delete env.DATABASE_URL;
  delete env.SMTP_URL;
  delete env.MAIL_OUTBOX;
  return env;
};

const started = new Set<ChildProcess>();
// A server left running by a failing test goes with the test process.
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env });
  started.add(child);
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, log: () => log };
}

test('settings: MAIL_OUTBOX is 1/0 (or true/false); production without SMTP_URL needs it; a warning whenever mail goes to the outbox', (t) => {
  const secret = { GATEHOUSE_SECRET: 'x'.repeat(32) };
  t.false(loadConfig(secret).mailOutbox);
  t.true(loadConfig({ ...secret, MAIL_OUTBOX: '1' }).mailOutbox);
  t.true(loadConfig({ ...secret, MAIL_OUTBOX: 'true' }).mailOutbox);
  t.throws(() => loadConfig({ ...secret, MAIL_OUTBOX: 'yes' }), { message: /config\.invalid: MAIL_OUTBOX/ });

  const production = { ...secret, NODE_ENV: 'production' };
  t.throws(() => checkMailDelivery(loadConfig(production)), {
    message: /^config\.invalid: SMTP_URL is not set and NODE_ENV is production.*MAIL_OUTBOX=1/,
  });
  t.regex(
    checkMailDelivery(loadConfig({ ...production, MAIL_OUTBOX: '1' })).warning!,
    /SMTP_URL is not set.*outbox.*24 hours/,
  );
  t.deepEqual(checkMailDelivery(loadConfig({ ...production, SMTP_URL: 'smtp://mail.example.com:587' })), {});
  t.regex(checkMailDelivery(loadConfig({ ...secret, NODE_ENV: 'development' })).warning!, /SMTP_URL is not set/);
});

test('NODE_ENV=production without SMTP_URL: the server refuses to start, says why, exits non-zero, touches no database', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-mail-'));
  try {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const server = startMain({
      ...baseEnv(),
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
    });
    // It exits; a server that answers /readyz instead has started.
    let ready = false;
    void (async () => {
      while (server.child.exitCode === null && !ready) {
        ready = (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ?? false;
        await new Promise((r) => setTimeout(r, 200));
      }
      if (ready) server.child.kill('SIGTERM');
    })();
    const code = await server.exited;
    t.false(ready, 'the server started');
    t.not(code, 0);
    t.regex(
      server.log(),
      /config\.invalid: SMTP_URL is not set and NODE_ENV is production.*Set SMTP_URL, or MAIL_OUTBOX=1/,
    );
    t.false(existsSync(join(dataDir, 'pgdata')), 'no embedded database was made');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('NODE_ENV=production with MAIL_OUTBOX=1: the server starts, warns, and deletes outbox mail older than 24 hours at start', async (t) => {
  t.timeout(5 * 60_000);
  const database = await processDatabase('mail');
  const { dataDir } = database;
  const env: Record<string, string> = { ...baseEnv(), NODE_ENV: 'production', MAIL_OUTBOX: '1', ...database.env };
  try {
    // The database the server will open, with a mail of 25 hours ago and one of an hour ago.
    const db = await openDatabase({ url: env.DATABASE_URL, dataDir, poolMax: 1 });
    await migrate(db);
    const outbox = createMailOutboxRepository(db);
    await outbox.insert(
      {
        to: 'old@example.com',
        subject: 'Reset your password',
        text: 'https://idp.example.com/reset-password?token=old',
        html: '<p>https://idp.example.com/reset-password?token=old</p>',
      },
      new Date(Date.now() - 25 * HOUR),
    );
    await outbox.insert(
      {
        to: 'new@example.com',
        subject: 'Reset your password',
        text: 'https://idp.example.com/reset-password?token=new',
        html: '<p>https://idp.example.com/reset-password?token=new</p>',
      },
      new Date(Date.now() - HOUR),
    );
    await db.destroy();

    const port = 30000 + Math.floor(Math.random() * 20000);
    const server = startMain({ ...env, PORT: String(port), ISSUER: `http://127.0.0.1:${port}` });
    try {
      let ready = false;
      for (let i = 0; i < 1200 && !ready && server.child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        ready = (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ?? false;
      }
      t.true(ready, server.log());
      // Stdout is written in batches, flushed at least every second: the start's lines come soon after ready.
      const logged = (line: RegExp, what: string) =>
        eventually(() => (line.test(server.log()) ? true : undefined), what);
      await logged(/SMTP_URL is not set: mail .* goes to the dev outbox table/, 'the outbox warning');
      await logged(/mail\.outbox_purged/, 'the purge');
      t.false(server.log().includes('token=new') || server.log().includes('token=old'), 'no link in the log');
    } finally {
      server.child.kill('SIGTERM');
    }
    t.is(await server.exited, 0);

    const after = await openDatabase({ url: env.DATABASE_URL, dataDir, poolMax: 1 });
    t.deepEqual(
      (await createMailOutboxRepository(after).list()).map((m) => m.to),
      ['new@example.com'],
    );
    await after.destroy();
  } finally {
    await database.drop();
  }
});

test("the outbox keeps a mail 24 hours, by the server's clock, then purgeOutbox deletes it", async (t) => {
  t.timeout(5 * 60_000);
  let now = Date.parse('2026-12-07T08:00:00Z');
  const s = await startServer({}, { clock: { now: () => new Date(now) } });
  try {
    const { mailer } = s.container;
    const mine = async () =>
      (await s.db('mail_outbox').whereIn('to', ['first@example.com', 'second@example.com']).orderBy('id')).map(
        (m) => m.to,
      );
    await mailer.send({
      to: 'first@example.com',
      subject: 'Invitation',
      text: 'https://idp.example.com/invitation?token=a',
      html: '<p>https://idp.example.com/invitation?token=a</p>',
    });
    now += 12 * HOUR;
    await mailer.send({
      to: 'second@example.com',
      subject: 'Invitation',
      text: 'https://idp.example.com/invitation?token=b',
      html: '<p>https://idp.example.com/invitation?token=b</p>',
    });
    now += 12 * HOUR - 1000;
    t.is(await mailer.purgeOutbox(), 0, 'a mail of 23:59:59 stays');
    t.deepEqual(await mine(), ['first@example.com', 'second@example.com']);
    now += 2000;
    t.is(await mailer.purgeOutbox(), 1);
    t.deepEqual(await mine(), ['second@example.com'], 'only the mail older than 24 hours is gone');
  } finally {
    await s.close();
  }
});
