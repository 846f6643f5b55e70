import type { Db, Executor } from '../db/database.js';
import type { ImportKey, ImportMode } from '../domain/import-job.js';
import { isUuid } from '../util/uuid.js';

export type ImportJobStatus = 'running' | 'succeeded' | 'failed';

export interface ImportCounts {
  /** Data rows read. */
  total: number;
  /** Rows checked, and written when good. */
  processed: number;
  created: number;
  updated: number;
  /** Bad rows (reported, skipped). */
  failed: number;
}

export interface ImportJob extends ImportCounts {
  id: string;
  status: ImportJobStatus;
  key: ImportKey;
  mode: ImportMode;
  dryRun: boolean;
  /** Why the whole import failed, and its code (`import.interrupted`: its process stopped). */
  error: string | null;
  errorCode: string | null;
  createdBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** One problem of one row; `row` 1 is the first data row. */
export interface ImportRowError {
  row: number;
  column: string | null;
  code: string;
  message: string;
}

const COLUMNS = [
  'id',
  'status',
  'key',
  'mode',
  'dry_run',
  'total',
  'processed',
  'created',
  'updated',
  'failed',
  'error',
  'error_code',
  'created_by',
  'created_at',
  'finished_at',
];
/** A row of `import_jobs`. */
interface ImportJobRow extends ImportCounts {
  id: string;
  status: ImportJobStatus;
  key: ImportKey;
  mode: ImportMode;
  dry_run: boolean;
  error: string | null;
  error_code: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toJob = (r: ImportJobRow): ImportJob => ({
  id: r.id,
  status: r.status,
  key: r.key,
  mode: r.mode,
  dryRun: r.dry_run,
  total: r.total,
  processed: r.processed,
  created: r.created,
  updated: r.updated,
  failed: r.failed,
  error: r.error,
  errorCode: r.error_code,
  createdBy: r.created_by,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});
const ERRORS_PER_STATEMENT = 5000;
const counters = (c: ImportCounts) => ({
  total: c.total,
  processed: c.processed,
  created: c.created,
  updated: c.updated,
  failed: c.failed,
});
const INSERT_ERRORS = `INSERT INTO import_errors (job_id, "row", "column", code, message)
  SELECT ?, e."row", e."column", e.code, e.message FROM jsonb_to_recordset(?::jsonb) AS e("row" int, "column" text, code text, message text)`;

/** How a job ends. */
export interface ImportEnd {
  status: Exclude<ImportJobStatus, 'running'>;
  error: string | null;
  errorCode: string | null;
}

const INTERRUPTED =
  'The import stopped before it finished: the process running it ended or lost the database. Nothing was written: run the file again.';

/**
 * Import jobs and their per-row errors. A job's progress (rows read, checked and
 * bad, and their errors) is written outside the import's own transaction (with
 * `db`), so it stays when that rolls back and others see it while it runs. The
 * rows written (`created`, `updated`) are only set by `finish`, which a
 * succeeding import runs inside its transaction: they commit with the users.
 *
 * A running job holds a lease (`lease_until`) that its process renews; once it
 * has run out the job is over: `interruptExpired` marks it failed.
 */
export function createImportJobsRepository(db: Db) {
  async function insertErrors(id: string, errors: readonly ImportRowError[], ex: Executor) {
    for (let i = 0; i < errors.length; i += ERRORS_PER_STATEMENT) {
      await ex.raw(INSERT_ERRORS, [id, JSON.stringify(errors.slice(i, i + ERRORS_PER_STATEMENT))]);
    }
  }

  return {
    /**
     * Whether a write can run while an import's transaction holds a connection:
     * not on embedded PGlite (one connection), where progress is written at the end.
     */
    concurrent: ((db.client.config as { pool?: { max?: number } }).pool?.max ?? 1) > 1,

    async create(input: {
      key: ImportKey;
      mode: ImportMode;
      dryRun: boolean;
      createdBy: string | null;
      leaseUntil: Date;
    }): Promise<ImportJob> {
      const [row] = await db('import_jobs')
        .insert({
          status: 'running',
          key: input.key,
          mode: input.mode,
          dry_run: input.dryRun,
          created_by: input.createdBy,
          lease_until: input.leaseUntil,
        })
        .returning(COLUMNS);
      return toJob(row);
    },

    async find(id: string): Promise<ImportJob | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await db('import_jobs').select(COLUMNS).where({ id }).first();
      return row && toJob(row);
    },

    /** The latest jobs, newest first. */
    async list(limit: number): Promise<ImportJob[]> {
      const rows = await db('import_jobs')
        .select(COLUMNS)
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit);
      return rows.map(toJob);
    },

    /** Adds errors, sets the rows read, checked and bad of a running job, and renews its lease. */
    async progress(
      id: string,
      counts: ImportCounts,
      errors: readonly ImportRowError[],
      leaseUntil: Date,
    ): Promise<void> {
      await insertErrors(id, errors, db);
      await db('import_jobs')
        .where({ id, status: 'running' })
        .update({ total: counts.total, processed: counts.processed, failed: counts.failed, lease_until: leaseUntil });
    },

    /** Renews a running job's lease; false when the job is no longer running (another instance ended it). */
    async renew(id: string, leaseUntil: Date): Promise<boolean> {
      return (await db('import_jobs').where({ id, status: 'running' }).update({ lease_until: leaseUntil })) > 0;
    },

    /**
     * Adds the last errors, sets every counter and ends the job, if it is still
     * running (in `ex`: a succeeding import's own transaction). Undefined when
     * it was not running any more.
     */
    async finish(
      id: string,
      counts: ImportCounts,
      errors: readonly ImportRowError[],
      end: ImportEnd,
      ex: Executor = db,
    ): Promise<ImportJob | undefined> {
      await insertErrors(id, errors, ex);
      const [row] = await ex('import_jobs')
        .where({ id, status: 'running' })
        .update({
          ...counters(counts),
          status: end.status,
          error: end.error,
          error_code: end.errorCode,
          lease_until: null,
          finished_at: db.fn.now(),
        })
        .returning(COLUMNS);
      return row && toJob(row);
    },

    /**
     * Marks failed (`import.interrupted`, nothing written) the running jobs whose
     * lease ran out by `now`, or every running job with `all` (the embedded
     * database's owner at start: nobody else can be running one); `only`: that job
     * alone; `except`: jobs this process is running. Returns how many.
     */
    async interruptExpired(
      now: Date,
      options: { all?: boolean; only?: string; except?: readonly string[] } = {},
    ): Promise<number> {
      if (options.only !== undefined && !isUuid(options.only)) return 0;
      const q = db('import_jobs').where({ status: 'running' });
      if (!options.all) q.where((w) => w.whereNull('lease_until').orWhere('lease_until', '<', now));
      if (options.only !== undefined) q.where({ id: options.only });
      if (options.except?.length) q.whereNotIn('id', [...options.except]);
      return q.update({
        status: 'failed',
        error: INTERRUPTED,
        error_code: 'import.interrupted',
        created: 0,
        updated: 0,
        lease_until: null,
        finished_at: now,
      });
    },

    /** Up to `limit` errors of rows after `afterRow`, in row order. */
    async errorsAfter(id: string, afterRow: number, limit: number): Promise<ImportRowError[]> {
      return db('import_errors')
        .select('row', 'column', 'code', 'message')
        .where('job_id', id)
        .where('row', '>', afterRow)
        .orderBy([{ column: 'row' }, { column: 'column', nulls: 'first' }, { column: 'code' }])
        .limit(limit);
    },
  };
}
export type ImportJobsRepository = ReturnType<typeof createImportJobsRepository>;
