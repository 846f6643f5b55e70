import type { Context } from 'koa';

/** Prefixes whose requests refused before their router (a bad bearer token) are counted under `<prefix>/*`. */
const API_PREFIXES = ['/scim/v2', '/admin/api'];

/**
 * The template of the route that answered (`/admin/api/users/:id`, `/interaction/:uid/login`,
 * `/token`), never the path: @koa/router and oidc-provider's router both set `_matchedRoute`.
 * A request no route answered is `unmatched`, so a scan of random paths makes one label.
 */
export function routeTemplate(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  const prefix = API_PREFIXES.find((p) => ctx.path === p || ctx.path.startsWith(`${p}/`));
  return prefix ? `${prefix}/*` : 'unmatched';
}
