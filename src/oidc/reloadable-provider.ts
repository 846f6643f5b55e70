import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { SigningKeysService } from '../services/signing-keys.js';
import { createProvider, type ProviderDeps } from './provider.js';

/**
 * Holds the current Provider. Signing keys and the custom fields shown as claims
 * (oidc-provider fixes the claims of each scope when it is built) are read from
 * the database when it is built; `refreshKeys()` (run on every instance when a
 * rotation or a custom field change is announced, and every minute as the fallback)
 * rebuilds it after `gatehouse keys rotate` or such a change.
 */
export async function createReloadableProvider(
  deps: Omit<ProviderDeps, 'jwks' | 'customClaims'> & {
    keys: SigningKeysService;
    log: Logger;
    /** The keys of the custom fields shown as claims; none when not given. */
    claimKeys?: () => Promise<string[]>;
    /** Counts a successful grant at the token endpoint (services/metrics.ts `tokenIssued`). */
    tokenIssued: (grantType: string) => void;
  },
) {
  let middleware: Middleware[] = [];
  let claimKeys = (await deps.claimKeys?.()) ?? [];
  const build = async () => {
    const p = createProvider({ ...deps, customClaims: claimKeys, jwks: await deps.keys.privateJwks() });
    for (const m of middleware) p.use(m);
    // oidc-provider answers these with a 500 itself; the cause would otherwise be lost.
    // It is kept for http/middleware/database-unavailable.ts (an unavailable database is a 503).
    p.on('server_error', (ctx, err) => {
      ctx.state.serverError = err;
      deps.log.error({ err }, 'oidc.server_error');
    });
    p.on('grant.success', (ctx) => {
      const grantType = ctx.oidc.params?.grant_type;
      if (typeof grantType === 'string') deps.tokenIssued(grantType);
    });
    return p;
  };
  let fingerprint = await deps.keys.fingerprint();
  let provider = await build();
  let callback = provider.callback();
  let refreshing: Promise<boolean> = Promise.resolve(false);
  const refresh = async (): Promise<boolean> => {
    const now = await deps.keys.fingerprint();
    const claims = (await deps.claimKeys?.()) ?? [];
    const newClaims = claims.join(',') !== claimKeys.join(',');
    if (now === fingerprint && !newClaims) return false;
    claimKeys = claims;
    provider = await build();
    callback = provider.callback();
    fingerprint = now;
    deps.log.info(newClaims ? 'oidc.claims_reloaded' : 'oidc.keys_reloaded');
    return true;
  };

  return {
    /** Gatehouse's own middleware, run ahead of the provider's routes (kept across rebuilds). */
    use(list: Middleware[]) {
      middleware = list;
      for (const m of list) provider.use(m);
      callback = provider.callback();
    },
    provider: (): Provider => provider,
    callback: () => callback,
    /**
     * Rebuilds the provider when the keys or the claims changed since it was built; true when it did.
     * One refresh at a time (a change notice and the timer may ask at once): when it resolves, the
     * provider holds what was stored when it was called.
     */
    refreshKeys(): Promise<boolean> {
      const run = refreshing.then(refresh);
      refreshing = run.catch(() => false);
      return run;
    },
  };
}
export type ReloadableProvider = Awaited<ReturnType<typeof createReloadableProvider>>;
