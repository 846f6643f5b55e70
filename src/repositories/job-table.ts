import type { Db, Executor } from '../db/database.js';
import { isUuid } from '../util/uuid.js';

/** Whether several statements may run at once: not on embedded PGlite (one connection). */
export const isConcurrent = (db: Db): boolean => ((db.client.config as { pool?: { max?: number } }).pool?.max ?? 1) > 1;

/** How a job ends: its status, and why it stopped before the end (with a code). */
export interface JobEnd<Status extends string> {
  status: Status;
  error: string | null;
  errorCode: string | null;
}

/** The columns every job table has, besides its own. */
const JOB_COLUMNS = ['id', 'status', 'error', 'error_code', 'created_by', 'created_at', 'finished_at'];

/** A job table's row: the columns of `JOB_COLUMNS`. */
export interface JobRow<Status extends string> {
  id: string;
  status: Status;
  error: string | null;
  error_code: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/** The fields of a job read from the columns of `JOB_COLUMNS`. */
export const jobFields = <Status extends string>(r: JobRow<Status>) => ({
  id: r.id,
  status: r.status,
  error: r.error,
  errorCode: r.error_code,
  createdBy: r.created_by,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/** Which running jobs to end as interrupted (see `interruptExpired` below). */
export interface InterruptOptions {
  all?: boolean;
  only?: string;
  except?: readonly string[];
}

/**
 * What the tables of leased jobs (`import_jobs`, `bulk_jobs`) share: a uuid `id`,
 * a `status` that is 'running' until the job ends (then `error`, `error_code` and
 * `finished_at` say how), and a lease (`lease_until`) its process renews while it
 * runs; once that has run out the job is over. `columns`: the table's own
 * (besides `JOB_COLUMNS`) that `toJob` reads.
 */
export function jobTable<Row, Job>(db: Db, table: string, columns: readonly string[], toJob: (row: Row) => Job) {
  const cols = [...JOB_COLUMNS, ...columns];
  return {
    /** Inserts a running job (with `set` besides) holding a lease until `leaseUntil`. */
    async create(set: Record<string, unknown>, createdBy: string | null, leaseUntil: Date): Promise<Job> {
      const [row] = await db(table)
        .insert({ ...set, status: 'running', created_by: createdBy, lease_until: leaseUntil })
        .returning(cols);
      return toJob(row);
    },

    async find(id: string): Promise<Job | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await db(table).select(cols).where({ id }).first();
      return row && toJob(row);
    },

    /** The latest jobs, newest first. */
    async list(limit: number): Promise<Job[]> {
      const rows = await db(table)
        .select(cols)
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit);
      return rows.map(toJob);
    },

    /** Sets `set` on a job if it is still running; false when it is not (another instance ended it). */
    async updateRunning(id: string, set: Record<string, unknown>, ex: Executor = db): Promise<boolean> {
      return (await ex(table).where({ id, status: 'running' }).update(set)) > 0;
    },

    /** Ends a running job (with `set` besides); undefined when it was not running any more. */
    async end<Status extends string>(
      id: string,
      end: JobEnd<Status>,
      set: Record<string, unknown>,
      ex: Executor = db,
    ): Promise<Job | undefined> {
      const [row] = await ex(table)
        .where({ id, status: 'running' })
        .update({
          ...set,
          status: end.status,
          error: end.error,
          error_code: end.errorCode,
          lease_until: null,
          finished_at: db.fn.now(),
        })
        .returning(cols);
      return row && toJob(row);
    },

    /**
     * Marks failed (with `error` and its code, and `set` besides) the running jobs
     * whose lease ran out by `now`, or every running one with `all`; `only`: that
     * job alone; `except`: jobs this process is running. Returns how many.
     */
    async interruptExpired(
      now: Date,
      options: InterruptOptions,
      error: { message: string; code: string },
      set: Record<string, unknown> = {},
    ): Promise<number> {
      if (options.only !== undefined && !isUuid(options.only)) return 0;
      const q = db(table).where({ status: 'running' });
      if (!options.all) q.where((w) => w.whereNull('lease_until').orWhere('lease_until', '<', now));
      if (options.only !== undefined) q.where({ id: options.only });
      if (options.except?.length) q.whereNotIn('id', [...options.except]);
      return q.update({
        status: 'failed',
        error: error.message,
        error_code: error.code,
        ...set,
        lease_until: null,
        finished_at: now,
      });
    },
  };
}
