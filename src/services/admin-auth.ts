import type { AdminPowers, Operator } from '../domain/operator.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { adminPowers } from '../policies/permissions.js';
import { serviceAccountPowers } from '../policies/service-account.js';
import { maySignIn } from '../policies/status.js';
import type { ClientsRepository } from '../repositories/clients.js';
import type { UsersRepository } from '../repositories/users.js';
import type { AccessTokensService } from './access-tokens.js';
import type { Actor } from '../domain/actor.js';

/** The admin API's own resource scope. */
export const ADMIN_SCOPE = 'admin';

/** Who calls the admin API, as their access token shows them: a person, or a service account (a client on its own). */
export interface AdminCaller {
  /** The person; null for a service account. */
  userId: string | null;
  clientId: string;
  scopes: string[];
  /** How they signed in. */
  amr: string[] | undefined;
  /** The token acts for someone else (`act`): it was issued during an impersonation. */
  chained: boolean;
  /** What the caller may do, and whom it reaches. */
  powers: AdminPowers;
  /** Who the audit names: the caller, the admin acting as them, or the client. */
  actor: Actor;
}

/** The caller as a person (for /me and impersonation); a service account is refused with `admin_api.person_only`. */
export function personCalling(caller: AdminCaller): AdminCaller & { userId: string } {
  const { userId } = caller;
  assertThat(userId, () => fail('admin_api.person_only'));
  return { ...caller, userId };
}

/** Whether `userId` (in any letter case) is the operator, or the admin acting as them. */
export const isActor = (userId: string, by: Operator) =>
  [by.actor.id, by.actor.onBehalfOf].some((id) => id && id.toLowerCase() === userId.toLowerCase());

const audiences = (aud: unknown): string[] => (Array.isArray(aud) ? aud.map(String) : aud ? [String(aud)] : []);

/**
 * Who may call `/admin/api`: the holder of a Gatehouse JWT access token for the
 * admin API resource with the `admin` scope, that is either
 * - a person's (authorization code), who may still sign in: their own powers; or
 * - a service account's own (client credentials: `sub` is the client): the powers
 *   of its role, read at each call, so a changed role or a deleted client counts at once.
 * What they may do there is each endpoint's policy. A refusal says what is wrong:
 * 401 `admin_api.unauthorized` (no token), `.invalid_token`, `.wrong_audience`,
 * `.cannot_sign_in`; 403 `.missing_scope`, `.not_service_account`.
 */
export function createAdminAuthService(deps: {
  accessTokens: AccessTokensService;
  users: UsersRepository;
  clients: Pick<ClientsRepository, 'find'>;
  resource: string;
}) {
  async function serviceAccount(clientId: string, scopes: string[]): Promise<AdminCaller> {
    const client = await deps.clients.find(clientId);
    assertThat(client, () => fail('admin_api.invalid_token', { problem: 'client_gone' }));
    assertThat(client.serviceAccount, () => fail('admin_api.not_service_account', { clientId }));
    return {
      userId: null,
      clientId,
      scopes,
      amr: undefined,
      chained: false,
      powers: serviceAccountPowers(client.serviceAccount),
      actor: { type: 'client', id: clientId, name: String(client.metadata.client_name ?? clientId) },
    };
  }

  return {
    async authenticate(bearer: string | undefined): Promise<AdminCaller> {
      assertThat(bearer, () => fail('admin_api.unauthorized'));
      const p = await deps.accessTokens.verify(bearer);
      assertThat(p?.sub && p.client_id, () => fail('admin_api.invalid_token', { problem: 'unreadable' }));
      assertThat(audiences(p.aud).includes(deps.resource), () =>
        fail('admin_api.wrong_audience', { expected: deps.resource }),
      );
      const scopes = String(p.scope ?? '').split(' ');
      assertThat(scopes.includes(ADMIN_SCOPE), () => fail('admin_api.missing_scope'));
      const clientId = String(p.client_id);
      if (p.sub === clientId) return serviceAccount(clientId, scopes);
      // Who may no longer sign in (a status, or no licence required to sign in) is refused at once.
      const facts = await deps.users.findWithRoleNames(p.sub);
      assertThat(facts && maySignIn(facts.user.status) && facts.licensed, () => fail('admin_api.cannot_sign_in'));
      const { user } = facts;
      const act = p.act as { sub?: unknown } | undefined;
      return {
        userId: user.id,
        clientId,
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
