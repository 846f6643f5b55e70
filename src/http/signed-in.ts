import type { Context } from 'koa';
import type Provider from 'oidc-provider';

/** The user of the browser's Gatehouse session, if it is signed in. */
export async function signedInUser(provider: () => Provider, ctx: Context): Promise<string | undefined> {
  return (await provider().Session.get(ctx as never)).accountId;
}

/** The signed-in user of a self-service page; otherwise the browser is sent to sign in and come back to `back` (undefined). */
export async function selfServicePageUser(
  provider: () => Provider,
  ctx: Context,
  back: string,
): Promise<string | undefined> {
  const userId = await signedInUser(provider, ctx);
  if (!userId) ctx.redirect(`/account/login?return=${back}`);
  return userId;
}
