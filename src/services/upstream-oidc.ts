import { createRemoteJWKSet, customFetch, type FetchImplementation, importJWK, jwtVerify, type JWK } from 'jose';
import * as client from 'openid-client';
import type { IdentityProvider, OidcSecrets } from '../domain/identity-provider.js';
import type { UpstreamFailure } from '../domain/sign-in-attempt.js';
import type { UpstreamIdentity } from '../domain/upstream-identity.js';

/** What the browser carries between the start and the callback (sealed in a cookie: routes/federation.ts). */
export interface UpstreamTransaction {
  state: string;
  nonce: string;
  /** The PKCE verifier (none when the provider has PKCE turned off). */
  verifier?: string;
}

/** A refused upstream answer: `upstream_error` (the upstream said no or was unreachable) or `upstream_invalid`. */
export class UpstreamRefusal extends Error {
  constructor(
    readonly reason: Exclude<UpstreamFailure, 'upstream_unknown_user'>,
    message: string,
  ) {
    super(message);
  }
}

type Upstream = { config: client.Configuration; keys: ReturnType<typeof createRemoteJWKSet> };

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * Upstream OpenID Connect with openid-client: discovery (kept per provider version),
 * the authorization URL with state, nonce and PKCE, and the callback: the code
 * exchanged and the ID token validated by openid-client (iss, aud, exp, iat, nonce,
 * azp), its signature checked against the upstream's JWKS (fetched again when a
 * token names a key not yet known: the upstream's key rotation), the claims mapped
 * into an `UpstreamIdentity`.
 */
