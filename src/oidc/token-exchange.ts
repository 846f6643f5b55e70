import type Provider from 'oidc-provider';
import {
  errors,
  type Account,
  type KoaContextWithOIDC,
  type ResourceServer,
  type TokenEndpointGrantContext,
} from 'oidc-provider';
import { AppError } from '../errors/app-error.js';
import { isJwt, type AccessTokensService } from '../services/access-tokens.js';
import type { ImpersonationService } from '../services/impersonation.js';
import type { Clock } from '../util/clock.js';
import { ROLES_SCOPE, type AccountFacts } from './account-claims.js';

/**
 * Impersonation through the token endpoint: OAuth 2.0 Token Exchange (RFC 8693).
 *
 *   grant_type=urn:ietf:params:oauth:grant-type:token-exchange
 *   actor_token=<an access token Gatehouse issued to the admin, to this client>
 *   actor_token_type=urn:ietf:params:oauth:token-type:access_token
 *   subject_token=<the user's id>
 *   subject_token_type=urn:gatehouse:params:oauth:token-type:user_id
 *   [resource=<API>] [scope=…] [requested_token_type=…:access_token]
 *
 * The answer is an access token for the user with `act: { sub: <admin> }`, never a
 * refresh token: opaque for userinfo without `resource`, a JWT for the API with it.
 * It carries the user's role claims for an API, and for userinfo when the admin's
 * token had the `roles` scope (`withRoles`).
 * It lives until the impersonation ends: IMPERSONATION_TTL, or the actor token's
 * end if sooner. A real grant of the user to the client backs it (userinfo and
 * introspection work); the impersonation is recorded and audited.
 */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const USER_ID_TOKEN_TYPE = 'urn:gatehouse:params:oauth:token-type:user_id';
const PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'resource',
  'scope',
];

/** Refusals that mean "this grant cannot work" (RFC 6749 invalid_grant); the others are access_denied. */
const INVALID_GRANT = new Set(['impersonation.chained', 'impersonation.unknown_target']);

type Params = {
  subject_token?: string;
  subject_token_type?: string;
  actor_token?: string;
  actor_token_type?: string;
  requested_token_type?: string;
  resource?: string;
};

export interface TokenExchangeDeps {
  impersonation: ImpersonationService;
  accessTokens: AccessTokensService;
  /** The provider's `getResourceServerInfo` (unknown and first-party-only resources refused). */
  resourceServerInfo: (
    ctx: KoaContextWithOIDC,
    indicator: string,
    client: TokenEndpointGrantContext['oidc']['client'],
  ) => Promise<ResourceServer>;
  /** The provider's Account for a user's facts. */
  account: (facts: AccountFacts) => Account;
  /** The OpenID Connect scopes an impersonation token may carry (not offline_access). */
  oidcScopes: readonly string[];
  clock: Clock;
}

/** The admin's access token, as the exchange needs it. */
export interface ActorToken {
  sub: string;
  clientId: string;
  amr: string[] | undefined;
  acr: string | undefined;
  /** It already acts for someone (`act`). */
  chained: boolean;
  /** It was granted the `roles` scope (it carries, or releases, the role claims). */
  roles: boolean;
  expiresAt: Date;
  /** The Gatehouse session it came from (opaque tokens only). */
  sessionUid: string | null;
}

const invalidRequest = (description: string) => new errors.InvalidRequest(description);
const oauthError = (error: string, description: string) => new errors.CustomOIDCProviderError(error, description);
const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
const hasScope = (scope: unknown, wanted: string) => typeof scope === 'string' && scope.split(' ').includes(wanted);

