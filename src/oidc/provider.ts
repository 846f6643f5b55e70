import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_MFA, ACR_VALUES } from '../domain/authentication.js';
import { mayIntrospect } from '../policies/introspection.js';
import type { Config } from '../config/config.js';
import type { ClientsRepository } from '../repositories/clients.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { ResourceServersRepository } from '../repositories/resource-servers.js';
import type { AccessTokensService } from '../services/access-tokens.js';
import type { ImpersonationService } from '../services/impersonation.js';
import { systemClock, type Clock } from '../util/clock.js';
import { PAGE_LANGUAGES } from '../domain/page-strings.js';
import { ROLES_SCOPE, type AccountClaims, type AccountFacts } from './account-claims.js';
import { createAdapterClass } from './adapter.js';
import { impersonationHooks } from './impersonation-hooks.js';
import { registerTokenExchange } from './token-exchange.js';
import { defined } from '../util/defined.js';

export interface ProviderDeps {
  config: Config;
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
  payloads: OidcPayloadsRepository;
  clients: ClientsRepository;
  resources: ResourceServersRepository;
  accounts: AccountClaims;
  impersonation: ImpersonationService;
  accessTokens: AccessTokensService;
  /** Keys of the custom fields shown as claims under the profile scope (fixed for this Provider: see reloadable-provider.ts). */
  customClaims?: readonly string[];
  /** The time tokens of an impersonation are cut short against (the impersonation service's clock). */
  clock?: Clock;
  /** The identity provider the user last signed in through (the `idp` claim of a federated sign-in). */
  upstreamOf?: (userId: string) => Promise<string | undefined>;
  /** Queues a back-channel logout at sign-out (services/backchannel-logout.ts); the provider never calls out itself. */
  queueLogout?: (notice: { clientId: string; sub: string; sid: string | null }) => Promise<unknown>;
  pages: {
    /** Answers an error oidc-provider cannot send back to the client (its `renderError`). */
    error: (ctx: KoaContextWithOIDC, out: Record<string, string>, err: unknown) => void;
    logout: (ctx: KoaContextWithOIDC, form: string) => string | Promise<string>;
    loggedOut: (ctx: KoaContextWithOIDC) => string | Promise<string>;
  };
}

/** Access tokens for resource servers are JWTs signed with this (cheaper than RSA). */
const ACCESS_TOKEN_ALG = 'ES256';

type GrantLike = InstanceType<Provider['Grant']>;
type LoadedAccount = { accountId: string; facts?: AccountFacts } | undefined;

/** The admin acting as the user whose account the request loaded, if any. */
const actingAdmin = (ctx: KoaContextWithOIDC | undefined) =>
  (ctx?.oidc.entities.Account as LoadedAccount)?.facts?.impersonation;
/** A lifetime cut short at the end of the impersonation the request is in. */
const untilImpersonationEnds = (ctx: KoaContextWithOIDC | undefined, seconds: number, now: Date) => {
  const acting = actingAdmin(ctx);
  return acting
    ? Math.max(1, Math.min(seconds, Math.floor((acting.expiresAt.getTime() - now.getTime()) / 1000)))
    : seconds;
};

/** First-party clients (`--first-party`) never show a consent page and may use first-party-only APIs. */
export function isFirstParty(client: { metadata(): Record<string, unknown> } | undefined): boolean {
  return client?.metadata().first_party === true;
}

