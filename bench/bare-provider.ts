/**
 * Bare oidc-provider (the version Gatehouse runs) with its in-memory adapter (its store
 * made large enough to keep every token of a run), set up
 * as Gatehouse is for the bench's client and API: client_secret_basic, client
 * credentials, an API (resource indicator) whose access tokens are ES256 JWTs,
 * opaque tokens without a resource, RS256 ID tokens, refresh tokens with rotation.
 * The one interaction signs the bench's user in and grants what was asked, so that
 * refresh tokens come from an authorization-code grant as in Gatehouse.
 * Started by bench/vs-bare.ts; it listens on BARE_PORT and answers nothing else.
 *
 *   BARE_PORT  BARE_CLIENT_ID  BARE_CLIENT_SECRET  BARE_REDIRECT_URI  BARE_RESOURCE
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

const env = process.env;
const PORT = Number(env.BARE_PORT);
const ISSUER = `http://127.0.0.1:${PORT}`;
const RESOURCE = env.BARE_RESOURCE!;
const SUB = 'bench-user';

// The library's in-memory adapter keeps 1,000 to 2,000 entries per provider (an LRU): under a load
// of opaque tokens it would drop the refresh tokens and grants. The same adapter, over a store that
// keeps all.
type Lru = new (options: { maxSize: number }) => unknown;
type Memory = new (model: string, store: unknown) => unknown;
const { default: LRU } = (await import('oidc-provider/lib/helpers/lru.js' as string)) as { default: Lru };
const { default: MemoryAdapter } = (await import('oidc-provider/lib/adapters/memory_adapter.js' as string)) as {
  default: Memory;
};
const store = new LRU({ maxSize: 50_000_000 });

const jwk = async (alg: 'RS256' | 'ES256') => {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: alg.toLowerCase() };
};

const provider = new Provider(ISSUER, {
  adapter: ((model: string) => new MemoryAdapter(model, store)) as never,
  clients: [
    {
      client_id: env.BARE_CLIENT_ID!,
      client_secret: env.BARE_CLIENT_SECRET!,
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: [env.BARE_REDIRECT_URI!],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [await jwk('RS256'), await jwk('ES256')] },
  cookies: { keys: ['bare-provider-cookie-key-0123456789'] },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  scopes: ['openid', 'offline_access'],
  responseTypes: ['code'],
  rotateRefreshToken: true,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: 'read write',
          audience: indicator,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
});

// The sign-in page's stand-in: the bench's user, who grants whatever the client asked.
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/interaction/')) return next();
  const { params } = await provider.interactionDetails(ctx.req, ctx.res);
  const grant = new provider.Grant({ accountId: SUB, clientId: String(params.client_id) });
  grant.addOIDCScope(String(params.scope));
  const grantId = await grant.save();
  ctx.redirect(
    await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: SUB }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    ),
  );
});

const server = createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(PORT, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
