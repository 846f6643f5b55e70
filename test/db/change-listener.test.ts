import test from 'ava';
import { openChangeListener } from '../../src/db/change-listener.js';
import { createResourceServersRepository } from '../../src/repositories/resource-servers.js';
import { useMigratedDatabase } from '../helpers/database.js';

/**
 * The change notices every instance listens to: sent with the change's
 * transaction (nothing when it rolls back), and heard again after the listening
 * connection was lost, with a resync for what was missed meanwhile.
 */
const database = useMigratedDatabase(test);
const quiet = { info: () => undefined, warn: () => undefined };

/** Polls `check` every 20 ms until it holds, for at most 5 s. */
async function until(check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

const resource = (indicator: string) => ({ indicator, scopes: [], accessTokenTtl: null, firstPartyOnly: false });

// Serial: each test reads every notice of the database.
test.serial('a change is heard once committed; a rolled back one never', async (t) => {
  const db = await database();
  const heard: string[] = [];
  const listener = await openChangeListener(db, { notice: (p) => heard.push(p), resync: () => undefined, log: quiet });
  t.teardown(() => listener.close());
  const resources = createResourceServersRepository(db);
  await t.throwsAsync(
    db.transaction(async (trx) => {
      await resources.create(resource('https://rolled-back.example.test'), trx);
      throw new Error('rolled back');
    }),
    { message: 'rolled back' },
  );
  await resources.create(resource('https://committed.example.test'));
  // Notices arrive in commit order: had the rolled back one been sent, it would be here first.
  t.true(await until(() => heard.length > 0));
  t.deepEqual(heard, ['resource_server:https://committed.example.test']);
});

test.serial('a lost listening connection is opened again, with a resync, and notices are heard again', async (t) => {
  const db = await database();
  if (typeof db.client.config.connection === 'function')
    return t.pass('the embedded database is in this process: there is no connection to lose');
  const heard: string[] = [];
  let resyncs = 0;
  const listener = await openChangeListener(db, {
    notice: (p) => heard.push(p),
    resync: () => resyncs++,
    log: quiet,
    retryMs: { first: 50, longest: 200 },
  });
  t.teardown(() => listener.close());
  const ended = await db.raw(
    `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
      WHERE datname = current_database() AND query = 'LISTEN gatehouse_changes'`,
  );
  t.deepEqual(
    ended.rows.map((r: { ended: boolean }) => r.ended),
    [true],
  );
  t.true(await until(() => resyncs === 1), 'listening again, and told to read everything again');
  await createResourceServersRepository(db).create(resource('https://after-loss.example.test'));
  t.true(await until(() => heard.includes('resource_server:https://after-loss.example.test')));
});