/** The oidc-provider configuration: every behaviour Gatehouse relies on is set here. */
export function createProvider(deps: ProviderDeps): Provider {
  const { config, accounts, resources, clock = systemClock } = deps;
  const ttl = config.ttl;

  const adminApi = `${config.issuer}/admin/api`;
  /** A first-party-only API serves first-party clients; the admin API also serves service accounts (their role is the operator's trust). */
  const mayReach = (indicator: string, client: Parameters<typeof isFirstParty>[0]) =>
    isFirstParty(client) || (indicator === adminApi && client?.metadata().service_account === true);
  const resourceServerInfo = async (_ctx: unknown, indicator: string, client: Parameters<typeof isFirstParty>[0]) => {
    const rs = await resources.find(indicator);
    if (!rs || (rs.firstPartyOnly && !mayReach(indicator, client))) throw new errors.InvalidTarget();
    return {
      scope: rs.scopes.join(' '),
      audience: indicator,
      accessTokenTTL: rs.accessTokenTtl ?? ttl.apiAccessToken,
      accessTokenFormat: 'jwt' as const,
      jwt: { sign: { alg: ACCESS_TOKEN_ALG } as const },
    };
  };
  const toAccount = (facts: AccountFacts, idp?: string) => ({
    accountId: facts.user.id,
    facts,
    claims: async () => ({ ...(await accounts.claims(facts, deps.customClaims)), ...(idp && { idp }) }),
  });
  /** `idp`: the provider of a sign-in through an organisation's identity provider (`amr` has `fed`). */
  const idpOf = async (userId: string, amr: readonly string[] | undefined) =>
    amr?.includes('fed') ? deps.upstreamOf?.(userId) : undefined;

  // OIDC Core §3.1.2.1 and RP-Initiated Logout §2: POST at /auth and /session/end. A form posted from
  // the client's site must carry the session cookie: SameSite=None, which browsers take only with Secure,
  // so only behind an https issuer. Plain http (development) keeps Lax cookies and GET alone.
  const https = config.issuer.startsWith('https:');
  const sameSite = https ? 'none' : 'lax';

  const configuration: Configuration = {
    adapter: createAdapterClass(deps.payloads, deps.clients),
    clients: [],
    jwks: deps.jwks as Configuration['jwks'],
    enableHttpPostMethods: https,
    // oidc-provider's own dispatcher refuses private addresses (SSRF): dropped only when OUTBOUND_ALLOW_PRIVATE allows them.
    ...(config.outbound.allowPrivate && {
      fetch: (url, init) => fetch(url, { ...init, dispatcher: undefined } as RequestInit),
    }),
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite },
      short: { signed: true, httpOnly: true, sameSite },
    },
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time', 'act', 'idp'],
      email: ['email', 'email_verified'],
      profile: [
        'name',
        'given_name',
        'middle_name',
        'family_name',
        'preferred_username',
        'locale',
        'zoneinfo',
        'updated_at',
        ...(deps.customClaims ?? []),
      ],
      [ROLES_SCOPE]: ['roles', 'main_role', 'main_account_id', 'role_assignments', 'licences'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', ROLES_SCOPE],
    // The pages speak these (ui_locales of an authorization request chooses among them).
    discovery: { ui_locales_supported: [...PAGE_LANGUAGES] },
    // Role claims belong in the ID token too, not only in userinfo.
    conformIdTokenClaims: false,
    extraClientMetadata: { properties: ['first_party', 'resource_server', 'service_account'] },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code'],
    // Browsers may call the token endpoint (public clients) and userinfo from a client's own origins.
    clientBasedCORS: (ctx, origin, client) =>
      (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') &&
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    features: {
      devInteractions: { enabled: false },
      // A client introspects its own tokens, and a resource server (`resource_server`) those for it; others get `{"active": false}`.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          mayIntrospect(
            { clientId: client.clientId, resourceServer: client.metadata().resource_server as string | undefined },
            { clientId: token.clientId, aud: (token as { aud?: string | string[] }).aud },
          ),
      },
      // RFC 7009 §2.1: a client revokes only tokens issued to it; another client's token is refused, not ignored.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId !== client.clientId)
            throw new errors.UnauthorizedClient('the token was not issued to this client');
          return true;
        },
      },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      // Clients may register `backchannel_logout_uri`; the logout tokens go from a queue (queueLogouts below).
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = await deps.pages.logout(ctx, form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = await deps.pages.loggedOut(ctx);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        // A token request without `resource` gets the one granted at authorization.
        useGrantedResource: async () => true,
        getResourceServerInfo: resourceServerInfo,
      },
    },
    /**
     * The user, and the admin acting as them: found by the token's grant (token
     * exchange) or by the session (interactive). An impersonation that has ended
     * finds no account, so nothing more is issued under it.
     */
    async findAccount(ctx, sub, token) {
      const t = token as { kind?: string; grantId?: string; sessionUid?: string } | undefined;
      const grantId = t?.grantId;
      const sessionUid = t?.sessionUid ?? ctx.oidc.session?.uid;
      // Refresh tokens are never issued while impersonating: only the others can belong to one.
      const lookup = t?.kind !== 'RefreshToken' && (grantId || sessionUid);
      const [facts, acting] = await Promise.all([
        accounts.findActive(sub),
        lookup ? deps.impersonation.forToken({ accountId: sub, grantId, sessionUid }) : undefined,
      ]);
      if (!facts || acting === 'ended') return undefined;
      const idp = await idpOf(sub, (token as { amr?: string[] } | undefined)?.amr ?? ctx.oidc.session?.amr);
      return toAccount(acting ? { ...facts, impersonation: acting } : facts, idp);
    },
    /**
     * Access tokens (JWT, or introspection of opaque ones) say how the person signed
     * in (`amr`, `acr`: from the code or refresh token, or the exchange's actor
     * token), who acts as the user (`act`), and the roles when `roles` was granted.
     */
    async extraTokenClaims(ctx, token) {
      if (!('accountId' in token) || !token.accountId) return undefined;
      const { entities } = ctx.oidc;
      const source = (entities.AuthorizationCode ?? entities.RefreshToken ?? entities.ActorToken) as
        | { amr?: string[]; acr?: string }
        | undefined;
      const loaded = entities.Account as LoadedAccount;
      const known = loaded?.accountId === token.accountId ? loaded.facts : undefined;
      const grant = entities.Grant as GrantLike | undefined;
      const granted = `${token.scope ?? ''} ${grant?.getOIDCScope() ?? ''}`.split(' ');
      // The account the request already loaded, else a fresh read.
      const facts = granted.includes(ROLES_SCOPE) ? (known ?? (await accounts.findActive(token.accountId))) : undefined;
      return {
        amr: source?.amr,
        acr: source?.acr,
        idp: await idpOf(token.accountId, source?.amr),
        act: known && accounts.actClaim(known),
        ...(facts && accounts.roleClaims(facts)),
      };
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
    // Never while an admin acts as the user.
    issueRefreshToken: async (ctx, client, code) =>
      !actingAdmin(ctx) && client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    // OIDC Core §3.1.2.1: redirect_uri is required, even when the client has only one.
    allowOmittingSingleRegisteredRedirectUri: false,
    acrValues: [...ACR_VALUES],
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: signInPolicy() },
    renderError: async (ctx, out, err) => deps.pages.error(ctx, out as unknown as Record<string, string>, err),
    ttl: {
      AccessToken: (ctx, token) =>
        untilImpersonationEnds(ctx, token.resourceServer?.accessTokenTTL ?? ttl.accessToken, clock.now()),
      AuthorizationCode: ttl.authorizationCode,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.clientCredentials,
      DeviceCode: 600,
      Grant: Math.max(ttl.refreshToken, ttl.session),
      IdToken: (ctx) => untilImpersonationEnds(ctx, ttl.idToken, clock.now()),
      Interaction: ttl.interaction,
      PreAuthorizedCode: 600,
      RefreshToken: ttl.refreshToken,
      Session: ttl.session,
    },
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  registerTokenExchange(provider, {
    clock,
    impersonation: deps.impersonation,
    accessTokens: deps.accessTokens,
    resourceServerInfo,
    account: toAccount,
    oidcScopes: [...(configuration.scopes ?? [])].filter((scope) => scope !== 'offline_access'),
  });
  provider.use(impersonationHooks(deps.impersonation));
  acceptPreviousSecrets(provider, deps.clients, clock);
  reuseClients(provider, deps.clients);
  if (deps.queueLogout) queueLogouts(provider, deps.queueLogout);
  return provider;
}

