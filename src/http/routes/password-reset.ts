import Router from '@koa/router';
import { AppError } from '../../errors/app-error.js';
import { noticeOf, pageNotice } from '../../errors/codes.js';
import { RetryLater } from '../../errors/retry-later.js';
import type { RateLimitsService } from '../../services/rate-limits.js';
import type { PasswordResetService } from '../../services/password-reset.js';
import { readForm } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import type { Renderer } from '../render.js';
import { setRetryAfter } from '../retry-later.js';
import { interactionUid } from '../interaction-uid.js';
import { takeRestart } from '../sign-in-restart.js';

/**
 *   GET/POST /forgot-password   ask for a link by email or userCode (same answer for everyone;
 *                               429 and the form again past the limit per IP)
 *   GET/POST /reset-password    choose a new password with the link's token
 *   GET  /sign-in               "Back to sign-in" where no sign-in is known: the application's sign-in
 *                               this browser last showed, else the account page's
 */
export function passwordResetRoutes(deps: {
  resets: PasswordResetService;
  limits: RateLimitsService['passwordReset'];
  csrf: Csrf;
  render: Renderer;
}) {
  const { resets, csrf, render } = deps;
  const router = new Router();

  router.get('/forgot-password', (ctx) =>
    render.page(ctx, 'forgot-password', {
      identifier: String(ctx.query.identifier ?? ''),
      interaction: interactionUid(ctx.query.interaction),
    }),
  );

  router.post('/forgot-password', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    const identifier = (form.identifier ?? '').slice(0, 320);
    const interaction = interactionUid(form.interaction);
    try {
      await deps.limits.request(ctx.ip);
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      setRetryAfter(ctx, err);
      return render.page(ctx, 'forgot-password', { identifier, interaction, message: pageNotice(err) }, err.status);
    }
    resets.request(identifier, ctx.ip);
    render.page(ctx, 'forgot-password-sent', { interaction });
  });

  router.get('/reset-password', async (ctx) => {
    const token = String(ctx.query.token ?? '');
    const username = await resets.check(token);
    if (!username)
      return render.page(
        ctx,
        'error',
        {
          kind: 'link_expired',
          message: noticeOf('password_reset.invalid_token'),
          code: 'password_reset.invalid_token',
          retry: '/forgot-password',
        },
        400,
      );
    render.page(ctx, 'reset-password', { token, username });
  });

  router.post('/reset-password', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    const token = form.token ?? '';
    if (form.password !== form.password_confirm)
      return render.page(ctx, 'reset-password', { token, message: noticeOf('password.confirmation_differs') }, 400);
    try {
      await resets.complete(token, form.password ?? '', ctx.ip);
    } catch (err) {
      if (err instanceof AppError && err.code.startsWith('password.'))
        return render.page(ctx, 'reset-password', { token, message: pageNotice(err) }, 400);
      throw err;
    }
    render.page(ctx, 'reset-password-done', {});
  });

  router.get('/sign-in', (ctx) => {
    ctx.redirect(takeRestart(ctx, 'any') ?? '/account/login');
  });

  return router;
}
