import type { Context } from 'koa';

/** What a 503 for an unavailable database tells the caller: ask again in this many seconds. */
export const RETRY_AFTER_SECONDS = 5;

/** Marks a 503 as temporary: `Retry-After`, and no caching of the answer. */
export function retryLater(ctx: Context): void {
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  ctx.set('Cache-Control', 'no-store');
}