/**
 * At sign-out oidc-provider calls each client's `backchannelLogout(sub, sid)` and
 * waits for its POST. Here it queues the notice instead (a durable job, retried):
 * the sign-out neither waits for applications nor loses a notice to a restart.
 */
function queueLogouts(provider: Provider, queue: NonNullable<ProviderDeps['queueLogout']>) {
  type WithLogout = { clientId: string; backchannelLogout(sub: string, sid: string): Promise<void> };
  const prototype = provider.Client.prototype as unknown as WithLogout;
  prototype.backchannelLogout = async function (this: WithLogout, sub: string, sid: string) {
    await queue({ clientId: this.clientId, sub, sid: sid ?? null });
  };
}

/**
 * A rotated secret stays valid for its grace period beside the new one
 * (`client rotate-secret --grace`): oidc-provider knows one secret per client, so
 * a secret that is not the current one is checked against the previous one's hash.
 */
function acceptPreviousSecrets(provider: Provider, clients: Pick<ClientsRepository, 'isPreviousSecret'>, clock: Clock) {
  type WithSecret = { clientId: string; compareClientSecret(actual: string): boolean | Promise<boolean> };
  const prototype = provider.Client.prototype as unknown as WithSecret;
  const current = prototype.compareClientSecret;
  prototype.compareClientSecret = async function (this: WithSecret, actual: string) {
    return (await current.call(this, actual)) || clients.isPreviousSecret(this.clientId, actual, clock.now());
  };
}

/**
 * oidc-provider finds a stored client by hashing its JSON properties at every request
 * (to reuse the Client it built from them). The registry's cache hands out the same
 * properties object until the client changes: the Client built from that object is
 * reused without the hash, and a changed client (a new object) is built anew.
 */
function reuseClients(provider: Provider, clients: Pick<ClientsRepository, 'findForProvider'>) {
  type Find = (id: string) => Promise<unknown>;
  const Client = provider.Client as unknown as { find: Find };
  const find: Find = Client.find.bind(Client);
  const built = new WeakMap<object, unknown>();
  Client.find = async (id: string) => {
    const properties = typeof id === 'string' && id ? await clients.findForProvider(id) : undefined;
    if (!properties) return find(id);
    let client = built.get(properties);
    if (!client) {
      client = await find(id);
      if (client) built.set(properties, client);
    }
    return client;
  };
}

/**
 * oidc-provider's prompts, plus a step-up: a client asking for MFA with
 * `acr_values` gets a new sign-in when the session's was password-only.
 */
function signInPolicy() {
  const { base, Check } = interactionPolicy;
  const policy = base();
  defined(policy.get('login'), 'the login prompt').checks.add(
    new Check('acr_step_up', 'multi-factor authentication is required', (ctx) => {
      const { oidc } = ctx;
      const wanted = String(oidc.params?.acr_values ?? '')
        .split(' ')
        .includes(ACR_MFA);
      return wanted && oidc.session?.acr !== ACR_MFA && !oidc.result?.login
        ? Check.REQUEST_PROMPT
        : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
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
