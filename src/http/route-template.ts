import type { Context } from 'koa';

/**
 * Prefixes whose requests no router matched are counted under `<prefix>/*`: SCIM and the
 * admin API refuse a bad bearer token before routing; the console (`/admin/…`) is one page.
 */
const PREFIXES = ['/scim/v2', '/admin/api', '/admin'];

/**
 * The template of the route that answered (`/admin/api/users/:id`, `/interaction/:uid/login`,
 * `/token`), never the path: @koa/router and oidc-provider's router both set `_matchedRoute`.
 * A request no route answered is `unmatched`, so a scan of random paths makes one label.
 * Worked out once per request, after its answer, for its log line, metrics and span.
 */
export function answeredRoute(ctx: Context): string {
  const state = ctx.state as { route?: string };
  state.route ??= templateOf(ctx);
  return state.route;
}

function templateOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  const prefix = PREFIXES.find((p) => ctx.path === p || ctx.path.startsWith(`${p}/`));
  return prefix ? `${prefix}/*` : 'unmatched';
}
