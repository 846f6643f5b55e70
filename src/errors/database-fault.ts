/**
 * What a database refusal means to its caller, without the driver's codes (only
 * `db/database-error.ts` reads those): a unique index or a foreign key refused a write,
 * a transaction lost a deadlock or a serialisation check, the database is not reachable
 * now (answer 503, never 500), or anything else.
 */
export type DatabaseFaultKind =
  | 'unique_violation'
  | 'foreign_key_violation'
  | 'deadlock'
  | 'serialization_failure'
  | 'unavailable'
  | 'other';

export interface DatabaseFault {
  kind: DatabaseFaultKind;
  /** The constraint or unique index the database named (`users_email_key`). */
  constraint?: string;
  /** The SQLSTATE, when the error carries one. */
  sqlstate?: string;
}
