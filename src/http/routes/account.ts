import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AppError } from '../../errors/app-error.js';
import type { PasswordStep } from '../../login/password-step.js';
import type { IdentityService } from '../../services/identity.js';
import { randomToken } from '../../util/crypto.js';
import { readForm } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import type { Renderer } from '../render.js';
import { LOGIN_MESSAGES } from '../messages.js';

/** The built-in first-party client the account pages sign in through. */
export const ACCOUNT_CLIENT_ID = 'gatehouse-account';
const RETURN_PATHS = new Set(['/account/password']);

/**
 *   GET  /account/login?return=…   signs in through the OIDC flow of the built-in client
 *   GET  /account/callback         back from it: the Gatehouse session now exists
 *   GET/POST /account/password     a signed-in user changes their own password
 */
export function accountRoutes(deps: { provider: () => Provider; issuer: string; identity: IdentityService; passwordStep: PasswordStep; csrf: Csrf; render: Renderer }) {
  const { csrf, render } = deps;
  const router = new Router({ prefix: '/account' });

  async function signedInUser(ctx: Context): Promise<string | undefined> {
    const session = await deps.provider().Session.get(ctx as never);
    return session.accountId;
  }

  router.get('/login', (ctx) => {
    const back = RETURN_PATHS.has(String(ctx.query.return)) ? String(ctx.query.return) : '/account/password';
    const url = new URL(`${deps.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: ACCOUNT_CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${deps.issuer}/account/callback`,
      state: back,
      code_challenge: randomToken(32),
      code_challenge_method: 'S256',
    }).toString();
    ctx.redirect(url.toString());
  });

  router.get('/callback', (ctx) => {
    const back = String(ctx.query.state);
    ctx.redirect(RETURN_PATHS.has(back) ? back : '/account/password');
  });

  router.get('/password', async (ctx) => {
    if (!(await signedInUser(ctx))) return ctx.redirect('/account/login?return=/account/password');
    render.page(ctx, 'account-password', {});
  });

  router.post('/password', async (ctx) => {
    const userId = await signedInUser(ctx);
    if (!userId) return ctx.redirect('/account/login?return=/account/password');
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    if (form.new_password !== form.new_password_confirm) return render.page(ctx, 'account-password', { message: 'The two new passwords differ.' }, 400);
    const check = await deps.passwordStep.verifyUser(userId, form.current_password ?? '', ctx.ip);
    if (!check.ok) return render.page(ctx, 'account-password', { message: check.code === 'login.invalid_credentials' ? 'The current password is incorrect.' : LOGIN_MESSAGES[check.code] }, 403);
    try {
      await deps.identity.setPassword(userId, form.new_password ?? '', { type: 'user', id: userId }, { reset: false });
    } catch (err) {
      if (err instanceof AppError && err.code.startsWith('password.')) return render.page(ctx, 'account-password', { message: err.message }, 400);
      throw err;
    }
    render.page(ctx, 'account-password', { done: true });
  });

  return router;
}
