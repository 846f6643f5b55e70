import Router from '@koa/router';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { pathParam } from '../path-param.js';
import { packagePath } from '../../util/package-path.js';

const PUBLIC = packagePath('public');
const require = createRequire(import.meta.url);

/** Served files: URL name → file on disk. Read once at start; a missing file fails the boot. */
const FILES: Record<string, string> = {
  // The package's UMD bundle defines the global `SimpleWebAuthnBrowser`.
  'simplewebauthn-browser.js': join(
    dirname(require.resolve('@simplewebauthn/browser')),
    '..',
    'dist',
    'bundle',
    'index.umd.min.js',
  ),
  'passkeys.js': join(PUBLIC, 'passkeys.js'),
  'show-password.js': join(PUBLIC, 'show-password.js'),
  'recovery-codes.js': join(PUBLIC, 'recovery-codes.js'),
  // The pages' styles: a stylesheet, so the page CSP needs no `style-src 'unsafe-inline'`.
  'gatehouse.css': join(PUBLIC, 'gatehouse.css'),
};

/** Content types by file extension. */
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

const YEAR = 365 * 24 * 3600;
/** Unversioned URLs are cached a day, then revalidated with the ETag. */
const DAY = 24 * 3600;

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  version: string;
}

let loaded: Map<string, Asset> | undefined;
function load(): Map<string, Asset> {
  loaded ??= new Map(
    Object.entries(FILES).map(([name, file]) => {
      const body = readFileSync(file);
      const digest = createHash('sha256').update(body).digest('base64url');
      const type = TYPES[extname(name)];
      if (!type) throw new Error(`No content type for the asset ${name}`);
      return [name, { body, type, etag: `"${digest.slice(0, 27)}"`, version: digest.slice(0, 12) }];
    }),
  );
  return loaded;
}

/** Versioned URLs of the assets (name → `/assets/name?v=…`): what pages link to, cached for a year. */
export function assetUrls(): Record<string, string> {
  return Object.fromEntries([...load()].map(([name, a]) => [name, `/assets/${name}?v=${a.version}`]));
}

/**
 * GET /assets/:name  the few scripts and the stylesheet the pages load (CSP
 * `script-src 'self'`, `style-src 'self'`).
 * `?v=<version>` (see `assetUrls`) is cached for a year as immutable; the plain
 * URL for a day, then revalidated by ETag.
 */
export function assetRoutes() {
  const assets = load();
  const router = new Router({ prefix: '/assets' });

  router.get('/:name', (ctx) => {
    const asset = assets.get(pathParam(ctx, 'name'));
    if (!asset) return;
    ctx.status = 200;
    ctx.type = asset.type;
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set(
      'Cache-Control',
      ctx.query.v === asset.version ? `public, max-age=${YEAR}, immutable` : `public, max-age=${DAY}`,
    );
    ctx.etag = asset.etag;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  });

  return router;
}
