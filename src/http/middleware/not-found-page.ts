import type { Context, Next } from 'koa';
import { plainError, TO_ACCOUNT } from '../error-page.js';
import type { Renderer } from '../render.js';

/**
 * A browser (it asks for `text/html`) sent to an address no route answers, or
 * with a method it does not take, gets a plain page with the reference instead of
 * a bare "Not Found". `apiPath`: the JSON surfaces (admin API, SCIM) answer on
 * their own terms.
 */
export function notFoundPage(render: Renderer, apiPath: (path: string) => boolean) {
  return async (ctx: Context, next: Next) => {
    await next();
    if ((ctx.status !== 404 && ctx.status !== 405) || ctx.body != null) return;
    if (apiPath(ctx.path) || !ctx.get('accept').includes('text/html')) return;
    const status = ctx.status;
    render.page(
      ctx,
      'error',
      { kind: plainError(status, undefined, 'page'), code: `http.${status}`, links: [TO_ACCOUNT] },
      status,
    );
  };
}
