import { AppError } from './app-error.js';

/**
 * A refusal that passes with time: the caller may try again after
 * `retryAfterSeconds` (sent as `Retry-After`). Its message is always shown, also
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

/** "in 1 minute", "in 12 minutes", "in 30 seconds". */
export function waitPhrase(seconds: number): string {
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** 429: a rate limit is spent until its window ends. */
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new RetryLater('rate_limit.exceeded', 429, `Too many attempts. Try again ${waitPhrase(retryAfterSeconds)}.`, retryAfterSeconds);

/** 503: more password checks are waiting than the queue holds. */
export const passwordChecksBusy = () => new RetryLater('server.busy', 503, 'The server is busy. Try again in a moment.', 1);
