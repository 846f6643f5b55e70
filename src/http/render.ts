import { Eta } from 'eta';
import type { Context } from 'koa';
import { PAGE_CSP } from './middleware/security-headers.js';
import { assetUrls } from './routes/assets.js';
import type { LayoutModel, View, ViewModels } from './view-models.js';
import { packagePath } from '../util/package-path.js';

const VIEWS = packagePath('views');

/**
 * The one place that knows template files. Views get their view model (view-models.ts)
 * and the layout's; output is escaped.
 */
export function createRenderer(options: { cache: boolean } = { cache: process.env.NODE_ENV !== 'development' }) {
  const eta = new Eta({ views: VIEWS, cache: options.cache, autoEscape: true, autoTrim: false });
  // Scripts and the stylesheet by their versioned URLs (`/assets/name?v=…`, cached for a year).
  const assets = assetUrls();
  const render = <V extends View>(view: V, layout: Omit<LayoutModel, 'title' | 'assets'>, model: ViewModels[V]) =>
    eta.render(view, { title: 'Gatehouse', assets, ...layout, ...model } satisfies LayoutModel);
  return {
    /** A page oidc-provider sends itself; `requestId` for an error page's reference. */
    html: <V extends View>(view: V, model: ViewModels[V], layout: { requestId?: string } = {}): string =>
      render(view, layout, model),
    page<V extends View>(ctx: Context, view: V, model: ViewModels[V], status = 200): void {
      ctx.status = status;
      ctx.type = 'html';
      ctx.set('Content-Security-Policy', PAGE_CSP);
      ctx.set('Cache-Control', 'no-store');
      // `impersonation`: the banner while the browser's session acts as someone (impersonation-state.ts).
      ctx.body = render(
        view,
        { csrf: ctx.state.csrf, impersonation: ctx.state.impersonation, requestId: ctx.state.requestId },
        model,
      );
    },
  };
}
export type Renderer = ReturnType<typeof createRenderer>;
