import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/config.js';
import type { ClientsRepository } from '../repositories/clients.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { ResourceServersRepository } from '../repositories/resource-servers.js';
import type { AccountClaims, AccountFacts } from './account-claims.js';
import { createAdapterClass } from './adapter.js';

export interface ProviderDeps {
  config: Config;
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
  payloads: OidcPayloadsRepository;
  clients: ClientsRepository;
  resources: ResourceServersRepository;
  accounts: AccountClaims;
  pages: {
    error: (ctx: KoaContextWithOIDC, out: Record<string, string>) => string;
    logout: (ctx: KoaContextWithOIDC, form: string) => string;
    loggedOut: (ctx: KoaContextWithOIDC) => string;
  };
}

export const ROLES_SCOPE = 'roles';
/** Access tokens for resource servers are JWTs signed with this (cheaper than RSA). */
const ACCESS_TOKEN_ALG = 'ES256';

type GrantLike = InstanceType<Provider['Grant']>;

/** First-party clients (`--first-party`) never show a consent page and may use first-party-only APIs. */
export function isFirstParty(client: { metadata(): Record<string, unknown> } | undefined): boolean {
  return client?.metadata().first_party === true;
}

/** The oidc-provider configuration: every behaviour Gatehouse relies on is set here. */
export function createProvider(deps: ProviderDeps): Provider {
  const { config, accounts, resources } = deps;
  const ttl = config.ttl;

  const configuration: Configuration = {
    adapter: createAdapterClass(deps.payloads, deps.clients),
    clients: [],
    jwks: deps.jwks as Configuration['jwks'],
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email'],
      profile: ['name', 'given_name', 'middle_name', 'family_name', 'preferred_username', 'locale', 'zoneinfo', 'updated_at'],
      [ROLES_SCOPE]: ['roles', 'main_role', 'main_account_id'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', ROLES_SCOPE],
    // Role claims belong in the ID token too, not only in userinfo.
    conformIdTokenClaims: false,
    extraClientMetadata: { properties: ['first_party'] },
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic' },
    responseTypes: ['code'],
    // Browsers may call the token endpoint (public clients) and userinfo from a client's own origins.
    clientBasedCORS: (ctx, origin, client) =>
      (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    features: {
      devInteractions: { enabled: false },
      // Confidential clients (resource servers) may introspect any token; public ones only their own.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId },
      // RFC 7009: a client revokes only tokens issued to it.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => { ctx.body = deps.pages.logout(ctx, form); },
        postLogoutSuccessSource: async (ctx) => { ctx.body = deps.pages.loggedOut(ctx); },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        // A token request without `resource` gets the one granted at authorization.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          const rs = await resources.find(indicator);
          if (!rs || (rs.firstPartyOnly && !isFirstParty(client))) throw new errors.InvalidTarget();
          return {
            scope: rs.scopes.join(' '),
            audience: indicator,
            accessTokenTTL: rs.accessTokenTtl ?? ttl.accessToken,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: ACCESS_TOKEN_ALG } },
          };
        },
      },
    },
    async findAccount(_ctx, sub) {
      const facts = await accounts.findActive(sub);
      if (!facts) return undefined;
      return { accountId: facts.user.id, facts, claims: async () => accounts.claims(facts) };
    },
    /** Role claims in access tokens (JWT, or introspection of opaque ones) when `roles` was granted. */
    async extraTokenClaims(ctx, token) {
      if (!('accountId' in token) || !token.accountId) return undefined;
      const grant = ctx.oidc.entities.Grant as GrantLike | undefined;
      const granted = `${token.scope ?? ''} ${grant?.getOIDCScope() ?? ''}`.split(' ');
      if (!granted.includes(ROLES_SCOPE)) return undefined;
      // The account the request already loaded, else a fresh read.
      const loaded = ctx.oidc.entities.Account as { accountId: string; facts?: AccountFacts } | undefined;
      const facts = loaded?.accountId === token.accountId && loaded.facts ? loaded.facts : await accounts.findActive(token.accountId);
      return facts ? { ...accounts.roleClaims(facts) } : undefined;
    },
    /** First-party clients never ask for consent: their grant is extended as requested. */
    async loadExistingGrant(ctx) {
      const { client, session, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      const existing = grantId ? await provider.Grant.find(grantId) : undefined;
      if (!isFirstParty(client) || ctx.oidc.prompts.has('consent')) return existing;
      const grant = existing ?? new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grantRequested(ctx, grant);
      await grant.save();
      return grant;
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = deps.pages.error(ctx, out as unknown as Record<string, string>);
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.clientCredentials,
      DeviceCode: 600,
      Grant: Math.max(ttl.refreshToken, ttl.session),
      IdToken: ttl.idToken,
      Interaction: ttl.interaction,
      PreAuthorizedCode: 600,
      RefreshToken: ttl.refreshToken,
      Session: ttl.session,
    },
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  return provider;
}

/** Adds what the authorization request asks for to a grant (first-party consent). */
function grantRequested(ctx: KoaContextWithOIDC, grant: GrantLike): void {
  const { oidc } = ctx;
  const scopes = [...oidc.requestParamOIDCScopes].join(' ');
  if (scopes) grant.addOIDCScope(scopes);
  const claims = [...oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  for (const [indicator, rs] of Object.entries(oidc.resourceServers ?? {})) {
    const wanted = [...oidc.requestParamScopes].filter((s) => rs.scopes.has(s));
    grant.addResourceScope(indicator, wanted.join(' '));
  }
}
