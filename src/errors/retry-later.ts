import { AppError } from './app-error.js';

/**
 * A refusal that passes with time: the caller may try again after
 * `retryAfterSeconds` (sent as `Retry-After`); the catalogue (codes.ts) makes
 * one of each code with a `retryAfter`. Its message is always shown, also
 * for the 503 of a full argon2 queue (the server is well, only busy).
 */
export class RetryLater extends AppError {
  constructor(
    code: string,
    status: number,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, status, message, { retryAfterSeconds });
    this.name = 'RetryLater';
    Object.defineProperty(this, 'expose', { value: true });
  }
}
