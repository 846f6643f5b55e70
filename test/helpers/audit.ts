import type { Db } from '../../src/db/database.js';

/** The `audit_events` rows that match `filter`, as a query to finish (`orderBy`, `first`, `count` …). */
export function auditEvents(from: { db: Db } | Db, filter: Record<string, unknown> = {}) {
  const db = typeof from === 'function' ? from : from.db;
  return db('audit_events').where(filter);
}
