import { Eta } from 'eta';
import type { Context } from 'koa';
import { LANGUAGE_NAMES, PAGE_LANGUAGES } from '../domain/page-strings.js';
import type { Branding } from '../domain/settings.js';
import { pageCsp } from './middleware/security-headers.js';
import { pageLanguage } from './page-language.js';
import { pageText } from './page-text.js';
import { assetUrls } from './routes/assets.js';
import { brandingStylesheetUrl } from './routes/branding.js';
import type { LayoutModel, View, ViewModels } from './view-models.js';
import { packagePath } from '../util/package-path.js';

const VIEWS = packagePath('views');

/** The origin of an image URL, for the page's CSP `img-src` (none for a missing or odd one). */
const originOf = (url: string | null | undefined) => (url ? (URL.parse(url)?.origin ?? null) : null);

/**
 * The one place that knows template files. Views get their view model (view-models.ts)
 * and the layout's: the texts of the page's language (page-language.ts decides it),
 * the brand of the settings, and each page its own title. Output is escaped.
 */
export function createRenderer(deps: { branding: () => Branding; defaultLanguage: () => string; cache?: boolean }) {
  const cache = deps.cache ?? process.env.NODE_ENV !== 'development';
  const eta = new Eta({ views: VIEWS, cache, autoEscape: true, autoTrim: false });
  // Scripts and the stylesheet by their versioned URLs (`/assets/name?v=…`, cached for a year).
  const assets = assetUrls();

  /** Renders `view` for this request; sets the page's CSP (its logos' origins may show images). */
  function render<V extends View>(ctx: Context, view: V, model: ViewModels[V]): string {
    const brand = deps.branding();
    const text = pageText(pageLanguage(ctx, deps.defaultLanguage()));
    const clientLogo = (model as { clientLogo?: string }).clientLogo;
    const images = [originOf(brand.logoUrl), originOf(clientLogo)].filter((o): o is string => Boolean(o));
    ctx.set('Content-Security-Policy', pageCsp(images));
    ctx.set('Content-Language', text.language);
    const layout: LayoutModel = {
      ...text,
      title: text.t(`titles.${view}`),
      assets,
      brand,
      brandStylesheet: brandingStylesheetUrl(brand),
      languages: PAGE_LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
      csrf: ctx.state.csrf,
      impersonation: ctx.state.impersonation,
      requestId: ctx.state.requestId,
    };
    return eta.render(view, { ...layout, ...model });
  }

  return {
    /** A page oidc-provider sends itself (its error, logout and logged-out pages). */
    html: <V extends View>(ctx: Context, view: V, model: ViewModels[V]): string => render(ctx, view, model),
    page<V extends View>(ctx: Context, view: V, model: ViewModels[V], status = 200): void {
      ctx.status = status;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      // `impersonation`: the banner while the browser's session acts as someone (impersonation-state.ts).
      ctx.body = render(ctx, view, model);
    },
  };
}
export type Renderer = ReturnType<typeof createRenderer>;
