import type { Context } from 'koa';
import { RetryLater } from '../errors/retry-later.js';

/** What a 503 for an unavailable database tells the caller: ask again in this many seconds. */
export const RETRY_AFTER_SECONDS = 5;

/** Marks a refusal as temporary: `Retry-After`, and no caching of the answer. */
export function retryLater(ctx: Context, seconds = RETRY_AFTER_SECONDS): void {
  ctx.set('Retry-After', String(seconds));
  ctx.set('Cache-Control', 'no-store');
}

/** The same for a `RetryLater` refusal (a spent rate limit, a full argon2 queue), with its own wait; nothing for other errors. */
export function setRetryAfter(ctx: Context, err: unknown): void {
  if (err instanceof RetryLater) retryLater(ctx, err.retryAfterSeconds);
}
