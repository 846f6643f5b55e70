import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Context, Next } from 'koa';
import { ADMIN_API_PREFIX } from './admin-api.js';
import { packagePath } from '../../util/package-path.js';

/** The administration console's own OIDC client: public, first-party, PKCE (wiring/start-up.ts registers it). */
export const CONSOLE_CLIENT_ID = 'gatehouse-console';
export const CONSOLE_PREFIX = '/admin';

/** The console as Vite builds it (`npm run build:console`). */
const DIST = packagePath('console', 'dist');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

interface Built {
  index: Buffer;
  /** `assets/<name>-<hash>.<ext>`: content-hashed, so cached for a year. */
  assets: Map<string, { body: Buffer; type: string }>;
}

function loadBuilt(dir: string): Built | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assetsDir = join(dir, 'assets');
  const names = existsSync(assetsDir) ? readdirSync(assetsDir) : [];
  return {
    index: readFileSync(join(dir, 'index.html')),
    assets: new Map(
      names.flatMap((name) => {
        const type = TYPES[extname(name)];
        return type ? [[name, { body: readFileSync(join(assetsDir, name)), type }] as const] : [];
      }),
    ),
  };
}

const isConsolePath = (path: string) =>
  (path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`)) &&
  path !== ADMIN_API_PREFIX &&
  !path.startsWith(`${ADMIN_API_PREFIX}/`);

/**
 * GET /admin/…  the administration console, a single-page application (console/).
 * `/admin/assets/*` are content-hashed files, cached a year as immutable; every other
 * path under /admin is the application's page (`index.html`, revalidated each time),
 * under the pages' content-security policy: nothing inline.
 */
export function consoleRoutes(options: { dir?: string } = {}) {
  const built = loadBuilt(options.dir ?? DIST);
  return async (ctx: Context, next: Next) => {
    if (!isConsolePath(ctx.path) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    if (ctx.path === CONSOLE_PREFIX) return ctx.redirect(`${CONSOLE_PREFIX}/`);
    if (!built) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.body = 'The administration console is not built: run `npm run build:console`.';
      return;
    }
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    if (ctx.path.startsWith(`${CONSOLE_PREFIX}/assets/`)) {
      const asset = built.assets.get(ctx.path.slice(`${CONSOLE_PREFIX}/assets/`.length));
      if (!asset) return next();
      ctx.type = asset.type;
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.body = asset.body;
      return;
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = built.index;
  };
}
