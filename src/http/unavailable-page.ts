import type { Context } from 'koa';
import type { Renderer } from './render.js';
import { retryLater } from './retry-later.js';

/**
 * The page a person sees while the database is unavailable: 503, Retry-After, and a
 * "try again" link (the same address for a GET; for a form's POST, its page).
 */
export function unavailablePage(ctx: Context, render: Renderer): void {
  render.page(ctx, 'unavailable', { retry: ctx.method === 'GET' ? ctx.originalUrl : ctx.path }, 503);
  retryLater(ctx);
}
