import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knex from 'knex';
import pg from 'pg';
import pino from 'pino';
import { dumpEmbedded, migrate, openDatabase, type Db } from '../../src/db/database.js';
import { createJobQueueService } from '../../src/services/job-queue.js';

/**
 * A fresh database for one test file: a throw-away PostgreSQL database under
 * TEST_DATABASE_URL when it is set, in-memory PGlite otherwise. Empty, or with
 * `migrated` at the latest migration with the job queue installed: copied from a template
 * (made once per set of migrations, then reused by every file and run), which
 * spares each file the migrations and, on PGlite, `initdb`.
 */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<{
  db: Db;
  url?: string;
  kind: 'postgresql' | 'pglite';
  drop: () => Promise<void>;
}> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({
      dataDir: 'memory://',
      image: options.migrated ? await migratedImage() : undefined,
    });
    return { db, kind: 'pglite', drop: () => db.destroy() };
  }
  const template = options.migrated ? await migratedTemplate(serverUrl) : undefined;
  const server = await serverDatabase(serverUrl, 'gatehouse_test', template);
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

/** A new database on the PostgreSQL server at `serverUrl`, empty or a copy of `template`; `drop` ends its connections too. */
async function serverDatabase(
  serverUrl: string,
  prefix: string,
  template?: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
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
    fresh ??= freshDatabase({ migrated: true });
    return (await fresh).db;
  };
}

/** What every server does to a new database first: the migrations, then the job queue's schema and queues. */
async function prepare(db: Db): Promise<void> {
  await migrate(db);
  const queue = createJobQueueService({
    db,
    log: pino({ level: 'silent' }),
    retry: { limit: 0, delaySeconds: 1, pollSeconds: 1 },
  });
  await queue.prepare();
  await queue.stop();
}

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Names the migrations as they are now (and the PGlite release): a template made from other ones is never
 * used. pg-boss's release needs no part in it: a server installs whatever queue or pg-boss schema is missing.
 */
function migrationsKey(): string {
  const hash = createHash('sha256').update('migrations, then the job queue');
  hash.update(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)));
  for (const file of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

let image: Promise<Blob> | undefined;

/**
 * A migrated PGlite data directory (tarball), kept in the system's temporary directory
 * under the migrations' key: the first file to need it makes it, the others read it.
 */
function migratedImage(): Promise<Blob> {
  image ??= (async () => {
    const dir = join(tmpdir(), 'gatehouse-test');
    const file = join(dir, `pglite-migrated-${migrationsKey()}.tar`);
    try {
      return new Blob([readFileSync(file)]);
    } catch {
      const db = await openDatabase({ dataDir: 'memory://' });
      try {
        await prepare(db);
        const made = await dumpEmbedded(db);
        mkdirSync(dir, { recursive: true });
        // Written aside, then renamed: a file reading it at the same time never sees half of it.
        const partial = `${file}.${process.pid}`;
        writeFileSync(partial, Buffer.from(await made.arrayBuffer()));
        renameSync(partial, file);
        return made;
      } finally {
        await db.destroy();
      }
    }
  })();
  return image;
}

const templates = new Map<string, Promise<string>>();

/**
 * A migrated template database on the PostgreSQL server, named after the migrations' key,
 * made once under an advisory lock (test files start at the same time); built under
 * another name and renamed when complete, so a half-migrated one is never copied.
 */
function migratedTemplate(serverUrl: string): Promise<string> {
  let made = templates.get(serverUrl);
  if (!made) {
    made = (async () => {
      const name = `gatehouse_template_${migrationsKey()}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query('SELECT pg_advisory_lock(hashtext($1))', ['gatehouse_test_template']);
        const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (found.rowCount === 0) {
          const building = `${name}_building`;
          await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
          await admin.query(`CREATE DATABASE ${building}`);
          const url = new URL(serverUrl);
          url.pathname = `/${building}`;
          const db = await openDatabase({ url: url.toString(), dataDir: '', poolMax: 1 });
          try {
            await prepare(db);
          } finally {
            await db.destroy();
          }
          await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
        }
        return name;
      } finally {
        await admin.end();
      }
    })();
    templates.set(serverUrl, made);
  }
  return made;
}
