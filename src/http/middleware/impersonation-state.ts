import type { Context, Next } from 'koa';
import { fail } from '../../errors/codes.js';
import type { ImpersonationSessions } from '../../oidc/impersonation-session.js';
import type { ImpersonationService } from '../../services/impersonation.js';
import type { Clock } from '../../util/clock.js';

/** What pages show while the browser's session acts as someone: `ctx.state.impersonation`. */
export interface ImpersonationBanner {
  targetName: string;
  minutesLeft: number;
}

/**
 * For pages and authorization requests: finds the impersonation the browser's
 * session is in. Past its end, the session goes back to its admin here (the next
 * page or authorization request after the end). Otherwise pages get the banner,
 * and the user's own account settings cannot be changed while someone acts as
 * them (nothing but reading under /account/, and not even that for the MFA set-up
 * pages under /account/security/, which start an enrolment).
 */
export function impersonationState(deps: {
  sessions: ImpersonationSessions;
  impersonation: ImpersonationService;
  clock: Clock;
}) {
  return async (ctx: Context, next: Next) => {
    const session = await deps.sessions.load(ctx);
    const active = session.accountId ? await deps.impersonation.activeOnSession(session.uid) : undefined;
    if (!active) {
      await deps.sessions.settle(session);
    } else if (active.expiresAt <= deps.clock.now()) {
      await deps.sessions.restore(ctx, session, 'expired');
    } else {
      const banner: ImpersonationBanner = {
        targetName: active.targetName,
        minutesLeft: Math.ceil((active.expiresAt.getTime() - deps.clock.now().getTime()) / 60_000),
      };
      ctx.state.impersonation = banner;
      const path = ctx.path.toLowerCase(); // the routers match paths in any case
      if ((ctx.method !== 'GET' && path.startsWith('/account/')) || path.startsWith('/account/security/')) {
        throw fail('impersonation.read_only', { targetName: active.targetName });
      }
    }
    await next();
  };
}
