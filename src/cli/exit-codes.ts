import { AppError } from '../errors/app-error.js';
import type { ErrorCode } from '../errors/codes.js';

/**
 * The CLI's exit codes, its own (HTTP statuses mean nothing to a shell script):
 * 0 done, 1 failed (a refusal, an unreadable file, a fault), 2 usage error,
 * 3 no such record, 4 conflicts with an existing record.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, conflict: 4 } as const;

/** The errors of the CLI's commands that a script may want to tell apart; any other is `failed`. */
const BY_CODE: Partial<Record<ErrorCode, number>> = {
  'cli.usage': EXIT.usage,
  'request.invalid_cursor': EXIT.usage,
  'user.not_found': EXIT.notFound,
  'scim_token.not_found': EXIT.notFound,
  'import.job_not_found': EXIT.notFound,
  'licence.not_found': EXIT.notFound,
  'client.not_found': EXIT.notFound,
  'resource.not_found': EXIT.notFound,
  'resource.exists': EXIT.conflict,
  'resource.in_use': EXIT.conflict,
  'user.email_taken': EXIT.conflict,
  'user.user_code_taken': EXIT.conflict,
  'user.not_deleted': EXIT.conflict,
  'user.not_pending': EXIT.conflict,
  'client.exists': EXIT.conflict,
  'scim_token.name_taken': EXIT.conflict,
  'licence.key_taken': EXIT.conflict,
  'licence.no_seats': EXIT.conflict,
  'idp.not_found': EXIT.notFound,
  'idp.name_taken': EXIT.conflict,
  'idp.domain_taken': EXIT.conflict,
  'idp.invalid': EXIT.usage,
};

export const exitCode = (err: unknown): number =>
  (err instanceof AppError && BY_CODE[err.code as ErrorCode]) || EXIT.failed;
