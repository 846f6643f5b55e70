import { randomBytes } from 'node:crypto';
import knex from 'knex';
import { migrate, openDatabase, type Db } from '../../src/db/database.js';

/**
 * A fresh, empty database for one test file: a throw-away PostgreSQL database
 * under TEST_DATABASE_URL when it is set, in-memory PGlite otherwise.
 */
export async function freshDatabase(): Promise<{ db: Db; url?: string; kind: 'postgresql' | 'pglite'; drop: () => Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({ dataDir: 'memory://' });
    return { db, kind: 'pglite', drop: () => db.destroy() };
  }
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), dataDir: '', poolMax: 10 });
  return {
    db,
    url: url.toString(),
    kind: 'postgresql',
    async drop() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

/**
 * Gives a test file its own migrated database, made at the first call (ava runs
 * `before` hooks concurrently, so each awaits it) and dropped after the file.
 */
export function useMigratedDatabase(test: { after: { always: (fn: () => Promise<void>) => void } }): () => Promise<Db> {
  let fresh: Promise<Awaited<ReturnType<typeof freshDatabase>>> | undefined;
  test.after.always(async () => {
    await (await fresh)?.drop();
  });
  return async () => {
    fresh ??= freshDatabase().then(async (f) => (await migrate(f.db), f));
    return (await fresh).db;
  };
}
