import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { Operator } from '../domain/operator.js';

import type { Transact } from '../db/database.js';
import type { UserReachService } from './user-reach.js';
import type { Executor } from '../db/database.js';
import type { AuditService, AuditSource } from './audit.js';

/** A signed-in browser session of a user, as administrators see it. */
export interface UserSession {
  /** The session's uid: stable, and never the cookie value. */
  id: string;
  signedInAt: Date | null;
  amr: string[];
  acr: string | null;
  /** The clients this session signed in to. */
  clients: string[];
  expiresAt: Date | null;
}

/**
 * A user's oidc-provider sessions: listed (read reach), or all ended with their
 * grants, refresh and access tokens (change reach; `user.sessions_revoked`).
 */
export function createUserSessionsService(deps: {
  transact: Transact;
  payloads: OidcPayloadsRepository;
  audit: AuditService;
  reach: UserReachService;
}) {
  const sessionsOf = async (userId: string): Promise<UserSession[]> =>
    (await deps.payloads.sessionsOf(userId)).map(({ payload, expiresAt }) => ({
      id: String(payload.uid),
      signedInAt: typeof payload.loginTs === 'number' ? new Date(payload.loginTs * 1000) : null,
      amr: Array.isArray(payload.amr) ? payload.amr.map(String) : [],
      acr: typeof payload.acr === 'string' ? payload.acr : null,
      clients: Object.keys((payload.authorizations as Record<string, unknown> | undefined) ?? {}),
      expiresAt,
    }));
  /** Ends them all with the audit event, in the caller's transaction. */
  const revoke = async (userId: string, by: AuditSource, trx: Executor) => {
    const sessions = (await deps.payloads.sessionsOf(userId, trx)).length;
    await deps.payloads.revokeAccount(userId, trx);
    await deps.audit
      .by(by)
      .record({ action: 'user.sessions_revoked', targetType: 'user', targetId: userId, details: { sessions } }, trx);
    return { sessions };
  };

  return {
    async list(userId: string, by: Operator): Promise<UserSession[]> {
      await deps.reach(userId, by, { change: false });
      return sessionsOf(userId);
    },

    /** Ends every session, grant and token of the user, in one transaction with its audit event. */
    async revokeAll(userId: string, by: Operator): Promise<{ sessions: number }> {
      return deps.transact(async (trx) => {
        await deps.reach(userId, by, { change: true, lock: true }, trx);
        return revoke(userId, by, trx);
      });
    },

    /** A person's own sessions (the /account page). */
    mine: sessionsOf,

    /** "Sign out everywhere": the person ends all their own sessions, grants and tokens, this browser's too. */
    endMine: (userId: string, ip: string | null) =>
      deps.transact((trx) => revoke(userId, { actor: { type: 'user', id: userId }, ip }, trx)),
  };
}
export type UserSessionsService = ReturnType<typeof createUserSessionsService>;
