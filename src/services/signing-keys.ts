import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { Transact } from '../db/database.js';
import type { SigningKeyRow, SigningKeysRepository } from '../repositories/signing-keys.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { SecretBox } from '../util/crypto.js';

/**
 * RS256 signs ID tokens (the OIDC default every client understands); ES256 signs
 * JWT access tokens (much cheaper to make). Private keys are sealed at rest. New
 * keys are made first, then stored (and the old ones retired) in one transaction,
 * so no instance ever reloads a set without an active key of each algorithm.
 */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;

export interface Jwk extends Record<string, unknown> {
  kid: string;
  alg: string;
  use: 'sig';
}

export function createSigningKeysService(deps: {
  keys: SigningKeysRepository;
  box: SecretBox;
  transact: Transact;
  clock?: Clock;
}) {
  const { keys, box, transact, clock = systemClock } = deps;

  async function generate(alg: string) {
    const { privateKey, publicKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
    return {
      kid,
      alg,
      publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
      privateJwkEncrypted: box.seal(JSON.stringify(privateJwk), kid),
    };
  }

  /** New keys of these algorithms, stored in one transaction; the active ones retired until `retireUntil` first when given. */
  async function replace(algs: readonly string[], retireUntil?: Date) {
    const made = await Promise.all(algs.map(generate));
    const retired = await transact(async (trx) => {
      const old: string[] = [];
      for (const key of made) {
        if (retireUntil) old.push(...(await keys.retireActive(key.alg, retireUntil, trx)));
        await keys.insert(key, trx);
      }
      return old;
    });
    return { retired, created: made.map((k) => k.kid) };
  }

  const open = (row: SigningKeyRow): Jwk => JSON.parse(box.open(row.privateJwkEncrypted, row.kid));

  return {
    /** Makes the keys that are missing (first start). Returns the new kids. */
    async ensure(): Promise<string[]> {
      const published = await keys.published();
      const missing = SIGNING_ALGS.filter((alg) => !published.some((k) => k.alg === alg && k.state === 'active'));
      return missing.length ? (await replace(missing)).created : [];
    },
    /**
     * New active keys for every algorithm; the old ones stay in JWKS for
     * `publishSeconds`, the longest lifetime of a token they signed.
     */
    async rotate(publishSeconds: number): Promise<{ retired: string[]; created: string[] }> {
      return replace(SIGNING_ALGS, new Date(clock.now().getTime() + publishSeconds * 1000));
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
