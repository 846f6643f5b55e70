import Router from '@koa/router';
import type { Context } from 'koa';
import { AppError, assertThat } from '../../errors/app-error.js';
import { ERRORS, fail, noticeOf, pageNotice } from '../../errors/codes.js';
import { RetryLater } from '../../errors/retry-later.js';
import type { RateLimitsService } from '../../services/rate-limits.js';
import type { SignUpService } from '../../services/sign-up.js';
import { readForm } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import type { Renderer } from '../render.js';
import { setRetryAfter } from '../retry-later.js';
import type { SignUpView } from '../view-models.js';
import { interactionUid } from '../interaction-uid.js';

const interactionOf = interactionUid;

/**
 * Self-registration, when the setting `selfRegistration.enabled` is on (404 otherwise):
 *   GET/POST /sign-up            the form (`?interaction=` when reached from a sign-in page: "Back to sign in");
 *                                the same "check your mail" page for every address; 429 and the form again
 *                                past the limit per IP
 *   GET/POST /sign-up/confirm    the link of the mail: a page naming the request, whose button creates the user
 *                                (a GET changes nothing: mail scanners open links)
 */
export function signUpRoutes(deps: {
  signUp: SignUpService;
  limits: RateLimitsService['signUp'];
  csrf: Csrf;
  render: Renderer;
}) {
  const { signUp, csrf, render } = deps;
  const router = new Router({ prefix: '/sign-up' });

  const enabled = () => assertThat(signUp.settings().enabled, fail('sign_up.disabled'));
  const form = (ctx: Context, model: Omit<SignUpView, 'allowedDomains'>, status = 200) =>
    render.page(ctx, 'sign-up', { ...model, allowedDomains: signUp.settings().allowedDomains }, status);

  /** A used, expired or unknown link: the page says so and offers to sign up again. */
  const linkExpired = (ctx: Context) =>
    render.page(
      ctx,
      'error',
      {
        kind: 'link_expired',
        message: noticeOf('sign_up.invalid_token'),
        code: 'sign_up.invalid_token',
        retry: '/sign-up',
      },
      ERRORS['sign_up.invalid_token'].status,
    );

  router.get('/', (ctx) => {
    enabled();
    form(ctx, { interaction: interactionOf(ctx.query.interaction) });
  });

  router.post('/', async (ctx) => {
    const body = await readForm(ctx);
    csrf.verify(ctx, body._csrf);
    enabled();
    const typed = {
      email: (body.email ?? '').slice(0, 320),
      givenName: (body.given_name ?? '').slice(0, 320),
      familyName: (body.family_name ?? '').slice(0, 320),
    };
    const interaction = interactionOf(body.interaction);
    try {
      await deps.limits.request(ctx.ip);
      await signUp.request({ ...typed, password: body.password ?? '', passwordConfirm: body.password_confirm ?? '' });
    } catch (err) {
      const refused =
        err instanceof RetryLater ||
        (err instanceof AppError && (err.code.startsWith('sign_up.') || err.code.startsWith('password.')));
      if (!refused) throw err;
      setRetryAfter(ctx, err);
      return form(ctx, { ...typed, interaction, message: pageNotice(err as AppError) }, (err as AppError).status);
    }
    render.page(ctx, 'sign-up-sent', { interaction });
  });

  router.get('/confirm', async (ctx) => {
    const token = String(ctx.query.token ?? '');
    const request = await signUp.check(token);
    if (!request) return linkExpired(ctx);
    render.page(ctx, 'sign-up-confirm', {
      token,
      email: request.email,
      name: `${request.givenName} ${request.familyName}`,
    });
  });

  router.post('/confirm', async (ctx) => {
    const body = await readForm(ctx);
    csrf.verify(ctx, body._csrf);
    try {
      render.page(ctx, 'sign-up-done', { outcome: await signUp.confirm(body.token ?? '', ctx.ip) });
    } catch (err) {
      if (err instanceof AppError && err.code === 'sign_up.invalid_token') return linkExpired(ctx);
      throw err;
    }
  });

  return router;
}
