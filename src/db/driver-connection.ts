import { disposeOnDeadline, type Executor } from './database.js';

/** A driver connection as knex holds it: `pg`'s Client, or the PGlite instance. */
export type DriverConnection = {
  query(
    query: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<{ rows?: unknown[]; rowCount?: number | null; affectedRows?: number }>;
  /** PGlite only: a script of several statements (PGlite's `query` takes one). */
  exec?(text: string): Promise<unknown>;
};
type DriverClient = {
  acquireConnection(): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<unknown>;
};

/** PGlite's instance has `exec`; pg's Client has not. */
export const isPglite = (connection: DriverConnection) => typeof connection.exec === 'function';

/**
 * Runs `work` on the driver connection under knex: one of the pool's (or, given a
 * transaction, the transaction's own), given back afterwards. After pg's read deadline
 * the connection is dropped, not given back (database.ts `disposeOnDeadline`).
 */
export async function onDriverConnection<T>(
  executor: Executor,
  work: (connection: DriverConnection) => Promise<T>,
): Promise<T> {
  const client = executor.client as unknown as DriverClient;
  const connection = await client.acquireConnection();
  try {
    return await work(connection);
  } catch (err) {
    disposeOnDeadline(connection, err);
    throw err;
  } finally {
    await client.releaseConnection(connection);
  }
}
