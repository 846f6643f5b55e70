import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { assertThat } from '../../errors/app-error.js';
import { ERRORS, fail, noticeOf, pageNotice, type PageNotice } from '../../errors/codes.js';
import type { PasswordInput } from '../../login/password.js';
import type { SignInRunner } from '../../login/sign-in-runner.js';
import type { RefusalCode, SignInStrategy } from '../../login/strategy.js';
import { readForm } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import type { Renderer } from '../render.js';
import { isFirstParty } from '../../oidc/provider.js';
import type { PendingSignIn } from '../../login/sign-in-flow.js';
import type { UsersRepository } from '../../repositories/users.js';
import type { MfaService } from '../../services/mfa.js';
import type { Interaction, SignInInteractions } from '../sign-in.js';
import type { LoginView } from '../view-models.js';
import { RetryLater } from '../../errors/retry-later.js';
import { setRetryAfter } from '../retry-later.js';
import { knowUser } from '../page-language.js';
import { defined } from '../../util/defined.js';
import { keepRestart } from '../sign-in-restart.js';
import { lockUntil, type LockoutSettings } from '../../policies/lockout.js';
import type { Clock } from '../../util/clock.js';
import type { IdentityProvider } from '../../domain/identity-provider.js';
import type { HomeRealmService } from '../../services/home-realm.js';
import type { UpstreamStart } from './federation.js';
import type { FederatedSignInService } from '../../services/federated-sign-in.js';

export interface InteractionDeps {
  provider: () => Provider;
  interactions: SignInInteractions;
  signIn: SignInRunner;
  /** The methods of the sign-in pages: the first step, and the second steps by the path they are posted to. */
  strategies: {
    password: SignInStrategy<PasswordInput>;
    totp: SignInStrategy<string>;
    recovery: SignInStrategy<string>;
    enrol: SignInStrategy<string>;
  };
  mfa: Pick<MfaService, 'summary' | 'currentTotpEnrolment' | 'startTotpEnrolment' | 'newRecoveryCodes'>;
  users: Pick<UsersRepository, 'findById'>;
  /** Whether the sign-in page offers "Create an account" (self-registration is on). */
  signUpOffered: () => boolean;
  /** The lockout rule in force, and the clock: a refused password says when a lock would end. */
  lockout: () => LockoutSettings;
  clock: Clock;
  /** Identity providers: buttons, home-realm discovery by email domain, the start of their sign-in (routes/federation.ts). */
  federation: {
    homeRealm: Pick<HomeRealmService, 'forEmail' | 'shown'>;
    start: UpstreamStart;
    /** Records the password refused for a required provider's domain (services/federated-sign-in.ts). */
    passwordRefused: FederatedSignInService['passwordRefused'];
  };
  csrf: Csrf;
  render: Renderer;
}

const WRONG_STEP = () => fail('interaction.wrong_step');
/** A refused code: the second step's page answers 403 when locked. */
const mfaStatus = (code: RefusalCode) => (code === 'mfa.locked' ? 403 : 401);

/**
 * The sign-in pages oidc-provider sends the browser to:
 *   GET  /interaction/:uid               login form, the second step waiting, or consent (first-party clients skip it)
 *   POST /interaction/:uid/login         identifier + password
 *   POST /interaction/:uid/mfa/totp      a code from the authenticator app
 *   POST /interaction/:uid/mfa/recovery  a recovery code
 *   POST /interaction/:uid/mfa/enrol     the first code of a new authenticator app (MFA required by role or by the client)
 *   POST /interaction/:uid/mfa/continue  after the recovery codes were shown
 *   POST /interaction/:uid/confirm       consent
 *   GET  /interaction/:uid/abort         "cancel": access_denied to the client
 * Passkeys (routes/passkeys.ts) add /passkey/options and /passkey.
 */
