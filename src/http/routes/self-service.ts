import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AppError, assertThat } from '../../errors/app-error.js';
import { ERRORS, fail, noticeOf, pageNotice } from '../../errors/codes.js';
import type { UsersRepository } from '../../repositories/users.js';
import type { MfaService } from '../../services/mfa.js';
import type { PasskeysService } from '../../services/passkeys.js';
import type { PasswordStrategy } from '../../login/password.js';
import type { IdentityService } from '../../services/identity.js';
import { randomToken } from '../../util/crypto.js';
import { readForm } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import type { Renderer } from '../render.js';
import { selfServicePageUser } from '../signed-in.js';
import { knowUser } from '../page-language.js';
import type { AccountMethod } from '../view-models.js';
import { SUPPORTED_LANGUAGES } from '../../domain/languages.js';
import type { User } from '../../domain/user.js';
import type { Operator } from '../../domain/operator.js';
import type { UserAdminService } from '../../services/user-admin.js';
import type { UserSessionsService } from '../../services/user-sessions.js';
import type { EmailChangeService } from '../../services/email-change.js';

/** A person changing their own record: the audit names them; their role's powers reach only themself. */
const selfOperator = (user: User, ip: string | null): Operator => ({
  actor: { type: 'user', id: user.id },
  ip,
  powers: { role: user.mainRole, scope: { all: false, accountIds: [], accountGroupIds: [] } },
});

/** The built-in first-party client the self-service pages sign in through. */
export const SELF_SERVICE_CLIENT_ID = 'gatehouse-account';
const RETURN_PATHS = new Set(['/account', '/account/password', '/account/security']);
/** How a session signed in, by its RFC 8176 `amr` values (the page says it in words). */
const METHODS: Record<string, AccountMethod> = {
  pwd: 'password',
  otp: 'totp',
  hwk: 'passkey',
  swk: 'passkey',
  kba: 'recovery_code',
};
/** The time zones the profile offers (the IANA names this Node knows). */
const TIME_ZONES = Intl.supportedValuesOf('timeZone');

/**
 *   GET  /account                  the person's own page: profile, email, links to password and security, sessions
 *   POST /account/profile          names, language, time zone
 *   POST /account/sessions/end     "Sign out everywhere": every session, grant and token, this browser's too
 *   POST /account/email            a new email: a link goes to it; the email changes when it is used
 *   GET/POST /account/email/confirm?token=…   the link: a page with a button (mail scanners open links), then the change
 *   GET  /account/login?return=…   signs in through the OIDC flow of the built-in client
 *   GET  /account/callback         back from it: the Gatehouse session now exists
 *   GET/POST /account/password     a signed-in user changes their own password
 *   GET  /account/security         their second factors: authenticator app, passkeys, recovery codes
 *   GET/POST /account/security/totp          set up an authenticator app
 *   POST /account/security/totp/delete       remove it
 *   POST /account/security/recovery-codes    make new recovery codes (the old ones stop working)
 * Passkeys are added and removed by routes/passkeys.ts.
 */
