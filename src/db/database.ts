import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import knex, { type Knex } from 'knex';
import pg from 'pg';

export type Db = Knex;
export type Executor = Knex | Knex.Transaction;
/** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
export type Transact = <T>(fn: (trx: Executor) => Promise<T>) => Promise<T>;

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * The migrations beside this code: `migrations/*.ts` under tsx, `dist/migrations/*.js`
 * when compiled. Each is recorded in `knex_migrations` by its `.ts` name whichever
 * runs, so a database migrated by one is up to date for the other.
 */
const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () =>
    readdirSync(MIGRATIONS_DIR)
      .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
      .sort(),
  getMigrationName: (file) => file.replace(/\.js$/, '.ts'),
  getMigration: (file) => import(pathToFileURL(join(MIGRATIONS_DIR, file)).href),
};

// Counts and bigserial ids come back from `pg` as strings; PGlite gives numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it, embedded PGlite. */
  url?: string;
  /** PGlite data directory; `memory://` for a throw-away database. */
  dataDir: string;
  /** PGlite only: start from this data directory (a `dumpEmbedded` tarball) instead of an empty one. */
  image?: Blob;
  poolMax?: number;
  /** Deadlines of every query on PostgreSQL (PGlite runs in-process: they do not apply). */
  timeouts?: DatabaseTimeouts;
  /** Where knex's warnings go (a connection lost, an acquire that failed) instead of the console. */
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface DatabaseTimeouts {
  /** `statement_timeout` of every connection; the client gives up `QUERY_READ_MARGIN_MS` later (a frozen server cannot time itself out). */
  statementMs: number;
  /** Longest wait for a connection from the pool. */
  acquireMs: number;
  /** Longest wait to open a connection. */
  connectMs: number;
}

/** How much longer than `statement_timeout` the client waits for an answer before it drops the connection. */
export const QUERY_READ_MARGIN_MS = 500;

// knex's PostgreSQL client, to drop a connection whose query timed out (see below).
const PgClient = createRequire(import.meta.url)('knex/lib/dialects/postgres/index.js') as new (
  config: unknown,
) => {
  _query(connection: PgConnection, obj: unknown): Promise<unknown>;
};
type PgConnection = { __knex__disposed?: unknown; connection?: { stream?: { destroy(): void } } };

/**
 * When pg's client-side deadline (`query_timeout`) fires, the query is still running
 * on that connection (or the server is frozen): reusing it would queue the next
 * statements behind it. The connection is marked for the pool to discard and its
 * socket closed, so every following statement on it fails at once (a transaction's
 * rollback included) and PostgreSQL ends the backend and its transaction.
 */
class DeadlinePgClient extends PgClient {
  override async _query(connection: PgConnection, obj: unknown): Promise<unknown> {
    try {
      return await super._query(connection, obj);
    } catch (err) {
      disposeOnDeadline(connection, err);
      throw err;
    }
  }
}

/** After pg's read deadline (see above): the connection is dropped, not given back to the pool. */
export function disposeOnDeadline(connection: object, err: unknown): void {
  if (!(err as Error | undefined)?.message?.endsWith('Query read timeout')) return;
  const c = connection as PgConnection;
  c.__knex__disposed = err;
  c.connection?.stream?.destroy();
}

/**
 * Opens the database: a PostgreSQL pool when a URL is given, embedded PGlite otherwise.
 * Errors quote the SQL with its placeholders, never the values (`compileSqlOnError:
 * false`): a failed insert must not put a password hash or personal data in a log
 * (the logger also redacts PostgreSQL's `detail`, which can quote a failing row).
 */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  if (options.url) {
    const t = options.timeouts;
    if (!t)
      return knex({
        client: 'pg',
        connection: options.url,
        pool: { min: 0, max: options.poolMax ?? 10 },
        compileSqlOnError: false,
      });
    return knex({
      client: DeadlinePgClient as unknown as typeof knex.Client,
      dialect: 'postgres',
      connection: {
        connectionString: options.url,
        statement_timeout: t.statementMs,
        query_timeout: t.statementMs + QUERY_READ_MARGIN_MS,
        connectionTimeoutMillis: t.connectMs,
        // Notices a peer gone from the network (not a frozen one: its kernel still answers).
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      } as Knex.PgConnectionConfig,
      pool: { min: 0, max: options.poolMax ?? 10 },
      acquireConnectionTimeout: t.acquireMs,
      compileSqlOnError: false,
      ...(options.log ? { log: knexLog(options.log) } : {}),
    });
  }
  const [{ PGlite }, { pg_trgm }, { default: ClientPgLite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('knex-pglite'),
  ]);
  const inMemory = options.dataDir === 'memory://';
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(inMemory ? undefined : `${options.dataDir}/pgdata`, {
    extensions: { pg_trgm },
    ...(options.image ? { loadDataDir: options.image } : {}),
  });
  // knex-pglite derives the command from knex's method name, and knex calls a delete 'del',
  // so `.delete()` resolved to the raw result instead of the row count as on `pg`.
  const Base = ClientPgLite as unknown as new (
    config: unknown,
  ) => { processResponse(obj: { method?: string }, runner: unknown): unknown };
  class Client extends Base {
    override processResponse(obj: { method?: string }, runner: unknown): unknown {
      return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
    }
  }
  // knex-pglite keeps exactly one connection: inside a transaction use the transaction object.
  return knex({
    client: Client as unknown as typeof knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
    compileSqlOnError: false,
  });
}

