import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { AppError } from '../../errors/app-error.js';

/**
 * One JSON line per request: method, path (never the query string, which may
 * carry codes and reset tokens), status and duration. Turns unexpected errors
 * into a 500 without leaking their message.
 */
export function requestLog(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const start = performance.now();
    try {
      await next();
    } catch (err) {
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.expose ? err.message : 'Internal error' };
      } else {
        log.error({ err, path: ctx.path }, 'request.failed');
        ctx.status = 500;
        ctx.body = { error: 'server.internal_error', message: 'Internal error' };
      }
    } finally {
      const ms = Math.round((performance.now() - start) * 10) / 10;
      const status = ctx.status;
      log[status >= 500 ? 'error' : 'debug']({ method: ctx.method, path: ctx.path, status, ms }, 'request');
    }
  };
}
