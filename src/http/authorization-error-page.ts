import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { backToClient, plainError, TO_ACCOUNT } from './error-page.js';
import type { Renderer } from './render.js';
import { takeRestart } from './sign-in-restart.js';

/**
 * oidc-provider's `renderError`: an authorization or logout request it cannot send
 * back to the client. The person reads a plain text by the error's name (never its
 * description), a way back to the application when the client is known and says
 * where, and the request id. An expired sign-in resumed at `/auth/:uid` starts
 * again at the application's request, as on the sign-in pages.
 */
export function authorizationErrorPage(render: Renderer) {
  return (ctx: KoaContextWithOIDC, out: Record<string, string>, err: unknown): void => {
    if (err instanceof errors.SessionNotFound) {
      const again = takeRestart(ctx, ctx.oidc.entities.Interaction?.uid ?? /^\/auth\/([^/]+)/.exec(ctx.path)?.[1]);
      if (again) {
        ctx.status = 303;
        ctx.redirect(again);
        return;
      }
    }
    const error = err instanceof errors.SessionNotFound ? 'session_not_found' : out.error;
    const back = backToClient(ctx.oidc.client);
    ctx.type = 'html';
    ctx.body = render.html(ctx, 'error', {
      kind: plainError(ctx.status, error, 'authorization'),
      code: out.error ?? 'oidc.error',
      links: back ? [back] : [TO_ACCOUNT],
    });
  };
}
