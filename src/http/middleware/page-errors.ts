import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../db/database-unavailable.js';
import { AppError } from '../../errors/app-error.js';
import { pageNotice } from '../../errors/codes.js';
import type { Renderer } from '../render.js';
import { unavailablePage } from '../unavailable-page.js';
import { RetryLater } from '../../errors/retry-later.js';
import { setRetryAfter } from '../retry-later.js';

/** For page routes: any error becomes the error page, with a safe message; an unavailable database, the "try again in a moment" page (503). */
export function pageErrors(render: Renderer, log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        log.warn({ err, path: ctx.path }, 'page.database_unavailable');
        unavailablePage(ctx, render);
        return;
      }
      const e = err as {
        status?: number;
        expose?: boolean;
        message?: string;
        error_description?: string;
        code?: string;
        error?: string;
      };
      const status = e.status && e.status >= 400 ? e.status : 500;
      if (status >= 500 && !(err instanceof RetryLater)) log.error({ err, path: ctx.path }, 'page.failed');
      setRetryAfter(ctx, err);
      const code = (err as AppError).code ?? e.error ?? 'server.error';
      const message =
        err instanceof AppError && err.expose
          ? pageNotice(err)
          : status >= 500 || e.expose === false
            ? 'server_failed'
            : e.error_description
              ? { code, message: e.error_description }
              : 'request_failed';
      render.page(ctx, 'error', { heading: status < 500 ? 'failed' : 'server', message, code }, status);
    }
  };
}
