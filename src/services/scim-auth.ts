import { isRole, ROLES, type Role } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { ScimTokensRepository } from '../repositories/scim-tokens.js';
import { systemClock, type Clock } from '../util/clock.js';
import { hashToken, randomToken } from '../util/crypto.js';
import type { AccessTokensService } from './access-tokens.js';
import type { Actor } from '../domain/actor.js';
import { CLI_ACTOR, type AuditService } from './audit.js';
import type { ScimCaller } from './scim-users.js';

/** Roles a SCIM token may grant unless it is made with others. */
export const DEFAULT_GRANTABLE_ROLES: Role[] = ['individual', 'manager', 'hr'];
export const SCIM_SCOPE = 'scim';
const TOKEN_PREFIX = 'gh_scim_';

export interface ScimAuthDeps {
  tokens: ScimTokensRepository;
  /** `<ISSUER>/scim/v2`: the audience of Gatehouse access tokens for SCIM. */
  resource: string;
  accessTokens: AccessTokensService;
  audit: AuditService;
  clock?: Clock;
}

/**
 * Who may call SCIM: bearer tokens made by an operator (stored as SHA-256 hashes,
 * looked up by hash), or Gatehouse's own JWT access tokens for the SCIM resource
 * with the `scim` scope from the client credentials grant.
 */
export function createScimAuthService(deps: ScimAuthDeps) {
  const { clock = systemClock } = deps;
  async function fromAccessToken(token: string): Promise<ScimCaller | undefined> {
    const payload = await deps.accessTokens.verify(token, deps.resource);
    const scopes = String(payload?.scope ?? '').split(' ');
    // Client credentials only: the token stands for the client, not for a person.
    if (!payload || !scopes.includes(SCIM_SCOPE) || !payload.client_id || payload.sub !== payload.client_id)
      return undefined;
    return {
      actor: { type: 'client', id: String(payload.client_id), name: String(payload.client_id) },
      grantableRoles: DEFAULT_GRANTABLE_ROLES,
      trustEmails: false,
    };
  }

  return {
    async create(
      name: string,
      grantableRoles: Role[] = DEFAULT_GRANTABLE_ROLES,
      actor: Actor = CLI_ACTOR,
      ip: string | null = null,
      options: { trustEmails?: boolean } = {},
    ) {
      const trustEmails = options.trustEmails ?? false;
      assertThat(/^[\w .:@-]{1,100}$/.test(name), fail('scim_token.invalid_name'));
      for (const role of grantableRoles)
        assertThat(isRole(role), fail('scim_token.invalid_role', { role, roles: ROLES }));
      assertThat(!(await deps.tokens.nameTaken(name)), fail('scim_token.name_taken', { name }));
      const token = TOKEN_PREFIX + randomToken(32);
      const saved = await deps.tokens.create({ name, tokenHash: hashToken(token), grantableRoles, trustEmails });
      await deps.audit.record({
        actor,
        ip,
        action: 'scim_token.created',
        targetType: 'scim_token',
        targetId: saved.id,
        changes: { name: [null, name], grantableRoles: [null, grantableRoles], trustEmails: [null, trustEmails] },
      });
      return { ...saved, token };
    },

    list: () => deps.tokens.list(),

    async revoke(idOrName: string, actor: Actor = CLI_ACTOR, ip: string | null = null) {
      const revoked = await deps.tokens.revoke(idOrName);
      assertThat(revoked, fail('scim_token.not_found', { idOrName }));
      await deps.audit.record({
        actor,
        ip,
        action: 'scim_token.revoked',
        targetType: 'scim_token',
        targetId: revoked.id,
      });
      return revoked;
    },

    /** The caller behind an `Authorization: Bearer` value, or undefined. */
    async authenticate(bearer: string): Promise<ScimCaller | undefined> {
      if (!bearer.startsWith(TOKEN_PREFIX)) return fromAccessToken(bearer);
      const token = await deps.tokens.findByHash(hashToken(bearer));
      if (!token) return undefined;
      // The last use is recorded at most once a minute: no write on every request.
      if (!token.lastUsedAt || clock.now().getTime() - token.lastUsedAt.getTime() > 60_000)
        await deps.tokens.touch(token.id);
      return {
        actor: { type: 'scim_token', id: token.id, name: token.name },
        grantableRoles: token.grantableRoles,
        trustEmails: token.trustEmails,
      };
    },
  };
}
export type ScimAuthService = ReturnType<typeof createScimAuthService>;
