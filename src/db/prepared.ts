import { type Db, disposeOnDeadline } from './database.js';

/** A driver connection as knex holds it: `pg`'s Client (which takes a named statement), or PGlite. */
type RawConnection = {
  query(
    query: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: unknown[] }>;
};
type RawClient = {
  acquireConnection(): Promise<RawConnection>;
  releaseConnection(connection: RawConnection): Promise<unknown>;
  emit(event: 'query', query: { sql: string; bindings: unknown[] }): void;
};
/** PGlite's instance has `exec`; pg's Client has not. */
const isPglite = (connection: RawConnection) => 'exec' in connection;

/**
 * A hot statement (numbered parameters, `$1`) sent straight to the driver over knex's own
 * pool: on PostgreSQL prepared once per connection under `name` (later calls send only
 * Bind and Execute), with none of the query builder's work; on PGlite as it is. The
 * pool's limits, timeouts and deadline handling (database.ts) apply as to any
 * statement, and knex's `query` event still sees it (bench/sql-trace.ts counts them).
 * Not for transactions: each call takes a connection of its own.
 */
export function preparedStatement<R = Record<string, unknown>>(db: Db, name: string, text: string) {
  const client = db.client as unknown as RawClient;
  return async (values: unknown[]): Promise<R[]> => {
    client.emit('query', { sql: text, bindings: values });
    const connection = await client.acquireConnection();
    try {
      const result = isPglite(connection)
        ? await connection.query(text, values)
        : await connection.query({ name, text, values });
      return result.rows as R[];
    } catch (err) {
      disposeOnDeadline(connection, err);
      throw err;
    } finally {
      await client.releaseConnection(connection);
    }
  };
}
