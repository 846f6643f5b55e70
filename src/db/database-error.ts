import type { DatabaseFault, DatabaseFaultKind } from '../errors/database-fault.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

const KINDS: Record<string, DatabaseFaultKind> = {
  '23505': 'unique_violation',
  '23503': 'foreign_key_violation',
  '40P01': 'deadlock',
  '40001': 'serialization_failure',
};

/** Any error as the database fault it is: the one place that reads SQLSTATEs outside the repositories. */
export function databaseFault(err: unknown): DatabaseFault {
  const e = (err && typeof err === 'object' ? err : {}) as { code?: unknown; constraint?: unknown };
  const sqlstate = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  const kind = (sqlstate && KINDS[sqlstate]) || (isDatabaseUnavailable(err) ? 'unavailable' : 'other');
  return {
    kind,
    ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
    ...(sqlstate ? { sqlstate } : {}),
  };
}
