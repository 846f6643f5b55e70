import type { Context, Next } from 'koa';
import { RetryLater } from '../../errors/retry-later.js';
import type { RateLimitsService } from '../../services/rate-limits.js';
import { setRetryAfter } from '../retry-later.js';

/** The provider's endpoints that authenticate a client. */
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/introspection', '/token/revocation', '/request']);

/** The client id of `Authorization: Basic`, when it is one. */
function basicClientId(ctx: Context): string | undefined {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(ctx.get('authorization'))?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, i).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/**
 * Failed client authentication at the token endpoints, per IP and per client
 * from that IP. Ahead of oidc-provider's routes: a spent IP, or a spent client
 * named in `Authorization: Basic`, is refused before anything else. A client
 * named in the body (client_secret_post, client_assertion) is only known once
 * the provider has parsed it; if that client is spent, the answer is the same
 * 429 whatever the credentials were, so a guess learns nothing. An
 * `invalid_client` answer (401) counts a failure.
 *
 * The 429 body: `{"error":"temporarily_unavailable","error_description":…}`
 * (RFC 6749 names no throttling error; this is its code for "try later").
 */
export function clientAuthThrottle(limits: RateLimitsService['clientAuth']) {
  const refuse = (ctx: Context, err: RetryLater) => {
    ctx.status = 429;
    ctx.set('Cache-Control', 'no-store');
    setRetryAfter(ctx, err);
    ctx.body = {
      error: 'temporarily_unavailable',
      error_description: `too many failed client authentications; retry after ${err.retryAfterSeconds} seconds`,
    };
  };
  /** Whether the check let the request through (else it has been answered 429). */
  const attempt = (ctx: Context, check: () => void): boolean => {
    try {
      check();
      return true;
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      refuse(ctx, err);
      return false;
    }
  };

  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST' || !CLIENT_AUTH_PATHS.has(ctx.path)) return next();
    const fromHeader = basicClientId(ctx);
    if (!attempt(ctx, () => limits.check(ctx.ip, fromHeader))) return;
    await next();
    const params = (ctx as Context & { oidc?: { params?: { client_id?: unknown } } }).oidc?.params;
    const fromBody = typeof params?.client_id === 'string' ? params.client_id : undefined;
    const clientId = fromHeader ?? fromBody;
    // At these endpoints only a failed client authentication answers 401 (`invalid_client`), whether
    // the body is JSON or, for a caller that accepts HTML, the provider's error page.
    const failed = ctx.status === 401;
    // Checked before this failure counts: a spent client answers 429 whether the guess was right or wrong.
    if (!fromHeader && fromBody) attempt(ctx, () => limits.check(ctx.ip, fromBody));
    if (failed) await limits.failed(ctx.ip, clientId);
  };
}
