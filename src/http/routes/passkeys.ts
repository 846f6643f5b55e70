import Router from '@koa/router';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { displayName } from '../../domain/user.js';
import { AppError, assertThat } from '../../errors/app-error.js';
import { fail, failOnPage, pageNotice } from '../../errors/codes.js';
import { pageLanguage } from '../page-language.js';
import { pageText } from '../page-text.js';
import type { UsersRepository } from '../../repositories/users.js';
import type { PasskeysService } from '../../services/passkeys.js';
import { readForm, readJson } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import { selfServicePageUser, signedInUser } from '../signed-in.js';
import type { SignInInteractions } from '../sign-in.js';
import type { SignInRunner } from '../../login/sign-in-runner.js';
import type { SignInStrategy } from '../../login/strategy.js';
import { setRetryAfter } from '../retry-later.js';
import { pathParam } from '../path-param.js';

export interface PasskeyRoutesDeps {
  provider: () => Provider;
  /** The settings' default language (the refusals' `message` is in the page's language). */
  defaultLanguage: () => string;
  passkeys: PasskeysService;
  users: Pick<UsersRepository, 'findById'>;
  interactions: Pick<SignInInteractions, 'load' | 'location'>;
  signIn: Pick<SignInRunner, 'attempt'>;
  /** A passkey alone, or as the second step. */
  strategy: SignInStrategy<AuthenticationResponseJSON>;
  csrf: Csrf;
}

const SECURITY_PAGE = '/account/security';

/** A WebAuthn credential as the browser library sends it; the service checks the rest. */
const credentialJson = z.looseObject({
  id: z.string().min(1).max(1366),
  rawId: z.string().min(1).max(1366),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().max(16_384) }),
  clientExtensionResults: z.looseObject({}).optional().default({}),
});
const registration = z.object({ name: z.string().max(1000).optional().default(''), response: credentialJson });

/**
 * JSON endpoints answer errors as `{ error, message }` with the error's status,
 * the message in the page's language (passkeys.js shows it); anything else (a
 * 5xx) goes on to the page error handler.
 */
const jsonErrors = (defaultLanguage: () => string) => async (ctx: Context, next: Next) => {
  ctx.set('Cache-Control', 'no-store');
  try {
    await next();
  } catch (err) {
    const e = err as {
      status?: number;
      expose?: boolean;
      code?: string;
      error?: string;
      message?: string;
      error_description?: string;
    };
    if (!e.status || e.status >= 500 || e.expose === false) throw err;
    setRetryAfter(ctx, err);
    ctx.status = e.status;
    ctx.body = {
      error: e.code ?? e.error ?? 'request.invalid',
      message:
        err instanceof AppError
          ? pageText(pageLanguage(ctx, defaultLanguage())).noticeText(pageNotice(err))
          : (e.error_description ?? 'The request could not be completed.'),
    };
  }
};

/** A JSON POST: CSRF token in `x-csrf-token`, then the body parsed by `schema`. */
async function readCeremony<T>(ctx: Context, csrf: Csrf, schema: z.ZodType<T>): Promise<T> {
  csrf.verify(ctx, ctx.get('x-csrf-token'));
  return readJson(ctx, schema, { invalid: () => failOnPage('passkey.invalid') });
}

/**
 * Passkeys on the self-service page (signed-in user; JSON for the ceremony, forms for the rest):
 *   POST /account/security/passkeys/options      registration options
 *   POST /account/security/passkeys              { name, response } → 201 the new passkey
 *   POST /account/security/passkeys/:id/rename   form: name → 303 /account/security
 *   POST /account/security/passkeys/:id/delete   form → 303 /account/security
 * and during sign-in (JSON):
 *   POST /interaction/:uid/passkey/options       second step (a sign-in waits on it) or a passkey alone (prompt login)
 *   POST /interaction/:uid/passkey               the assertion → { location } where the browser goes next
 */
export function passkeyRoutes(deps: PasskeyRoutesDeps) {
  const { passkeys, csrf, interactions, signIn } = deps;
  const router = new Router();
  const self = (userId: string) => ({ type: 'user', id: userId }) as const;
  const json = jsonErrors(deps.defaultLanguage);

  async function apiUser(ctx: Context): Promise<string> {
    const userId = await signedInUser(deps.provider, ctx);
    assertThat(userId, () => failOnPage('auth.required'));
    return userId;
  }
  /** Form posts of a signed-out browser go to sign in first (undefined: redirected). */
  const formUser = (ctx: Context) => selfServicePageUser(deps.provider, ctx, SECURITY_PAGE);
  const backToSecurity = (ctx: Context, done?: string) => {
    ctx.status = 303;
    ctx.redirect(done ? `${SECURITY_PAGE}?done=${done}` : SECURITY_PAGE);
  };

  // ---- self-service ----

  router.post('/account/security/passkeys/options', json, async (ctx) => {
    const userId = await apiUser(ctx);
    await readCeremony(ctx, csrf, z.unknown());
    const user = await deps.users.findById(userId);
    assertThat(user, () => failOnPage('auth.required'));
    ctx.body = await passkeys.registrationOptions({
      id: user.id,
      userCode: user.userCode,
      displayName: displayName(user),
    });
  });

  router.post('/account/security/passkeys', json, async (ctx) => {
    const userId = await apiUser(ctx);
    const input = await readCeremony(ctx, csrf, registration);
    ctx.status = 201;
    ctx.body = await passkeys.register(
      userId,
      input.response as unknown as RegistrationResponseJSON,
      input.name,
      self(userId),
      ctx.ip,
    );
  });

  router.post('/account/security/passkeys/:id/rename', async (ctx) => {
    const userId = await formUser(ctx);
    if (!userId) return;
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    await passkeys.rename(userId, pathParam(ctx, 'id'), form.name ?? '', self(userId), ctx.ip);
    backToSecurity(ctx, 'passkey_renamed');
  });

  router.post('/account/security/passkeys/:id/delete', async (ctx) => {
    const userId = await formUser(ctx);
    if (!userId) return;
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    await passkeys.remove(userId, pathParam(ctx, 'id'), self(userId), ctx.ip);
    backToSecurity(ctx, 'passkey_removed');
  });

  // ---- sign-in ----

  /** The sign-in's state: a second step waiting (`verify`), or a passkey alone while the prompt is `login`. */
  async function signInState(ctx: Context) {
    const { interaction, port } = await interactions.load(ctx);
    if (port.pending) assertThat(port.pending.need === 'verify', () => failOnPage('interaction.wrong_step'));
    else assertThat(interaction.prompt.name === 'login', () => failOnPage('interaction.wrong_step'));
    return { interaction, port };
  }

  router.post('/interaction/:uid/passkey/options', json, async (ctx) => {
    await readCeremony(ctx, csrf, z.unknown());
    const { port } = await signInState(ctx);
    ctx.body = await passkeys.authenticationOptions(port.pending?.userId);
  });

  router.post('/interaction/:uid/passkey', json, async (ctx) => {
    const response = (await readCeremony(ctx, csrf, credentialJson)) as unknown as AuthenticationResponseJSON;
    const { interaction, port } = await signInState(ctx);
    const outcome = await signIn.attempt(port, deps.strategy, response);
    // A lock keeps the API's text: the page's speaks of codes.
    if (!outcome.ok) throw outcome.code === 'mfa.locked' ? fail('mfa.locked') : failOnPage('passkey.invalid', 401);
    ctx.body = { location: interactions.location(interaction, outcome.next) };
  });

  return router;
}