export function interactionRoutes(deps: InteractionDeps) {
  const { csrf, render, interactions, signIn, mfa } = deps;
  const router = new Router({ prefix: '/interaction/:uid' });

  const redirect = (ctx: Context, location: string) => {
    ctx.status = 303;
    ctx.redirect(location);
  };
  /** Stores the step's result on the interaction already loaded and resumes the authorization. */
  const finish = async (ctx: Context, interaction: Interaction, result: Record<string, unknown>) => {
    interaction.result = result;
    await interaction.persist();
    redirect(ctx, interaction.returnTo);
  };
  const findClient = (interaction: Interaction) => deps.provider().Client.find(String(interaction.params.client_id));
  const nameOf = (client: Awaited<ReturnType<typeof findClient>>, interaction: Interaction) =>
    (client?.clientName as string | undefined) ?? String(interaction.params.client_id);
  /** The application as the sign-in and consent pages show it: its name, and its logo (`logo_uri`). */
  const shown = (client: Awaited<ReturnType<typeof findClient>>, interaction: Interaction) => ({
    clientName: nameOf(client, interaction),
    clientLogo: (client?.logoUri as string | undefined) ?? undefined,
  });
  /** The page is for this user: it speaks their language. */
  const forUser = async (ctx: Context, userId: string | undefined) => {
    const user = userId ? await deps.users.findById(userId) : undefined;
    knowUser(ctx, user);
    return user;
  };
  const button = ({ name, displayName, logoUrl }: IdentityProvider) => ({ name, displayName, logoUrl });
  /** The sign-in page, with the buttons of the providers shown publicly (and of the one a refusal points to). */
  const loginPage = async (
    ctx: Context,
    uid: string,
    model: Omit<LoginView, 'uid' | 'signUp' | 'providers'>,
    status = 200,
    requiredProvider?: IdentityProvider,
  ) => {
    const listed = (await deps.federation.homeRealm.shown()).map(button);
    const providers =
      requiredProvider && !listed.some((p) => p.name === requiredProvider.name)
        ? [button(requiredProvider), ...listed]
        : listed;
    render.page(ctx, 'login', { uid, ...model, signUp: deps.signUpOffered(), providers }, status);
  };
  /** The lockout rule as a refused password states it: a lock starting now ends at `until` (UTC; null: at a reset). */
  const lockoutRule = () => {
    const settings = deps.lockout();
    const until = lockUntil(settings, deps.clock.now());
    return { ...settings, until: until && `${until.toISOString().slice(11, 16)} UTC` };
  };

  /**
   * Runs a sign-in attempt. Refused by the throttle (429, or 503 with the argon2
   * queue full), it answers with `page` showing when to try again, and returns undefined.
   */
  async function throttled<T>(
    ctx: Context,
    attempt: () => Promise<T>,
    page: (message: PageNotice, status: number) => unknown,
  ): Promise<T | undefined> {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      setRetryAfter(ctx, err);
      await page(pageNotice(err), err.status);
      return undefined;
    }
  }

  /** The page of a second step; `message` after a refused code. */
  async function stepPage(
    ctx: Context,
    interaction: Interaction,
    pending: PendingSignIn,
    message?: PageNotice,
    status = 200,
  ) {
    const uid = interaction.uid;
    const user = await forUser(ctx, pending.userId);
    if (pending.need === 'verify') {
      const summary = await mfa.summary(pending.userId);
      // A locked second step says so before a code is typed.
      const shown = message ?? (summary.locked ? noticeOf('mfa.locked') : undefined);
      return render.page(
        ctx,
        'mfa-verify',
        {
          uid,
          totp: summary.totp,
          passkeys: summary.passkeys > 0,
          recoveryCodes: summary.recoveryCodesLeft > 0,
          message: shown,
        },
        status,
      );
    }
    if (pending.need === 'enrol') {
      assertThat(user, WRONG_STEP);
      const enrolment =
        (message && (await mfa.currentTotpEnrolment(user.id))) ||
        (await mfa.startTotpEnrolment(user.id, user.email ?? user.userCode));
      return render.page(
        ctx,
        'mfa-enrol',
        { uid, ...enrolment, message, action: `/interaction/${uid}/mfa/enrol` },
        status,
      );
    }
    return render.page(
      ctx,
      'mfa-recovery-codes',
      { uid, codes: null, action: `/interaction/${uid}/mfa/continue` },
      status,
    );
  }

  /** Grants what the consent prompt found missing. */
  async function grantConsent(ctx: Context, interaction: Interaction) {
    const provider = deps.provider();
    const { prompt, params, session, grantId } = interaction;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({
          accountId: defined(session, 'the session of a consent prompt').accountId,
          clientId: String(params.client_id),
        });
    if (!grant) throw fail('interaction.grant_missing');
    const d = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    await finish(ctx, interaction, { consent: { grantId: await grant.save() } });
  }

  router.get('/', async (ctx) => {
    const { interaction, port } = await interactions.load(ctx);
    // Should the sign-in expire on screen, the browser starts it again at the application's request.
    keepRestart(ctx, interaction.uid, interaction.params);
    const { pending } = port;
    const client = await findClient(interaction);
    if (interaction.prompt.name === 'login') {
      if (pending) return stepPage(ctx, interaction, pending);
      return loginPage(ctx, interaction.uid, {
        ...shown(client, interaction),
        username: (interaction.params.login_hint as string) ?? '',
      });
    }
    if (interaction.prompt.name === 'consent') {
      if (isFirstParty(client)) return grantConsent(ctx, interaction);
      const d = interaction.prompt.details as {
        missingOIDCScope?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      await forUser(ctx, interaction.session?.accountId);
      return render.page(ctx, 'consent', {
        uid: interaction.uid,
        ...shown(client, interaction),
        scopes: (d.missingOIDCScope ?? []).filter((s) => s !== 'openid'),
        resources: Object.entries(d.missingResourceScopes ?? {}).map(([indicator, scopes]) => ({ indicator, scopes })),
      });
    }
    throw fail('interaction.unknown_prompt');
  });

  router.post('/login', async (ctx) => {
    const interaction = await interactions.details(ctx);
    if (interaction.prompt.name !== 'login') throw WRONG_STEP();
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    const username = (form.username ?? '').trim();
    const keepSignedIn = form.keep_signed_in === 'yes';
    const again = async (message: PageNotice | undefined, status: number, code?: string) =>
      loginPage(
        ctx,
        interaction.uid,
        {
          ...shown(await findClient(interaction), interaction),
          username,
          message,
          keepSignedIn,
          locked: code === 'login.locked',
          lockout: code === 'login.invalid_credentials' ? lockoutRule() : undefined,
        },
        status,
      );
    // Home-realm discovery: an email of a provider's domain goes there (the password left empty), or must.
    const realm = await deps.federation.homeRealm.forEmail(username);
    if (realm && !form.password) {
      ctx.status = 303;
      return ctx.redirect(await deps.federation.start(ctx, realm, interaction, username));
    }
    const port = interactions.portOf(ctx, interaction, { keepSignedIn });
    if (realm?.required) {
      await deps.federation.passwordRefused(port, username);
      return loginPage(
        ctx,
        interaction.uid,
        {
          ...shown(await findClient(interaction), interaction),
          username,
          message: noticeOf('login.federation_required'),
          keepSignedIn,
        },
        ERRORS['login.federation_required'].status,
        realm,
      );
    }
    const outcome = await throttled(
      ctx,
      () => signIn.attempt(port, deps.strategies.password, { identifier: username, password: form.password ?? '' }),
      again,
    );
    if (!outcome) return;
    if (!outcome.ok) return again(noticeOf(outcome.code), ERRORS[outcome.code].status, outcome.code);
    redirect(ctx, interactions.location(interaction, outcome.next));
  });

  /** The second step: a code posted to the path of its method (`enrol`: the first code of a new authenticator app). */
  const secondSteps = Object.entries({
    totp: deps.strategies.totp,
    recovery: deps.strategies.recovery,
    enrol: deps.strategies.enrol,
  });
  for (const [path, strategy] of secondSteps) {
    router.post(`/mfa/${path}`, async (ctx) => {
      const { interaction, port } = await interactions.load(ctx);
      const form = await readForm(ctx);
      csrf.verify(ctx, form._csrf);
      const { pending } = port;
      assertThat(pending && strategy.steps.includes(pending.need), WRONG_STEP);
      const page = (message: PageNotice | undefined, status: number) =>
        stepPage(ctx, interaction, pending, message, status);
      const outcome = await throttled(ctx, () => signIn.attempt(port, strategy, (form.code ?? '').trim()), page);
      if (!outcome) return;
      if (!outcome.ok) return page(noticeOf(outcome.code), mfaStatus(outcome.code));
      if (outcome.next !== 'recovery_codes') return redirect(ctx, interactions.location(interaction, outcome.next));
      // A new authenticator's recovery codes, shown once, in this response only.
      const codes = await mfa.newRecoveryCodes(pending.userId, { type: 'user', id: pending.userId });
      render.page(ctx, 'mfa-recovery-codes', {
        uid: interaction.uid,
        codes,
        action: `/interaction/${interaction.uid}/mfa/continue`,
      });
    });
  }

  router.post('/mfa/continue', async (ctx) => {
    const { interaction, port } = await interactions.load(ctx);
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    const { pending } = port;
    assertThat(pending?.need === 'recovery_codes', WRONG_STEP);
    await signIn.complete(port, pending.userId, pending.amr);
    redirect(ctx, interaction.returnTo);
  });

  router.post('/confirm', async (ctx) => {
    const interaction = await interactions.details(ctx);
    if (interaction.prompt.name !== 'consent') throw WRONG_STEP();
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    await grantConsent(ctx, interaction);
  });

  router.get('/abort', async (ctx) => {
    await finish(ctx, await interactions.details(ctx), {
      error: 'access_denied',
      error_description: 'The user cancelled the sign-in.',
    });
  });

  return router;
}
