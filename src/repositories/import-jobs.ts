import type { Db, Executor } from '../db/database.js';
import type { ImportKey, ImportMode } from '../domain/import-job.js';
import { isConcurrent, type JobEnd, type JobRow, jobFields, jobTable } from './job-table.js';

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

/** The columns of `import_jobs` besides those of every job table. */
const COLUMNS = ['key', 'mode', 'dry_run', 'total', 'processed', 'created', 'updated', 'failed'];
/** A row of `import_jobs`. */
interface ImportJobRow extends ImportCounts, JobRow<ImportJobStatus> {
  key: ImportKey;
  mode: ImportMode;
  dry_run: boolean;
}

const toJob = (r: ImportJobRow): ImportJob => ({
  ...jobFields(r),
  key: r.key,
  mode: r.mode,
  dryRun: r.dry_run,
  total: r.total,
  processed: r.processed,
  created: r.created,
  updated: r.updated,
  failed: r.failed,
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
export type ImportEnd = JobEnd<Exclude<ImportJobStatus, 'running'>>;

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
  const jobs = jobTable(db, 'import_jobs', COLUMNS, toJob);
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
    concurrent: isConcurrent(db),

    async create(input: {
      key: ImportKey;
      mode: ImportMode;
      dryRun: boolean;
      createdBy: string | null;
      leaseUntil: Date;
    }): Promise<ImportJob> {
      const set = { key: input.key, mode: input.mode, dry_run: input.dryRun };
      return jobs.create(set, input.createdBy, input.leaseUntil);
    },

    find: jobs.find,

    /** The latest jobs, newest first. */
    list: jobs.list,

    /** Adds errors, sets the rows read, checked and bad of a running job, and renews its lease. */
    async progress(
      id: string,
      counts: ImportCounts,
      errors: readonly ImportRowError[],
      leaseUntil: Date,
    ): Promise<void> {
      await insertErrors(id, errors, db);
      await jobs.updateRunning(id, {
        total: counts.total,
        processed: counts.processed,
        failed: counts.failed,
        lease_until: leaseUntil,
      });
    },

    /** Renews a running job's lease; false when the job is no longer running (another instance ended it). */
    async renew(id: string, leaseUntil: Date): Promise<boolean> {
      return jobs.updateRunning(id, { lease_until: leaseUntil });
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
      return jobs.end(id, end, counters(counts), ex);
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
      // Nothing was written: the import's transaction rolled back with its process.
      return jobs.interruptExpired(
        now,
        options,
        { message: INTERRUPTED, code: 'import.interrupted' },
        { created: 0, updated: 0 },
      );
    },

    /** How many jobs are in each status (for the metrics). */
    async countByStatus(): Promise<Record<ImportJobStatus, number>> {
      const rows: { status: ImportJobStatus; count: unknown }[] = await db('import_jobs')
        .select('status')
        .count({ count: '*' })
        .groupBy('status');
      const counts = { running: 0, succeeded: 0, failed: 0 };
      for (const r of rows) counts[r.status] = Number(r.count);
      return counts;
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
