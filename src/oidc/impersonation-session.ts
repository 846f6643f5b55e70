import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Impersonation } from '../domain/impersonation.js';
import type { ImpersonationService } from '../services/impersonation.js';

type Session = Awaited<ReturnType<Provider['Session']['get']>>;

/**
 * Interactive impersonation on the admin's own Gatehouse session (oidc-provider's
 * Session): its account becomes the user's and its authorizations are cleared, so
 * relying applications get new grants, for the user; when it ends the account is
 * the admin's again and what the session was granted meanwhile is revoked. The
 * sign-in itself (loginTs, amr, acr) is the admin's throughout.
 */
export function createImpersonationSessions(deps: { provider: () => Provider; impersonation: ImpersonationService }) {
  /** The browser's Gatehouse session (a new, empty one when it has none). */
  const load = (ctx: Context): Promise<Session> => deps.provider().Session.get(ctx as never);

  async function switchAccount(session: Session, accountId: string): Promise<Session> {
    session.accountId = accountId;
    session.authorizations = undefined;
    await session.persist();
    return session;
  }

  return {
    load,

    /** Redeems a ticket in this browser; throws `impersonation.*` when it may not. */
    async start(ctx: Context, ticket: string): Promise<Impersonation> {
      const session = await load(ctx);
      const started = await deps.impersonation.start(
        ticket,
        { uid: session.uid, accountId: session.accountId, amr: session.amr },
        ctx.ip,
      );
      await switchAccount(session, started.targetId);
      return started;
    },

    /** Gives the session back to its admin; undefined when it was not acting as anyone. */
    async restore(ctx: Context, session: Session, reason: 'stopped' | 'expired'): Promise<Impersonation | undefined> {
      const grantIds = Object.values(session.authorizations ?? {}).flatMap((a) => (a.grantId ? [a.grantId] : []));
      const stopped = await deps.impersonation.stop(session.uid, reason, grantIds, ctx.ip);
      if (stopped) await switchAccount(session, stopped.actorId);
      return stopped;
    },

    /**
     * A session still on the user's account after its impersonation ended (a request
     * that ran alongside "stop" saved the old session back) goes back to its admin.
     */
    async settle(session: Session): Promise<void> {
      if (!session.accountId) return;
      const ended = await deps.impersonation.endedOnSession(session.uid, session.accountId);
      if (ended) await switchAccount(session, ended.actorId);
    },
  };
}
export type ImpersonationSessions = ReturnType<typeof createImpersonationSessions>;
