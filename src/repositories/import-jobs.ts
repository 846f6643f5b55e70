import type { Db } from '../db/database.js';
import type { ImportKey, ImportMode } from '../policies/import-row.js';
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
  /** Why the whole import failed. */
  error: string | null;
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

const COLUMNS = ['id', 'status', 'key', 'mode', 'dry_run', 'total', 'processed', 'created', 'updated', 'failed', 'error', 'created_by', 'created_at', 'finished_at'];
const toJob = (r: any): ImportJob => ({
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
  createdBy: r.created_by,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});
const ERRORS_PER_STATEMENT = 5000;
const INSERT_ERRORS = `INSERT INTO import_errors (job_id, "row", "column", code, message)
  SELECT ?, e."row", e."column", e.code, e.message FROM jsonb_to_recordset(?::jsonb) AS e("row" int, "column" text, code text, message text)`;
const counters = (c: ImportCounts) => ({ total: c.total, processed: c.processed, created: c.created, updated: c.updated, failed: c.failed });

/**
 * Import jobs and their per-row errors. These are written outside the import's
 * own transaction (with `db`), so they stay when it rolls back and others see
 * them while it runs.
 */
export function createImportJobsRepository(db: Db) {
  /** Writes one job's errors and counters (in one statement unless there are many errors). */
  async function write(id: string, counts: ImportCounts, errors: readonly ImportRowError[], end?: { status: ImportJobStatus; error: string | null }) {
    for (let i = 0; i + ERRORS_PER_STATEMENT < errors.length; i += ERRORS_PER_STATEMENT) {
      await db.raw(INSERT_ERRORS, [id, JSON.stringify(errors.slice(i, i + ERRORS_PER_STATEMENT))]);
    }
    const last = errors.slice(Math.max(0, Math.ceil(errors.length / ERRORS_PER_STATEMENT) - 1) * ERRORS_PER_STATEMENT);
    await db.raw(
      `WITH e AS (${INSERT_ERRORS})
       UPDATE import_jobs SET total = ?, processed = ?, created = ?, updated = ?, failed = ?${end ? ', status = ?, error = ?, finished_at = now()' : ''} WHERE id = ?`,
      [id, JSON.stringify(last), ...Object.values(counters(counts)), ...(end ? [end.status, end.error] : []), id],
    );
  }

  return {
    /**
     * Whether a write can run while an import's transaction holds a connection:
     * not on embedded PGlite (one connection), where progress is written at the end.
     */
    concurrent: ((db.client.config as { pool?: { max?: number } }).pool?.max ?? 1) > 1,

    async create(input: { key: ImportKey; mode: ImportMode; dryRun: boolean; createdBy: string | null }): Promise<ImportJob> {
      const [row] = await db('import_jobs').insert({ status: 'running', key: input.key, mode: input.mode, dry_run: input.dryRun, created_by: input.createdBy }).returning(COLUMNS);
      return toJob(row);
    },

    async find(id: string): Promise<ImportJob | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await db('import_jobs').select(COLUMNS).where({ id }).first();
      return row && toJob(row);
    },

    /** Adds errors and sets the counters of a running job. */
    progress: (id: string, counts: ImportCounts, errors: readonly ImportRowError[]) => write(id, counts, errors),

    /** Adds the last errors, sets the counters and ends the job. */
    async finish(id: string, counts: ImportCounts, errors: readonly ImportRowError[], end: { status: ImportJobStatus; error: string | null }): Promise<ImportJob> {
      await write(id, counts, errors, end);
      const row = await db('import_jobs').select(COLUMNS).where({ id }).first();
      return toJob(row);
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
