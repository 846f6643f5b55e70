import type { Context } from 'koa';
import type { UpstreamTransaction } from '../services/upstream-oidc.js';
import type { SecretBox } from '../util/crypto.js';
import type { Clock } from '../util/clock.js';

const COOKIE = 'gatehouse_federation';
const PATH = '/federation/';

/** What the browser carries to the upstream and back: the provider, the interaction, state, nonce, PKCE verifier. */
export interface FederationTransaction extends UpstreamTransaction {
  provider: string;
  uid: string;
  /** Seconds since the epoch: the interaction's end. */
  exp: number;
}

/**
 * The upstream sign-in in progress, kept in the browser that started it: sealed
 * (AES-GCM, so it can be neither read nor forged), HttpOnly, SameSite=Lax (the
 * upstream's redirect back is a top-level GET), only sent to `/federation/`, read
 * once. It binds the callback to the browser that holds the interaction.
 */
export function createFederationTransactions(deps: { box: SecretBox; clock: Clock }) {
  const now = () => Math.floor(deps.clock.now().getTime() / 1000);
  return {
    keep(ctx: Context, transaction: FederationTransaction): void {
      ctx.cookies.set(COOKIE, deps.box.seal(JSON.stringify(transaction), COOKIE), {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secure,
        path: PATH,
        maxAge: Math.max(1, transaction.exp - now()) * 1000,
        overwrite: true,
      });
    },
    /** The transaction of `provider` this browser holds (then forgotten), if it is still valid. */
    take(ctx: Context, provider: string): FederationTransaction | undefined {
      const sealed = ctx.cookies.get(COOKIE);
      if (!sealed) return undefined;
      ctx.cookies.set(COOKIE, '', { path: PATH, maxAge: 0, httpOnly: true, sameSite: 'lax', overwrite: true });
      try {
        const t = JSON.parse(deps.box.open(sealed, COOKIE)) as FederationTransaction;
        return t.provider === provider && t.exp > now() ? t : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
export type FederationTransactions = ReturnType<typeof createFederationTransactions>;
