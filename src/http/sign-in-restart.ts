import type { Context } from 'koa';

const COOKIE = 'gh_restart';
/** A request larger than this (a long `claims` parameter …) is not kept: its expiry shows the plain page instead. */
const MAX_CHARS = 3000;

const OPTIONS = { signed: true, httpOnly: true, sameSite: 'lax', path: '/', overwrite: true } as const;

/**
 * The authorization request of the sign-in on screen, kept in a signed HttpOnly
 * cookie for the browser session (as Keycloak's KC_RESTART): when the sign-in has
 * expired, the browser is sent to `/auth` with the same request and starts again.
 */
export function keepRestart(ctx: Context, uid: string, params: Record<string, unknown>): void {
  const query = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string'),
  ).toString();
  if (query.length > MAX_CHARS) return;
  const value = Buffer.from(JSON.stringify({ uid, query })).toString('base64url');
  ctx.cookies.set(COOKIE, value, { ...OPTIONS, secure: ctx.secure });
}

/**
 * Where the expired sign-in `uid` starts again (`/auth?…`), if this browser kept
 * its request (`'any'`: whichever sign-in it kept). Taken once: the cookie is dropped, so a browser that loses its
 * cookies gets the plain page instead of going round in circles.
 */
export function takeRestart(ctx: Context, uid: string | undefined | 'any'): string | undefined {
  const value = ctx.cookies.get(COOKIE, { signed: true });
  if (!value) return undefined;
  ctx.cookies.set(COOKIE, null, { ...OPTIONS, secure: ctx.secure });
  try {
    const kept = JSON.parse(Buffer.from(value, 'base64url').toString()) as { uid?: unknown; query?: unknown };
    return (uid === 'any' || kept.uid === uid) && typeof kept.query === 'string' ? `/auth?${kept.query}` : undefined;
  } catch {
    return undefined;
  }
}
