import { AppError } from '../errors/app-error.js';

/**
 * Names are checked before they are written; two writers racing past the check
 * meet the unique index instead. This turns that index's violation into the
 * same 409 the check gives.
 */
export function uniqueNameConflict(index: string, conflict: () => AppError) {
  return (err: unknown): never => {
    const e = err as { code?: string; constraint?: string };
    if (e?.code === '23505' && e.constraint === index) throw conflict();
    throw err;
  };
}
