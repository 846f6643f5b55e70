import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'koa';
import { PAGE_CSP } from './middleware/security-headers.js';
import { assetUrls } from './routes/assets.js';

const VIEWS = fileURLToPath(new URL('../../views', import.meta.url));

/** The one place that knows template names. Views get view models only; output is escaped. */
export function createRenderer(options: { cache: boolean } = { cache: process.env.NODE_ENV !== 'development' }) {
  const eta = new Eta({ views: VIEWS, cache: options.cache, autoEscape: true, autoTrim: false });
  // Scripts and the stylesheet by their versioned URLs (`/assets/name?v=…`, cached for a year).
  const assets = assetUrls();
  const html = (view: string, model: Record<string, unknown>) => eta.render(view, { title: 'Gatehouse', assets, ...model });
  return {
    html,
    page(ctx: Context, view: string, model: Record<string, unknown>, status = 200): void {
      ctx.status = status;
      ctx.type = 'html';
      ctx.set('Content-Security-Policy', PAGE_CSP);
      ctx.set('Cache-Control', 'no-store');
      // `impersonation`: the banner while the browser's session acts as someone (impersonation-state.ts).
      ctx.body = html(view, { csrf: ctx.state.csrf, impersonation: ctx.state.impersonation, ...model });
    },
  };
}
export type Renderer = ReturnType<typeof createRenderer>;
