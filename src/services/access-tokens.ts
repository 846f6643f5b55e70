import { createLocalJWKSet, errors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { systemClock, type Clock } from '../util/clock.js';
import { createTtlCache } from '../util/ttl-cache.js';
import { defined } from '../util/defined.js';

export interface AccessTokensDeps {
  issuer: string;
  /** Gatehouse's published public signing keys (JWKS). */
  publicJwks: () => Promise<JWK[]>;
  clock?: Clock;
}

/**
 * Verifies Gatehouse's own JWT access tokens (RFC 9068, `typ: at+jwt`) against
 * its published keys, read at most once a minute, again (at most once a second)
 * when a token names a key made by a rotation since, and after `forgetKeys` (a
 * rotation announced).
 */
export function createAccessTokensService(deps: AccessTokensDeps) {
  const { clock = systemClock } = deps;
  const jwks = createTtlCache<ReturnType<typeof createLocalJWKSet>>(60_000, 1, clock);
  let readAt = 0;
  const readKeys = async () => {
    readAt = clock.now().getTime();
    return createLocalJWKSet({ keys: await deps.publicJwks() });
  };
  const keySet = async () => defined(await jwks.get('jwks', readKeys), 'the key set');
  const verify = async (token: string, audience?: string) =>
    jwtVerify(token, await keySet(), { issuer: deps.issuer, audience, typ: 'at+jwt' });

  return {
    /** The published keys changed: read them again at the next verification. */
    forgetKeys: () => jwks.clear(),
    /**
     * The claims of a valid token (for `audience` when given, for any otherwise), or undefined.
     * Failing to read the keys is not an invalid token: that error is thrown (a database outage is a 503, not a 401).
     */
    async verify(token: string, audience?: string): Promise<JWTPayload | undefined> {
      try {
        const { payload } = await verify(token, audience).catch(async (err: { code?: string }) => {
          if (err.code !== 'ERR_JWKS_NO_MATCHING_KEY' || clock.now().getTime() - readAt < 1000) throw err;
          jwks.delete('jwks');
          return verify(token, audience);
        });
        return payload;
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}
export type AccessTokensService = ReturnType<typeof createAccessTokensService>;

/** Whether a value looks like a JWT (three base64url parts) rather than an opaque token. */
export function isJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}
