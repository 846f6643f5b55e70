import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { migrate, openDatabase, type Db } from '../../src/db/database.js';

/**
 * A fresh, empty database for one test file: a throw-away PostgreSQL database
 * under TEST_DATABASE_URL when it is set, in-memory PGlite otherwise.
 */
export async function freshDatabase(): Promise<{
  db: Db;
  url?: string;
  kind: 'postgresql' | 'pglite';
  drop: () => Promise<void>;
}> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({ dataDir: 'memory://' });
    return { db, kind: 'pglite', drop: () => db.destroy() };
  }
  const server = await serverDatabase(serverUrl, 'gatehouse_test');
  const db = await openDatabase({ url: server.url, dataDir: '', poolMax: 10 });
  return {
    db,
    url: server.url,
    kind: 'postgresql',
    async drop() {
      await db.destroy();
      await server.drop();
    },
  };
}

/** A new, empty database on the PostgreSQL server at `serverUrl`; `drop` ends its connections too. */
async function serverDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

export interface ProcessDatabase {
  /** The embedded database's directory, new and empty. */
  dataDir: string;
  /** For the process's environment: DATA_DIR, and DATABASE_URL under TEST_DATABASE_URL. */
  env: Record<string, string>;
  /** Drops the PostgreSQL database, if any, and removes the directory. */
  drop: () => Promise<void>;
}

/**
 * The throw-away database of a test that runs Gatehouse as a process (`src/main.ts`,
 * `bin/gatehouse.js`): the embedded one in a new DATA_DIR, or under TEST_DATABASE_URL
 * a new database on that server. `name` marks the directory and the database.
 */
export async function processDatabase(name: string): Promise<ProcessDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `gatehouse-${name}-`));
  const serverUrl = process.env.TEST_DATABASE_URL;
  const server = serverUrl ? await serverDatabase(serverUrl, `gatehouse_${name}`) : undefined;
  return {
    dataDir,
    env: server ? { DATA_DIR: dataDir, DATABASE_URL: server.url } : { DATA_DIR: dataDir },
    async drop() {
      await server?.drop();
      rmSync(dataDir, { recursive: true, force: true });
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
    fresh ??= freshDatabase().then(async (f) => {
      await migrate(f.db);
      return f;
    });
    return (await fresh).db;
  };
}
