import type { Context, Next } from 'koa';

/**
 * The content-security policy of every page: our own scripts and stylesheet only
 * (no inline script or style, no third party), images from us or `data:` (the
 * TOTP QR code), never framed. oidc-provider's `form_post` page adds the SHA-256
 * of its one inline script to `script-src` itself (helpers/script_src_sha.js),
 * which is why the header is set before the request is handled. A page with a
 * logo (the brand's, a client's) adds the logo's origin to `img-src`
 * (http/render.ts).
 */
export function pageCsp(imageOrigins: readonly string[] = []): string {
  const images = ["'self'", 'data:', ...new Set(imageOrigins)].join(' ');
  return `default-src 'self'; script-src 'self'; style-src 'self'; img-src ${images}; object-src 'none'; frame-ancestors 'none'; base-uri 'none'`;
}
export const PAGE_CSP = pageCsp();

/** Headers every response carries, the page CSP included (a route may set its own). */
export function securityHeaders(options: { https: boolean }) {
  return async (ctx: Context, next: Next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Content-Security-Policy', PAGE_CSP);
    if (options.https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    try {
      await next();
    } finally {
      // A handler that replaced the headers still answers HTML under the policy.
      if (!ctx.response.get('Content-Security-Policy') && ctx.response.is('html'))
        ctx.set('Content-Security-Policy', PAGE_CSP);
    }
  };
}
