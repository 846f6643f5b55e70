import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { AppError } from '../../errors/app-error.js';
import { answeredRoute } from '../route-template.js';
import { accessLogger } from '../../config/logger.js';

/** The client a request came from, when known: the OIDC client, or the admin API caller's. */
function clientIdOf(ctx: Context): string | undefined {
  const oidc = (ctx as Context & { oidc?: { client?: { clientId?: string } } }).oidc;
  return oidc?.client?.clientId ?? (ctx.state.caller as { clientId?: string } | undefined)?.clientId;
}

/**
 * The access log: one line per request at info (error for a 5xx) with method, route
 * template, status, duration and client id; never the path or query string, which may
 * carry codes and reset tokens. Written by the access logger (config/logger.ts), with the
 * request id. Turns unexpected errors into a 500 without leaking their message.
 */
export function requestLog(log: Logger) {
  const access = accessLogger(log);
  return async (ctx: Context, next: Next) => {
    const start = performance.now();
    try {
      await next();
    } catch (err) {
      const requestId = ctx.state.requestId as string | undefined;
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.expose ? err.message : 'Internal error', requestId };
      } else {
        log.error({ err, route: answeredRoute(ctx) }, 'request.failed');
        ctx.status = 500;
        ctx.body = { error: 'server.internal_error', message: 'Internal error', requestId };
      }
    } finally {
      const ms = Math.round((performance.now() - start) * 10) / 10;
      const status = ctx.status;
      access[status >= 500 ? 'error' : 'info'](
        {
          requestId: ctx.state.requestId as string | undefined,
          method: ctx.method,
          route: answeredRoute(ctx),
          status,
          ms,
          clientId: clientIdOf(ctx),
        },
        'request',
      );
    }
  };
}
