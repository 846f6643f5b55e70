import type { Db } from './database.js';
import { isPglite, onDriverConnection } from './driver-connection.js';

/**
 * A hot statement (numbered parameters, `$1`) sent straight to the driver over knex's own
 * pool: on PostgreSQL prepared once per connection under `name` (later calls send only
 * Bind and Execute), with none of the query builder's work; on PGlite as it is. The
 * pool's limits, timeouts and deadline handling apply as to any statement, and knex's
 * `query` event still sees it (bench/sql-trace.ts counts them).
 * Not for transactions: each call takes a connection of its own.
 */
export function preparedStatement<R = Record<string, unknown>>(db: Db, name: string, text: string) {
  const client = db.client as unknown as { emit(event: 'query', query: { sql: string; bindings: unknown[] }): void };
  return async (values: unknown[]): Promise<R[]> => {
    client.emit('query', { sql: text, bindings: values });
    const result = await onDriverConnection(db, (connection) =>
      isPglite(connection) ? connection.query(text, values) : connection.query({ name, text, values }),
    );
    return (result.rows ?? []) as R[];
  };
}
