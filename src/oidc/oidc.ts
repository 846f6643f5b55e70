import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { SigningKeyService } from '../services/signing-keys.js';
import { createProvider, type ProviderDeps } from './provider.js';

/**
 * Holds the current Provider. Signing keys are read from the database when it is
 * built; `refreshKeys()` (run every minute by the server) rebuilds it after
 * `gatehouse keys rotate`, so every instance picks up a rotation by itself.
 */
export async function createOidc(deps: Omit<ProviderDeps, 'jwks'> & { keys: SigningKeyService; log: Logger }) {
  let fingerprint = await deps.keys.fingerprint();
  let provider = createProvider({ ...deps, jwks: await deps.keys.privateJwks() });
  let callback = provider.callback();

  return {
    provider: (): Provider => provider,
    callback: () => callback,
    async refreshKeys(): Promise<boolean> {
      const now = await deps.keys.fingerprint();
      if (now === fingerprint) return false;
      provider = createProvider({ ...deps, jwks: await deps.keys.privateJwks() });
      callback = provider.callback();
      fingerprint = now;
      deps.log.info('oidc.keys_reloaded');
      return true;
    },
  };
}
export type Oidc = Awaited<ReturnType<typeof createOidc>>;
