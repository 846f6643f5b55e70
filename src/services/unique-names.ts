import { databaseFault } from '../db/database-error.js';
import type { AppError } from '../errors/app-error.js';

/**
 * Names are checked before they are written; two writers racing past the check
 * meet the unique index instead. This turns that index's violation into the
 * same 409 the check gives.
 */
export function uniqueNameConflict(index: string, conflict: () => AppError) {
  return (err: unknown): never => {
    const fault = databaseFault(err);
    if (fault.kind === 'unique_violation' && fault.constraint === index) throw conflict();
    throw err;
  };
}
