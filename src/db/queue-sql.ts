import type { Executor } from './database.js';
import { onDriverConnection } from './driver-connection.js';

type Result = { rows?: unknown[]; rowCount?: number | null; affectedRows?: number };

/**
 * pg-boss's `db` option (`executeSql(text, values)`) over knex's own connections:
 * the pool's (or, given a transaction, the transaction's, so a job is sent in the
 * change's transaction and goes with its rollback). Embedded PGlite has a single
 * connection: going through knex's pool of one keeps pg-boss's statements from
 * interleaving with a transaction in progress. pg-boss's numbered parameters
 * (`$1`) go to the driver as they are; its scripts of several statements (schema
 * creation, maintenance) run as one simple query (`pg`) or `exec` (PGlite).
 */
export function queueSql(executor: Executor) {
  return {
    async executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
      const raw = await onDriverConnection(executor, (connection) =>
        !values?.length && connection.exec ? connection.exec(text) : connection.query(text, values),
      );
      const results = (Array.isArray(raw) ? raw : [raw]) as Result[];
      const last = results[results.length - 1];
      return {
        rows: (last?.rows ?? []) as Record<string, unknown>[],
        rowCount: last?.rowCount ?? last?.affectedRows ?? 0,
      };
    },
  };
}