export function registerTokenExchange(provider: Provider, deps: TokenExchangeDeps): void {
  /** Opaque: a stored AccessToken; JWT: verified against Gatehouse's keys. Client-credentials tokens are not actors. */
  async function readActorToken(value: string): Promise<ActorToken | undefined> {
    if (isJwt(value)) {
      const p = await deps.accessTokens.verify(value);
      if (!p?.sub || !p.client_id || p.sub === p.client_id || !p.exp) return undefined;
      return {
        sub: p.sub,
        clientId: String(p.client_id),
        amr: strings(p.amr),
        acr: p.acr as string | undefined,
        chained: p.act !== undefined,
        roles: p.roles !== undefined || hasScope(p.scope, ROLES_SCOPE),
        expiresAt: new Date(p.exp * 1000),
        sessionUid: null,
      };
    }
    const token = await provider.AccessToken.find(value);
    if (!token?.isValid || !token.accountId || !token.clientId || !token.exp) return undefined;
    const extra = token.extra ?? {};
    return {
      sub: token.accountId,
      clientId: token.clientId,
      amr: strings(extra.amr),
      acr: extra.acr as string | undefined,
      chained: extra.act !== undefined,
      roles: hasScope(token.scope, ROLES_SCOPE),
      expiresAt: new Date(token.exp * 1000),
      sessionUid: token.sessionUid ?? null,
    };
  }

  /** The token's scope: OpenID scopes for userinfo, or the resource's scopes (OpenID ones go to the grant too). */
  async function tokenScope(ctx: TokenEndpointGrantContext<Params>) {
    const { client, params } = ctx.oidc;
    const requested = String(params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const allowed = client.scope ? new Set(client.scope.split(' ')) : undefined;
    for (const s of requested) {
      if (allowed && deps.oidcScopes.includes(s) && !allowed.has(s))
        throw new errors.InvalidScope('requested scope is not allowed for this client', s);
      if (s === 'offline_access') throw new errors.InvalidScope('impersonation tokens are never refreshed', s);
    }
    const oidc = requested.filter((s) => deps.oidcScopes.includes(s));
    if (!params.resource) {
      const unknown = requested.filter((s) => !oidc.includes(s));
      if (unknown.length)
        throw new errors.InvalidScope(
          'requested scope is not an OpenID Connect scope; name the API with `resource`',
          unknown.join(' '),
        );
      return { oidc: oidc.length ? oidc : ['openid'], resource: undefined, resourceScope: [], allowed };
    }
    const resource = new provider.ResourceServer(
      params.resource,
      await deps.resourceServerInfo(ctx, params.resource, client),
    );
    const resourceScope = requested.filter((s) => resource.scopes.has(s));
    const unknown = requested.filter((s) => !oidc.includes(s) && !resourceScope.includes(s));
    if (unknown.length)
      throw new errors.InvalidScope('requested scope is not offered by the resource', unknown.join(' '));
    return { oidc, resource, resourceScope, allowed };
  }

  /**
   * The target's role claims come with the token whenever the admin's own token had
   * the `roles` scope, or the token is for an API (it authorizes by role): unless the
   * client is registered without the `roles` scope.
   */
  function withRoles(oidc: string[], actor: ActorToken, forApi: boolean, allowed: Set<string> | undefined) {
    const wanted = (actor.roles || forApi) && (!allowed || allowed.has(ROLES_SCOPE));
    return wanted && !oidc.includes(ROLES_SCOPE) ? [...oidc, ROLES_SCOPE] : oidc;
  }

  async function tokenExchange(ctx: TokenEndpointGrantContext<Params>) {
    const { client, params } = ctx.oidc;
    if (!params.subject_token || !params.subject_token_type || !params.actor_token || !params.actor_token_type) {
      throw invalidRequest('subject_token, subject_token_type, actor_token and actor_token_type are required');
    }
    if (params.subject_token_type !== USER_ID_TOKEN_TYPE)
      throw invalidRequest(`subject_token_type must be ${USER_ID_TOKEN_TYPE}`);
    if (params.actor_token_type !== ACCESS_TOKEN_TYPE)
      throw invalidRequest(`actor_token_type must be ${ACCESS_TOKEN_TYPE}`);
    if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE)
      throw invalidRequest(`only ${ACCESS_TOKEN_TYPE} is issued`);
    const requested = await tokenScope(ctx);
    const { resource, resourceScope } = requested;

    const actor = await readActorToken(params.actor_token);
    if (!actor) throw oauthError('invalid_grant', 'the actor token is invalid or has expired');
    const oidc = withRoles(requested.oidc, actor, resource !== undefined, requested.allowed);
    const scope = (resource ? resourceScope : oidc).join(' ');
    if (actor.clientId !== client.clientId)
      throw oauthError('invalid_grant', 'the actor token was issued to another client');
    const target = await deps.impersonation
      .authorize({ userId: actor.sub, amr: actor.amr, chained: actor.chained }, params.subject_token)
      .catch((err: unknown) => {
        throw err instanceof AppError
          ? oauthError(INVALID_GRANT.has(err.code) ? 'invalid_grant' : 'access_denied', err.message)
          : err;
      });

    const expiresAt = deps.impersonation.exchangeEnd(actor.expiresAt);
    // The grant lives as long as the impersonation (oidc-provider takes `expiresIn`; its types omit it).
    const expiresIn = Math.max(1, Math.ceil((expiresAt.getTime() - deps.clock.now().getTime()) / 1000));
    const grant = new provider.Grant({
      accountId: target.user.id,
      clientId: client.clientId,
      expiresIn,
    } as ConstructorParameters<Provider['Grant']>[0]);
    if (oidc.length) grant.addOIDCScope(oidc.join(' '));
    if (resource) grant.addResourceScope(resource.identifier(), resourceScope.join(' '));
    const grantId = await grant.save();
    const acting = await deps.impersonation.recordExchange({
      actorId: actor.sub,
      targetId: target.user.id,
      clientId: client.clientId,
      grantId,
      sessionUid: actor.sessionUid,
      expiresAt,
      scope,
      ip: ctx.ip,
    });

    // What extraTokenClaims and the ttl read: the user acted as, the grant, the admin's sign-in.
    ctx.oidc.entity('Account', deps.account({ ...target, impersonation: acting }));
    ctx.oidc.entity('Grant', grant);
    ctx.oidc.entity('ActorToken', actor);
    const token = new provider.AccessToken({
      accountId: target.user.id,
      client,
      grantId,
      gty: 'token_exchange',
      scope: scope || undefined,
      ...(resource ? { resourceServer: resource } : {}),
    });
    ctx.oidc.entity('AccessToken', token);
    const value = await token.save();

    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: token.tokenType,
      expires_in: token.expiration,
      scope: token.scope || undefined,
    };
  }

  provider.registerGrantType<Params>(TOKEN_EXCHANGE, tokenExchange, PARAMETERS);
}