export function createUpstreamOidcService(deps: {
  secrets: (provider: IdentityProvider) => Promise<OidcSecrets>;
  /** Where the upstream sends the browser back (`<ISSUER>/federation/<name>/callback`). */
  redirectUri: (name: string) => string;
  /** Plain-http upstreams (development and tests). */
  allowHttp: boolean;
  /** How Gatehouse calls out: private addresses refused unless allowed (services/outbound-http.ts). */
  fetch: (
    url: string,
    init?: { method?: string; headers?: HeadersInit; body?: unknown; signal?: AbortSignal },
  ) => Promise<Response>;
  timeoutSeconds?: number;
}) {
  const cache = new Map<string, Promise<Upstream>>();

  async function discover(provider: IdentityProvider): Promise<Upstream> {
    const oidc = provider.oidc;
    if (!oidc) throw new UpstreamRefusal('upstream_error', `${provider.name} is not an OpenID Connect provider`);
    const { clientSecret, privateKey } = await deps.secrets(provider);
    const auth =
      oidc.tokenAuth === 'private_key_jwt' && privateKey
        ? client.PrivateKeyJwt({
            key: (await importJWK(JSON.parse(privateKey) as JWK)) as CryptoKey,
            kid: (JSON.parse(privateKey) as JWK).kid,
          })
        : oidc.tokenAuth === 'client_secret_post'
          ? client.ClientSecretPost(clientSecret ?? '')
          : client.ClientSecretBasic(clientSecret ?? '');
    const config = await client.discovery(new URL(oidc.issuer), oidc.clientId, undefined, auth, {
      execute: deps.allowHttp && oidc.issuer.startsWith('http:') ? [client.allowInsecureRequests] : [],
      timeout: deps.timeoutSeconds ?? 10,
      [client.customFetch]: deps.fetch as client.CustomFetch,
    });
    const jwksUri = config.serverMetadata().jwks_uri;
    if (!jwksUri) throw new UpstreamRefusal('upstream_error', `${provider.name} publishes no jwks_uri`);
    // A key id not in the set fetches it again at once: a rotation upstream is followed without delay.
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: 0,
      [customFetch]: deps.fetch as FetchImplementation,
    });
    return { config, keys };
  }

  /** The provider's discovery, kept until the provider changes; a failed one is tried again next time. */
  function upstream(provider: IdentityProvider): Promise<Upstream> {
    const key = `${provider.id}:${provider.updatedAt.getTime()}`;
    let found = cache.get(key);
    if (!found) {
      for (const k of cache.keys()) if (k.startsWith(`${provider.id}:`)) cache.delete(k);
      found = discover(provider).catch((err) => {
        cache.delete(key);
        throw err instanceof UpstreamRefusal
          ? err
          : new UpstreamRefusal('upstream_error', `${provider.displayName} could not be reached`);
      });
      cache.set(key, found);
    }
    return found;
  }

  function identityOf(provider: IdentityProvider, claims: Record<string, unknown>): UpstreamIdentity {
    const { mapping } = provider;
    const email = text(claims[mapping.email])?.toLowerCase();
    const inVerifiedDomain = provider.domains.some((d) => d.verified && email?.endsWith(`@${d.domain}`));
    return {
      subject: String(claims.sub),
      email,
      emailVerified: claims.email_verified === true || (mapping.trustEmail && inVerifiedDomain),
      givenName: text(claims[mapping.givenName]),
      familyName: text(claims[mapping.familyName]),
      groups: strings(claims[mapping.groups]),
      amr: strings(claims.amr),
      sessionId: text(claims.sid),
    };
  }

  return {
    /** Where to send the browser, and what it must bring back. */
    async start(
      provider: IdentityProvider,
      options: { loginHint?: string } = {},
    ): Promise<{ url: URL; transaction: UpstreamTransaction }> {
      const { config } = await upstream(provider);
      const oidc = provider.oidc as NonNullable<IdentityProvider['oidc']>;
      const transaction: UpstreamTransaction = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        ...(oidc.pkce && { verifier: client.randomPKCECodeVerifier() }),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: deps.redirectUri(provider.name),
        scope: oidc.scopes.join(' '),
        state: transaction.state,
        nonce: transaction.nonce,
        ...(transaction.verifier && {
          code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
          code_challenge_method: 'S256',
        }),
        ...(options.loginHint && { login_hint: options.loginHint }),
      });
      return { url, transaction };
    },

    /** The person the upstream signed in, from its answer at `currentUrl`; throws UpstreamRefusal. */
    async callback(provider: IdentityProvider, currentUrl: URL, transaction: UpstreamTransaction) {
      const { config, keys } = await upstream(provider);
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, currentUrl, {
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          pkceCodeVerifier: transaction.verifier,
          idTokenExpected: true,
        });
      } catch (err) {
        if (err instanceof client.AuthorizationResponseError)
          throw new UpstreamRefusal(
            'upstream_error',
            `${provider.displayName} answered: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`,
          );
        if (err instanceof client.ResponseBodyError)
          throw new UpstreamRefusal('upstream_error', `${provider.displayName} refused the code: ${err.error}`);
        throw new UpstreamRefusal('upstream_invalid', (err as Error).message);
      }
      try {
        await jwtVerify(tokens.id_token as string, keys, {
          issuer: config.serverMetadata().issuer,
          audience: config.clientMetadata().client_id,
        });
      } catch (err) {
        throw new UpstreamRefusal('upstream_invalid', `the ID token's signature: ${(err as Error).message}`);
      }
      const claims: Record<string, unknown> = { ...tokens.claims() };
      // Claims the ID token leaves out (some providers send the profile by userinfo only).
      if (claims[provider.mapping.email] === undefined && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)).catch((err) => {
          throw new UpstreamRefusal('upstream_error', `${provider.displayName} userinfo: ${(err as Error).message}`);
        });
        for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v;
      }
      return identityOf(provider, claims);
    },

    /** The upstream's RP-initiated logout, where its discovery has an end_session_endpoint. */
    async endSessionUrl(provider: IdentityProvider, postLogoutRedirectUri?: string): Promise<URL | undefined> {
      const { config } = await upstream(provider);
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, {
        client_id: config.clientMetadata().client_id,
        ...(postLogoutRedirectUri && { post_logout_redirect_uri: postLogoutRedirectUri }),
      });
    },
  };
}
export type UpstreamOidcService = ReturnType<typeof createUpstreamOidcService>;
