import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import knex, { type Knex } from 'knex';
import pg from 'pg';

export type Db = Knex;
export type Executor = Knex | Knex.Transaction;

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

// Counts and bigserial ids come back from `pg` as strings; PGlite gives numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it, embedded PGlite. */
  url?: string;
  /** PGlite data directory; `memory://` for a throw-away database. */
  dataDir: string;
  poolMax?: number;
}

/**
 * Opens the database: a PostgreSQL pool when a URL is given, embedded PGlite otherwise.
 * Errors quote the SQL with its placeholders, never the values (`compileSqlOnError:
 * false`): a failed insert must not put a password hash or personal data in a log
 * (the logger also redacts PostgreSQL's `detail`, which can quote a failing row).
 */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  if (options.url) {
    return knex({ client: 'pg', connection: options.url, pool: { min: 0, max: options.poolMax ?? 10 }, compileSqlOnError: false });
  }
  const [{ PGlite }, { pg_trgm }, { default: ClientPgLite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('knex-pglite'),
  ]);
  const inMemory = options.dataDir === 'memory://';
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(inMemory ? undefined : `${options.dataDir}/pgdata`, { extensions: { pg_trgm } });
  // knex-pglite derives the command from knex's method name, and knex calls a delete 'del',
  // so `.delete()` resolved to the raw result instead of the row count as on `pg`.
  const Base = ClientPgLite as unknown as new (config: unknown) => { processResponse(obj: { method?: string }, runner: unknown): unknown };
  class Client extends Base {
    override processResponse(obj: { method?: string }, runner: unknown): unknown {
      return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
    }
  }
  // knex-pglite keeps exactly one connection: inside a transaction use the transaction object.
  return knex({ client: Client as unknown as typeof knex.Client, dialect: 'postgres', connection: () => ({ pglite }) as object, compileSqlOnError: false });
}

export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] })) as [number, string[]];
  return applied;
}

/** `pg` returns count(*) as a string, PGlite as a number. */
export function toCount(row: { count?: unknown } | undefined): number {
  return Number(row?.count ?? 0);
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
