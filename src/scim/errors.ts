import { AppError } from '../errors/app-error.js';
import type { DatabaseFault } from '../errors/database-fault.js';

/** The `scimType` values of RFC 7644 §3.12. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * An error a SCIM caller sees in the SCIM error schema: `status` (sent as a
 * string), the `scimType` where RFC 7644 names one, and a `detail` to act on.
 * Its AppError code is `scim.<scimType>` (or `scim.error`).
 */
export class ScimError extends AppError {
  constructor(
    status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(`scim.${scimType ?? 'error'}`, status, detail);
    this.name = 'ScimError';
  }
}

export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
export const uniqueness = (detail: string) => new ScimError(409, 'uniqueness', detail);
export const notFound = (detail: string) => new ScimError(404, undefined, detail);
export const unavailable = () =>
  new ScimError(503, undefined, 'The service cannot reach its database. Try again in a moment.');

/** The response body for an error, as RFC 7644 §3.12 shapes it. */
export function scimErrorBody(error: { status: number; scimType?: ScimType; message: string }) {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.message,
  };
}

/** The unique indexes a SCIM write can meet, as a client should read them. */
const UNIQUE_DETAILS: Record<string, string> = {
  users_user_code_key: 'This userName is already taken.',
  users_email_key: 'This email belongs to another user.',
  groups_display_name_key: 'A group with this displayName already exists.',
};

/**
 * Any error as the SCIM error a client should see: ScimErrors as they are, other
 * exposed application errors with their status (a password policy refusal is 400
 * `invalidValue`), a unique index's refusal as 409 `uniqueness`, an unavailable
 * database as 503 (the caller adds Retry-After); undefined for a server fault.
 * `fault` is the error as the database layer classifies it (`databaseFault(err)`).
 */
export function asScimError(err: unknown, fault: DatabaseFault): ScimError | undefined {
  if (err instanceof ScimError) return err;
  if (err instanceof AppError && err.expose) {
    return new ScimError(
      err.status,
      err.status === 400 ? 'invalidValue' : err.status === 409 ? 'uniqueness' : undefined,
      err.message,
    );
  }
  if (fault.kind === 'unique_violation')
    return uniqueness(UNIQUE_DETAILS[fault.constraint ?? ''] ?? 'A resource with this unique value already exists.');
  if (fault.kind === 'unavailable') return unavailable();
  return undefined;
}