export function selfServiceRoutes(deps: {
  provider: () => Provider;
  issuer: string;
  identity: IdentityService;
  password: Pick<PasswordStrategy, 'verifyUser'>;
  mfa: MfaService;
  passkeys: PasskeysService;
  users: Pick<UsersRepository, 'findById'>;
  profile: Pick<UserAdminService, 'updateOwnProfile'>;
  sessions: Pick<UserSessionsService, 'mine' | 'endMine'>;
  emailChanges: EmailChangeService;
  csrf: Csrf;
  render: Renderer;
}) {
  const { csrf, render } = deps;
  const router = new Router({ prefix: '/account' });

  /** The signed-in user (their pages speak their language), or a redirect to sign in. */
  const pageUser = async (ctx: Context, back: string) => {
    const userId = await selfServicePageUser(deps.provider, ctx, back);
    if (userId) knowUser(ctx, await deps.users.findById(userId));
    return userId;
  };

  router.get('/login', (ctx) => {
    const back = RETURN_PATHS.has(String(ctx.query.return)) ? String(ctx.query.return) : '/account';
    const url = new URL(`${deps.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: SELF_SERVICE_CLIENT_ID,
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
    ctx.redirect(RETURN_PATHS.has(back) ? back : '/account');
  });

  /** The account page, with what the person typed and why it was refused when a form was. */
  async function accountPage(ctx: Context, userId: string, refusal?: AppError) {
    const user = await deps.users.findById(userId);
    assertThat(user, fail('user.not_found'));
    const [sessions, current] = await Promise.all([
      deps.sessions.mine(userId),
      deps.provider().Session.get(ctx as never),
    ]);
    const nameOf = async (clientId: string) =>
      ((await deps.provider().Client.find(clientId))?.clientName as string | undefined) ?? clientId;
    render.page(
      ctx,
      'account',
      {
        profile: {
          givenName: user.givenName ?? '',
          familyName: user.familyName ?? '',
          preferredLanguage: user.preferredLanguage ?? '',
          timezone: user.timezone ?? '',
        },
        email: { address: user.email, verified: user.emailVerified, pending: await deps.emailChanges.pending(userId) },
        languageTags: SUPPORTED_LANGUAGES,
        timeZones: TIME_ZONES,
        sessions: await Promise.all(
          sessions.map(async (s) => ({
            signedInAt: s.signedInAt,
            expiresAt: s.expiresAt,
            applications: await Promise.all(s.clients.filter((id) => id !== SELF_SERVICE_CLIENT_ID).map(nameOf)),
            methods: [...new Set(s.amr.flatMap((m) => METHODS[m] ?? []))],
            current: s.id === current.uid,
          })),
        ),
        done: ctx.query.done,
        message: refusal && pageNotice(refusal),
      },
      refusal?.status,
    );
  }

  router.get('/', async (ctx) => {
    const userId = await pageUser(ctx, '/account');
    if (userId) await accountPage(ctx, userId);
  });

  router.post('/profile', async (ctx) => {
    const userId = await pageUser(ctx, '/account');
    if (!userId) return;
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    const user = await deps.users.findById(userId);
    assertThat(user, fail('user.not_found'));
    const text = (value: string | undefined) => (value ?? '').trim() || null;
    try {
      await deps.profile.updateOwnProfile(
        userId,
        {
          givenName: text(form.given_name),
          familyName: text(form.family_name),
          preferredLanguage: text(form.language),
          timezone: text(form.timezone),
        },
        selfOperator(user, ctx.ip),
      );
    } catch (err) {
      if (err instanceof AppError && err.expose) return accountPage(ctx, userId, err);
      throw err;
    }
    ctx.status = 303;
    ctx.redirect('/account?done=profile');
  });

  router.post('/email', async (ctx) => {
    const userId = await pageUser(ctx, '/account');
    if (!userId) return;
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    try {
      await deps.emailChanges.request(userId, form.email ?? '');
    } catch (err) {
      if (err instanceof AppError && err.expose) return accountPage(ctx, userId, err);
      throw err;
    }
    ctx.status = 303;
    ctx.redirect('/account?done=email_sent');
  });

  router.get('/email/confirm', async (ctx) => {
    const token = String(ctx.query.token ?? '');
    const email = await deps.emailChanges.check(token);
    assertThat(email, fail('email_change.invalid_token'));
    render.page(ctx, 'account-email-confirm', { token, email });
  });

  router.post('/email/confirm', async (ctx) => {
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    await deps.emailChanges.confirm(form.token ?? '', ctx.ip);
    ctx.status = 303;
    ctx.redirect('/account?done=email_changed');
  });

  router.post('/sessions/end', async (ctx) => {
    const userId = await pageUser(ctx, '/account');
    if (!userId) return;
    csrf.verify(ctx, (await readForm(ctx))._csrf);
    await deps.sessions.endMine(userId, ctx.ip);
    render.page(ctx, 'signed-out-everywhere', {});
  });

  router.get('/password', async (ctx) => {
    if (!(await pageUser(ctx, '/account/password'))) return;
    render.page(ctx, 'self-service-password', {});
  });

  router.post('/password', async (ctx) => {
    const userId = await pageUser(ctx, '/account/password');
    if (!userId) return;
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    if (form.new_password !== form.new_password_confirm)
      return render.page(ctx, 'self-service-password', { message: noticeOf('password.confirmation_differs') }, 400);
    const check = await deps.password.verifyUser(userId, form.current_password ?? '', ctx.ip);
    if (!check.ok)
      return render.page(
        ctx,
        'self-service-password',
        { message: noticeOf(check.code === 'login.invalid_credentials' ? 'self_service.wrong_password' : check.code) },
        403,
      );
    try {
      await deps.identity.setPassword(userId, form.new_password ?? '', { type: 'user', id: userId }, { reset: false });
    } catch (err) {
      if (err instanceof AppError && err.code.startsWith('password.'))
        return render.page(ctx, 'self-service-password', { message: pageNotice(err) }, 400);
      throw err;
    }
    render.page(ctx, 'self-service-password', { done: true });
  });

  const securityUser = (ctx: Context) => pageUser(ctx, '/account/security');
  const self = (userId: string) => ({ type: 'user', id: userId }) as const;
  const showCodes = (ctx: Context, codes: string[]) =>
    render.page(ctx, 'mfa-recovery-codes', { codes, action: '/account/security' });

  router.get('/security', async (ctx) => {
    const userId = await securityUser(ctx);
    if (!userId) return;
    const [summary, passkeys] = await Promise.all([deps.mfa.summary(userId), deps.passkeys.list(userId)]);
    render.page(ctx, 'self-service-security', { summary, passkeys, done: ctx.query.done });
  });

  router.get('/security/totp', async (ctx) => {
    const userId = await securityUser(ctx);
    if (!userId) return;
    const user = await deps.users.findById(userId);
    assertThat(user, fail('user.not_found'));
    render.page(ctx, 'mfa-enrol', {
      ...(await deps.mfa.startTotpEnrolment(userId, user.email ?? user.userCode)),
      action: '/account/security/totp',
    });
  });

  router.post('/security/totp', async (ctx) => {
    const userId = await securityUser(ctx);
    if (!userId) return;
    const form = await readForm(ctx);
    csrf.verify(ctx, form._csrf);
    const check = await deps.mfa.confirmTotpEnrolment(userId, (form.code ?? '').trim(), ctx.ip);
    if (!check.ok) {
      const enrolment = await deps.mfa.currentTotpEnrolment(userId);
      assertThat(enrolment, fail('mfa.no_enrolment'));
      const refusal = check.code === 'mfa.locked' ? 'self_service.totp_locked' : 'self_service.totp_invalid_code';
      return render.page(
        ctx,
        'mfa-enrol',
        { ...enrolment, action: '/account/security/totp', message: noticeOf(refusal) },
        ERRORS[refusal].status,
      );
    }
    // A new authenticator comes with new recovery codes, shown once (old ones may be long forgotten).
    showCodes(ctx, await deps.mfa.newRecoveryCodes(userId, self(userId)));
  });

  router.post('/security/totp/delete', async (ctx) => {
    const userId = await securityUser(ctx);
    if (!userId) return;
    csrf.verify(ctx, (await readForm(ctx))._csrf);
    await deps.mfa.removeTotp(userId, self(userId));
    ctx.status = 303;
    ctx.redirect('/account/security?done=totp_removed');
  });

  router.post('/security/recovery-codes', async (ctx) => {
    const userId = await securityUser(ctx);
    if (!userId) return;
    csrf.verify(ctx, (await readForm(ctx))._csrf);
    showCodes(ctx, await deps.mfa.newRecoveryCodes(userId, self(userId)));
  });

  return router;
}
