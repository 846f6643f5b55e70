import Router from '@koa/router';
import { createHash } from 'node:crypto';
import { type Branding, HEX_COLOUR } from '../../domain/settings.js';

/** Black or white, whichever reads better on `#rrggbb` (WCAG relative luminance). */
function textOn(colour: string): string {
  const channel = (i: number) => {
    const c = Number.parseInt(colour.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05).
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? '#ffffff' : '#000000';
}

/** The stylesheet of the brand's colour: CSS custom properties public/gatehouse.css uses. */
function stylesheet(brand: Branding): { css: string; version: string } {
  // The settings' API allows only #rrggbb; anything else stored is left out of the CSS.
  const colour = HEX_COLOUR.test(brand.primaryColour ?? '') ? brand.primaryColour : null;
  const css = colour
    ? `:root {\n  --brand: ${colour};\n  --brand-text: ${textOn(colour)};\n}\n`
    : '/* The default colours of gatehouse.css. */\n';
  return { css, version: createHash('sha256').update(css).digest('base64url').slice(0, 16) };
}

/** Where pages load the brand's stylesheet: its URL changes with the colour. */
export function brandingStylesheetUrl(brand: Branding): string {
  return `/branding.css?v=${stylesheet(brand).version}`;
}

/**
 * GET /branding.css  the brand's primary colour as CSS custom properties, so the
 * page CSP keeps `style-src 'self'` (no inline style). Revalidated by its ETag
 * at every use: a changed colour shows at the next page.
 */
export function brandingRoutes(deps: { branding: () => Branding }) {
  const router = new Router();
  router.get('/branding.css', (ctx) => {
    const { css, version } = stylesheet(deps.branding());
    ctx.status = 200;
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.etag = `"${version}"`;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = css;
  });
  return router;
}
