import type { Context, Next } from 'koa';
import { errors } from 'oidc-provider';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../db/database-unavailable.js';
import { AppError } from '../../errors/app-error.js';
import { pageNotice } from '../../errors/codes.js';
import type { Renderer } from '../render.js';
import { unavailablePage } from '../unavailable-page.js';
import { RetryLater } from '../../errors/retry-later.js';
import { setRetryAfter } from '../retry-later.js';
import { plainError, TO_ACCOUNT } from '../error-page.js';
import { takeRestart } from '../sign-in-restart.js';

const INTERACTION = /^\/interaction\/([^/]+)/;

/** "Start again" from a failed page: the sign-in step's page, the same address for a GET, else the form's page. */
function startAgain(ctx: Context): string {
  const uid = INTERACTION.exec(ctx.path)?.[1];
  if (uid) return `/interaction/${uid}`;
  return ctx.method === 'GET' ? ctx.originalUrl : ctx.path;
}

/**
 * A sign-in whose interaction has expired (or whose cookie is gone): the browser
 * starts again at the application's authorization request when it kept one
 * (sign-in-restart.ts), else a plain page says so.
 */
function expiredSignIn(ctx: Context, render: Renderer): void {
  const again = takeRestart(ctx, INTERACTION.exec(ctx.path)?.[1]);
  if (again && (ctx.method === 'GET' || ctx.is('urlencoded'))) {
    ctx.status = 303;
    ctx.redirect(again);
    return;
  }
  render.page(
    ctx,
    'error',
    { kind: plainError(400, 'session_not_found', 'page'), code: 'interaction.expired', links: [TO_ACCOUNT] },
    400,
  );
}

/**
 * For page routes: any error becomes the error page in plain words (our own
 * catalogue's message, else a text by status, never a library's), with a way on
 * and the request id as its reference; an unavailable database, the "try again
 * in a moment" page (503); an expired sign-in starts again.
 */
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
      if (err instanceof errors.SessionNotFound) return expiredSignIn(ctx, render);
      const e = err as { status?: number; error?: string };
      const status = e.status && e.status >= 400 ? e.status : 500;
      if (status >= 500 && !(err instanceof RetryLater)) log.error({ err, path: ctx.path }, 'page.failed');
      setRetryAfter(ctx, err);
      const ours = err instanceof AppError && err.expose;
      render.page(
        ctx,
        'error',
        {
          ...(ours ? { message: pageNotice(err) } : { kind: plainError(status, undefined, 'page') }),
          code: (err as AppError).code ?? e.error ?? 'server.error',
          links: [{ href: startAgain(ctx), label: 'start_again' }, TO_ACCOUNT],
        },
        status,
      );
    }
  };
}
