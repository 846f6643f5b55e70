import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningKeyRow, SigningKeysRepository } from '../repositories/signing-keys.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { SecretBox } from '../util/crypto.js';

/**
 * RS256 signs ID tokens (the OIDC default every client understands); ES256 signs
 * JWT access tokens (much cheaper to make). Private keys are sealed at rest.
 */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;

export interface Jwk extends Record<string, unknown> {
  kid: string;
  alg: string;
  use: 'sig';
}

export function createSigningKeysService(deps: { keys: SigningKeysRepository; box: SecretBox; clock?: Clock }) {
  const { keys, box, clock = systemClock } = deps;

  async function generate(alg: string) {
    const { privateKey, publicKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
    await keys.insert({
      kid,
      alg,
      publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
      privateJwkEncrypted: box.seal(JSON.stringify(privateJwk), kid),
    });
    return kid;
  }

  const open = (row: SigningKeyRow): Jwk => JSON.parse(box.open(row.privateJwkEncrypted, row.kid));

  return {
    /** Makes the keys that are missing (first start). Returns the new kids. */
    async ensure(): Promise<string[]> {
      const published = await keys.published();
      const made: string[] = [];
      for (const alg of SIGNING_ALGS)
        if (!published.some((k) => k.alg === alg && k.state === 'active')) made.push(await generate(alg));
      return made;
    },
    /**
     * New active keys for every algorithm; the old ones stay in JWKS for
     * `publishSeconds`, the longest lifetime of a token they signed.
     */
    async rotate(publishSeconds: number): Promise<{ retired: string[]; created: string[] }> {
      const until = new Date(clock.now().getTime() + publishSeconds * 1000);
      const retired: string[] = [];
      const created: string[] = [];
      for (const alg of SIGNING_ALGS) {
        retired.push(...(await keys.retireActive(alg, until)));
        created.push(await generate(alg));
      }
      return { retired, created };
    },
    /** Private JWKs for oidc-provider, the active key of each algorithm first. */
    async privateJwks(): Promise<{ keys: Jwk[] }> {
      return { keys: (await keys.published()).map(open) };
    },
    /** The published public keys (JWKS), to verify Gatehouse's own tokens. */
    publicJwks: async () => (await keys.published()).map((k) => k.publicJwk),
    fingerprint: () => keys.fingerprint(),
  };
}
export type SigningKeysService = ReturnType<typeof createSigningKeysService>;
