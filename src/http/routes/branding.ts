import Router from '@koa/router';
import { createHash } from 'node:crypto';
import { type Branding, HEX_COLOUR } from '../../domain/settings.js';
import { textColourOn } from '../../policies/text-colour.js';

/** The stylesheet of the brand's colour: CSS custom properties public/gatehouse.css uses. */
function stylesheet(brand: Branding): { css: string; version: string } {
  // The settings' API allows only #rrggbb; anything else stored is left out of the CSS.
  const colour = HEX_COLOUR.test(brand.primaryColour ?? '') ? brand.primaryColour : null;
  const css = colour
    ? `:root {\n  --brand: ${colour};\n  --brand-text: ${textColourOn(colour)};\n}\n`
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
