import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../db/database-unavailable.js';
import type { Renderer } from '../render.js';
import { retryLater } from '../retry-later.js';
import { unavailablePage } from '../unavailable-page.js';

/**
 * For oidc-provider's endpoints (and any middleware ahead of them): an unavailable
 * database is a 503 with Retry-After, never a 500 — `{"error":"temporarily_unavailable"}`
 * for JSON, the "try again in a moment" page for HTML.
 *
 * oidc-provider catches its endpoints' errors itself and answers `server_error`; it
 * emits the error with the `server_error` event, which src/oidc/reloadable-provider.ts keeps in
 * `ctx.state.serverError` for this middleware to read once the provider has answered.
 */
export function databaseUnavailable(render: Renderer, log: Logger) {
  const answer = (ctx: Context, err: unknown) => {
    log.warn({ err, path: ctx.path }, 'oidc.database_unavailable');
    if (ctx.response.is('html') || (ctx.body === undefined && ctx.accepts('json', 'html') === 'html')) {
      unavailablePage(ctx, render);
      return;
    }
    ctx.status = 503;
    retryLater(ctx);
    ctx.body = {
      error: 'temporarily_unavailable',
      error_description: 'The server cannot reach its database. Try again in a moment.',
    };
  };
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      answer(ctx, err);
      return;
    }
    const providerError: unknown = ctx.state.serverError;
    if (ctx.status >= 500 && isDatabaseUnavailable(providerError)) answer(ctx, providerError);
  };
}
