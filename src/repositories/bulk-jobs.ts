import type { Db, Executor } from '../db/database.js';
import { isConcurrent, type JobEnd, type JobRow, jobFields, jobTable } from './job-table.js';

export type BulkJobStatus = 'running' | 'succeeded' | 'failed';

export interface BulkCounts {
  /** Users the action was asked to act on. */
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
}

export interface BulkJob extends BulkCounts {
  id: string;
  action: string;
  input: Record<string, unknown>;
  status: BulkJobStatus;
  /** Why the job stopped before the end (`bulk.interrupted`: its process stopped), and its code. */
  error: string | null;
  errorCode: string | null;
  createdBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** One user's outcome: no error code, done. */
export interface BulkResult {
  userId: string;
  errorCode: string | null;
  message: string | null;
}

/** The columns of `bulk_jobs` besides those of every job table. */
const COLUMNS = ['action', 'input', 'total', 'processed', 'succeeded', 'failed'];
interface BulkJobRow extends BulkCounts, JobRow<BulkJobStatus> {
  action: string;
  input: Record<string, unknown> | string;
}

const toJob = (r: BulkJobRow): BulkJob => ({
  ...jobFields(r),
  action: r.action,
  input: typeof r.input === 'string' ? JSON.parse(r.input) : r.input,
  total: r.total,
  processed: r.processed,
  succeeded: r.succeeded,
  failed: r.failed,
});

const INSERT_RESULTS = `INSERT INTO bulk_job_results (job_id, seq, user_id, error_code, message)
  SELECT ?, r.seq, r.user_id, r.error_code, r.message
  FROM jsonb_to_recordset(?::jsonb) AS r(seq int, user_id uuid, error_code text, message text)`;
const RESULTS_PER_STATEMENT = 5000;

const INTERRUPTED =
  'The bulk action stopped before it finished: the process running it ended or lost the database. The users listed in its results were done; run it again for the rest.';

/**
 * Bulk action jobs and their per-user results. Each user's change commits on its
 * own (through the service that makes it), so the job's counters and results are
 * written as it goes, outside any one user's transaction. A running job holds a
 * lease (`lease_until`) renewed with each write of its progress; once it has run
 * out the job is over: `interruptExpired` marks it failed.
 */
export function createBulkJobsRepository(db: Db) {
  const jobs = jobTable(db, 'bulk_jobs', COLUMNS, toJob);
  return {
    /** Whether several statements may run at once (not on embedded PGlite, one connection). */
    concurrent: isConcurrent(db),

    async create(input: {
      action: string;
      input: Record<string, unknown>;
      total: number;
      createdBy: string | null;
      leaseUntil: Date;
    }): Promise<BulkJob> {
      const set = { action: input.action, input: JSON.stringify(input.input), total: input.total };
      return jobs.create(set, input.createdBy, input.leaseUntil);
    },

    find: jobs.find,

    /** The latest jobs, newest first. */
    list: jobs.list,

    /**
     * Adds results (numbered from `firstSeq`), sets the counters and renews the lease
     * of a running job; false when it is not running any more (another instance ended it).
     */
    async progress(
      id: string,
      firstSeq: number,
      results: readonly BulkResult[],
      counts: BulkCounts,
      leaseUntil: Date,
      ex: Executor = db,
    ): Promise<boolean> {
      for (let i = 0; i < results.length; i += RESULTS_PER_STATEMENT) {
        const rows = results.slice(i, i + RESULTS_PER_STATEMENT).map((r, j) => ({
          seq: firstSeq + i + j,
          user_id: r.userId,
          error_code: r.errorCode,
          message: r.message,
        }));
        await ex.raw(INSERT_RESULTS, [id, JSON.stringify(rows)]);
      }
      return jobs.updateRunning(id, { ...counters(counts), lease_until: leaseUntil }, ex);
    },

    /** Ends a running job; undefined when it was not running any more. */
    async finish(
      id: string,
      counts: BulkCounts,
      end: JobEnd<Exclude<BulkJobStatus, 'running'>>,
    ): Promise<BulkJob | undefined> {
      return jobs.end(id, end, counters(counts));
    },

    /**
     * Marks failed (`bulk.interrupted`) the running jobs whose lease ran out by
     * `now` (every running one with `all`), but those in `except`. Returns how many.
     */
    async interruptExpired(now: Date, options: { all?: boolean; except?: readonly string[] } = {}): Promise<number> {
      return jobs.interruptExpired(now, options, { message: INTERRUPTED, code: 'bulk.interrupted' });
    },

    /** Up to `limit` results after `afterSeq`, in the order the users were taken; `failedOnly`: errors only. */
    async resultsAfter(
      id: string,
      afterSeq: number,
      limit: number,
      failedOnly: boolean,
    ): Promise<(BulkResult & { seq: number })[]> {
      const q = db('bulk_job_results')
        .select('seq', 'user_id', 'error_code', 'message')
        .where('job_id', id)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit);
      if (failedOnly) q.whereNotNull('error_code');
      const rows: { seq: number; user_id: string; error_code: string | null; message: string | null }[] = await q;
      return rows.map((r) => ({ seq: r.seq, userId: r.user_id, errorCode: r.error_code, message: r.message }));
    },
  };
}
export type BulkJobsRepository = ReturnType<typeof createBulkJobsRepository>;

const counters = (c: BulkCounts) => ({
  total: c.total,
  processed: c.processed,
  succeeded: c.succeeded,
  failed: c.failed,
});
