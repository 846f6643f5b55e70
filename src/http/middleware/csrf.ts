import { createHmac } from 'node:crypto';
import type { Context, Next } from 'koa';
import { fail } from '../../errors/codes.js';
import { constantTimeEqual, randomToken } from '../../util/crypto.js';

const COOKIE = 'gh_csrf';

/**
 * Signed double-submit tokens: a random HttpOnly cookie, and in every form the
 * HMAC of it under the server secret. `verifyCsrf` compares in constant time.
 */
export function createCsrf(key: Buffer) {
  const sign = (value: string) => createHmac('sha256', key).update(value).digest('base64url');

  return {
    /** Makes sure the browser has a CSRF cookie; exposes the form token as `ctx.state.csrf`. */
    async issue(ctx: Context, next: Next) {
      let value = ctx.cookies.get(COOKIE);
      if (!value || value.length < 32) {
        value = randomToken();
        ctx.cookies.set(COOKIE, value, {
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.secure,
          path: '/',
          overwrite: true,
        });
      }
      ctx.state.csrf = sign(value);
      await next();
    },
    verify(ctx: Context, submitted: unknown): void {
      const value = ctx.cookies.get(COOKIE);
      if (!value || typeof submitted !== 'string' || !constantTimeEqual(sign(value), submitted)) {
        throw fail('csrf.invalid');
      }
    },
  };
}
export type Csrf = ReturnType<typeof createCsrf>;
