import type { Context, Next } from 'koa';
import { isMailLanguage } from '../domain/mail-templates.js';
import type { PageLanguage } from '../domain/page-strings.js';
import { choosePageLanguage } from '../policies/page-language.js';

/** The language switcher's cookie: the browser's own choice, read by every page. */
const COOKIE = 'gh_lang';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** `?lang=` when it names a shipped language. */
const asked = (ctx: Context) => {
  const lang = ctx.query.lang;
  return isMailLanguage(lang) ? lang : undefined;
};

/**
 * The language switcher (links with `?lang=xx`, no script): a page asked with a
 * shipped language keeps it in a cookie for the pages after it.
 */
export async function languageSwitch(ctx: Context, next: Next) {
  const lang = asked(ctx);
  if (lang)
    ctx.cookies.set(COOKIE, lang, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      path: '/',
      maxAge: YEAR_MS,
      overwrite: true,
    });
  await next();
}

/** A route that knows whose page it renders: their languages come before the request's. */
export function knowUser(
  ctx: Context,
  user: { preferredLanguage?: string | null; locale?: string | null } | undefined,
): void {
  if (user) ctx.state.userLanguages = [user.preferredLanguage, user.locale];
}

/** A route that knows the authorization request: its `ui_locales`. */
export function knowUiLocales(ctx: Context, uiLocales: unknown): void {
  if (typeof uiLocales === 'string') ctx.state.uiLocales = uiLocales;
}

/** The language of the page this request gets (policies/page-language.ts decides). */
export function pageLanguage(ctx: Context, fallback: string): PageLanguage {
  const cookie = ctx.cookies.get(COOKIE);
  const oidcParams = (ctx as { oidc?: { params?: { ui_locales?: unknown } } }).oidc?.params;
  const uiLocales = ctx.state.uiLocales ?? oidcParams?.ui_locales;
  return choosePageLanguage({
    chosen: asked(ctx) ?? (isMailLanguage(cookie) ? cookie : undefined),
    user: ctx.state.userLanguages,
    uiLocales: typeof uiLocales === 'string' ? uiLocales : undefined,
    acceptLanguage: ctx.get('accept-language'),
    fallback,
  });
}