/** The embedded database's data directory as an uncompressed tarball, to open others from (`image`). */
export async function dumpEmbedded(db: Db): Promise<Blob> {
  const connection = db.client.config.connection as () => {
    pglite?: { dumpDataDir(compression: 'none'): Promise<Blob> };
  };
  const pglite = typeof connection === 'function' ? connection().pglite : undefined;
  if (!pglite) throw new Error('dumpEmbedded: not an embedded (PGlite) database');
  return pglite.dumpDataDir('none');
}

/** knex's own warnings (a lost connection, a failed acquire) through the application's logger. */
function knexLog(log: NonNullable<DatabaseOptions['log']>): Knex.Logger {
  return {
    warn: (message) => log.warn({ message: String(message) }, 'db.warning'),
    error: (message) => log.error({ message: String(message) }, 'db.error'),
    deprecate: () => undefined,
    debug: () => undefined,
  };
}

/**
 * Runs the pending migrations. On a pool with query deadlines they run on a pool
 * of their own without them: building an index on a large table may take longer.
 * When the database has run exactly the migrations of the directory, nothing is
 * loaded: knex's migrator imports every migration file even with nothing to do.
 */
export async function migrate(db: Db): Promise<string[]> {
  if (await upToDate(db)) return [];
  const config = db.client.config as Omit<Knex.Config, 'connection'> & {
    connection?: Knex.PgConnectionConfig & { statement_timeout?: number };
  };
  const connection = config.connection;
  const runner = connection?.statement_timeout
    ? knex({
        ...config,
        connection: { ...connection, statement_timeout: undefined, query_timeout: undefined },
        pool: { min: 0, max: 2 },
      })
    : db;
  try {
    const [, applied] = (await runner.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  } finally {
    if (runner !== db) await runner.destroy();
  }
}

async function upToDate(db: Db): Promise<boolean> {
  if (!(await db.schema.hasTable('knex_migrations'))) return false;
  const applied = new Set((await db('knex_migrations').select('name')).map((r: { name: string }) => r.name));
  const files = (await migrationSource.getMigrations([])).map(migrationSource.getMigrationName);
  return applied.size === files.length && files.every((f) => applied.has(f));
}

/** `pg` returns count(*) as a string, PGlite as a number. */
export function toCount(row: { count?: unknown } | undefined): number {
  return Number(row?.count ?? 0);
}

/** The connection pool now: connections in use, callers waiting for one, and its size (embedded PGlite: one connection). */
export function poolUsage(db: Db): { inUse: number; waiting: number; max: number } {
  const pool = (db.client as { pool?: { numUsed(): number; numPendingAcquires(): number; max: number } }).pool;
  return pool
    ? { inUse: pool.numUsed(), waiting: pool.numPendingAcquires(), max: pool.max }
    : { inUse: 0, waiting: 0, max: 0 };
}

/** Readiness: resolves when the database answers. */
export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}

/** Deadlocks and serialization failures: the transaction may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs `fn` in a transaction, again (up to three times in all) when PostgreSQL
 * aborted it as a deadlock victim or a serialization failure. `fn` must only
 * touch the database through `trx`, so that running it again is safe.
 */
export function retryingTransaction(db: Db) {
  return async function transact<T>(fn: (trx: Executor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction(fn);
      } catch (err) {
        if (attempt >= 3 || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      }
    }
  };
}
