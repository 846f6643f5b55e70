import type { KoaContextWithOIDC } from 'oidc-provider';
import type { IdentityProvider } from '../domain/identity-provider.js';

const COOKIE = 'gatehouse_upstream_logout';

/**
 * RP-initiated logout at the upstream, offered after Gatehouse's own sign-out:
 * when the session being ended came from an identity provider (`amr` has `fed`)
 * whose discovery has an `end_session_endpoint`, the sign-out page remembers it
 * (a short-lived HttpOnly cookie: the session is gone by the next page) and the
 * signed-out page offers "Sign out of … too" (`/federation/<name>/logout`).
 */
export function createFederationLogout(deps: {
  lastProviderOf: (userId: string) => Promise<string | undefined>;
  enabled: (name: string) => Promise<IdentityProvider | undefined>;
  endSessionUrl: (provider: IdentityProvider) => Promise<URL | undefined>;
}) {
  const options = { httpOnly: true, sameSite: 'lax' as const, path: '/', overwrite: true };
  return {
    /** On the sign-out page: remembers the upstream of the session being ended, if it has a logout. */
    async remember(ctx: KoaContextWithOIDC): Promise<void> {
      const session = ctx.oidc.session;
      if (!session?.accountId || !session.amr?.includes('fed')) return;
      const name = await deps.lastProviderOf(session.accountId);
      const provider = name ? await deps.enabled(name) : undefined;
      if (provider?.type !== 'oidc' || !(await deps.endSessionUrl(provider).catch(() => undefined))) return;
      ctx.cookies.set(COOKIE, provider.name, { ...options, maxAge: 10 * 60 * 1000, secure: ctx.secure });
    },
    /** On the signed-out page: the upstream to offer a sign-out at (then forgotten). */
    async offer(ctx: KoaContextWithOIDC): Promise<{ href: string; displayName: string } | undefined> {
      const name = ctx.cookies.get(COOKIE);
      if (!name) return undefined;
      ctx.cookies.set(COOKIE, '', { ...options, maxAge: 0 });
      const provider = await deps.enabled(name);
      return provider && { href: `/federation/${provider.name}/logout`, displayName: provider.displayName };
    },
  };
}
