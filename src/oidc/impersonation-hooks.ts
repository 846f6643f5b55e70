import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Next } from 'koa';
import type { ImpersonationService } from '../services/impersonation.js';
import type { AccountFacts } from './account-claims.js';
import { TOKEN_EXCHANGE } from './token-exchange.js';
import { defined } from '../util/defined.js';

/**
 * Around the provider's routes, what impersonation follows (before the answer leaves):
 *   token                a token issued to a relying application while an admin acts
 *                        as a user (interactive) is audited;
 *   end_session_confirm  a Gatehouse session signed out ends what ran on it and what
 *                        its tokens were exchanged for.
 * The adapter cannot tell a sign-out from oidc-provider renewing a session's id
 * (both delete the old row), so this is done here, where the route says which.
 */
export function impersonationHooks(impersonation: ImpersonationService) {
  return async (ctx: KoaContextWithOIDC, next: Next) => {
    await next();
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined; // only on the provider's routes
    if (oidc?.route === 'token' && ctx.status === 200 && oidc.params?.grant_type !== TOKEN_EXCHANGE) {
      const account = oidc.entities.Account as { accountId: string; facts?: AccountFacts } | undefined;
      const acting = account?.facts?.impersonation;
      if (acting) {
        const scope = (oidc.entities.AccessToken as { scope?: string } | undefined)?.scope;
        await impersonation.tokenIssued(acting, {
          targetId: account.accountId,
          clientId: defined(oidc.client, 'the client of a token response').clientId,
          scope,
          ip: ctx.ip,
        });
      }
    } else if (oidc?.route === 'end_session_confirm') {
      const session = oidc.session as { uid: string; destroyed?: boolean } | undefined;
      if (session?.destroyed) await impersonation.sessionEnded(session.uid, ctx.ip);
    }
  };
}
