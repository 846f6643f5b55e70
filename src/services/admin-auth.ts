import type { AdminPowers, Operator } from '../domain/operator.js';
import { adminPowers } from '../policies/permissions.js';
import { maySignIn } from '../policies/status.js';
import type { UsersRepository } from '../repositories/users.js';
import type { AccessTokensService } from './access-tokens.js';
import type { Actor } from '../domain/actor.js';

/** The admin API's own resource scope. */
export const ADMIN_SCOPE = 'admin';

/** A person calling the admin API, as their access token shows them. */
export interface AdminCaller {
  userId: string;
  clientId: string;
  scopes: string[];
  /** How they signed in. */
  amr: string[] | undefined;
  /** The token acts for someone else (`act`): it was issued during an impersonation. */
  chained: boolean;
  /** What the caller may do, and whom it reaches. */
  powers: AdminPowers;
  /** Who the audit names: the caller, or the admin acting as them. */
  actor: Actor;
}

/** Whether `userId` (in any letter case) is the operator, or the admin acting as them. */
export const isActor = (userId: string, by: Operator) =>
  [by.actor.id, by.actor.onBehalfOf].some((id) => id && id.toLowerCase() === userId.toLowerCase());

/**
 * Who may call `/admin/api`: a person (not a client on its own) holding a
 * Gatehouse JWT access token for the admin API resource with the `admin` scope,
 * who may still sign in. What they may do there is each endpoint's policy.
 */
export function createAdminAuthService(deps: {
  accessTokens: AccessTokensService;
  users: UsersRepository;
  resource: string;
}) {
  return {
    async authenticate(bearer: string): Promise<AdminCaller | undefined> {
      const p = await deps.accessTokens.verify(bearer, deps.resource);
      const scopes = String(p?.scope ?? '').split(' ');
      if (!p?.sub || !p.client_id || p.sub === p.client_id || !scopes.includes(ADMIN_SCOPE)) return undefined;
      // Who may no longer sign in (a status, or no licence required to sign in) is refused at once.
      const facts = await deps.users.findWithRoleNames(p.sub);
      if (!facts || !maySignIn(facts.user.status) || !facts.licensed) return undefined;
      const { user } = facts;
      const act = p.act as { sub?: unknown } | undefined;
      return {
        userId: user.id,
        clientId: String(p.client_id),
        scopes,
        amr: Array.isArray(p.amr) ? p.amr.map(String) : undefined,
        chained: act !== undefined,
        powers: adminPowers(user.mainRole, await deps.users.roleAssignments(user.id)),
        actor: act?.sub
          ? { type: 'user', id: String(act.sub), onBehalfOf: user.id }
          : { type: 'user', id: user.id, name: user.email ?? user.userCode },
      };
    },
  };
}
export type AdminAuthService = ReturnType<typeof createAdminAuthService>;
