import test from 'ava';
import { generateSync } from 'otplib';
import { auditEvents } from '../helpers/audit.js';
import { Browser, alertText, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';
import { handClock, recoveryCodes, textOf } from '../helpers/totp.js';
import { ACR_MFA, ACR_PASSWORD } from '../../src/domain/authentication.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { cliServices } from '../../src/container.js';

/** The server's clock, moved by hand: TOTP codes follow it (so the tests run one after another). */
const { clock, later, codeFor } = handClock();

// The defaults: admins and super admins must use MFA; 5 wrong codes lock the second step for 15 minutes.
const server = serverPerFile(test, {}, { clock });
const client = perFile(test, () => server.createClient());

/** Opens a relying party's sign-in and submits the password. */
async function password(
  user: { email: string },
  params: Record<string, string> = {},
  browser = new Browser(server.url),
) {
  const rp = await relyingParty(server, client);
  const auth = await rp.authorizationUrl(params);
  const form = await browser.open(auth.url.toString());
  const page = form.leftTo ? form : await browser.submit(form, { username: user.email, password: PASSWORD }, '/login');
  return { rp, auth, browser, page };
}

const claimsOf = async (flow: Awaited<ReturnType<typeof password>>, page: Page) =>
  (await flow.rp.exchange(page, flow.auth)).claims()!;

/** A person's first sign-in under the MFA policy: reads the secret off the page as they would. */
async function enrol(user: { email: string }) {
  const flow = await password(user);
  const secret = textOf(flow.page, 'totp-secret')!;
  const codes = await flow.browser.submit(flow.page, { code: codeFor(secret) }, '/mfa/enrol');
  const done = await flow.browser.submit(codes, {}, '/mfa/continue');
  return { secret, recoveryCodes: recoveryCodes(codes), claims: await claimsOf(flow, done) };
}

test.serial(
  'an admin signing in for the first time sets up an authenticator app from the page, then gets recovery codes once',
  async (t) => {
    const admin = await server.createUser({ role: 'admin' });
    const flow = await password(admin);
    t.is(flow.page.status, 200);
    t.falsy(flow.page.leftTo, 'no code is issued before the second factor');
    t.regex(flow.page.html, /Set up an authenticator app/);
    const secret = textOf(flow.page, 'totp-secret')!;
    t.regex(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret, shown as text');
    const uri = new URL(textOf(flow.page, 'totp-uri')!.replace(/&amp;/g, '&'));
    t.is(uri.protocol, 'otpauth:');
    t.is(uri.host, 'totp');
    t.is(uri.searchParams.get('secret'), secret);
    t.true(decodeURIComponent(uri.pathname).endsWith(admin.email));
    t.regex(flow.page.html, /<img id="totp-qr" src="data:image\/(png|svg\+xml)[;,]/);
    t.regex(flow.page.html, /<input id="code" name="code"/);

    const wrong = await flow.browser.submit(
      flow.page,
      { code: codeFor(secret) === '123456' ? '654321' : '123456' },
      '/mfa/enrol',
    );
    t.is(wrong.status, 401);
    t.regex(alertText(wrong.html) ?? '', /incorrect/);
    t.is(textOf(wrong, 'totp-secret'), secret, 'a wrong code keeps the secret the person already scanned');

    const codes = await flow.browser.submit(wrong, { code: codeFor(secret) }, '/mfa/enrol');
    const shown = recoveryCodes(codes);
    t.is(shown.length, 10);
    t.is(new Set(shown).size, 10);
    t.falsy(codes.leftTo);
    const stored = await server.db('totp_factors').where({ user_id: admin.id }).first();
    t.truthy(stored.confirmed_at);
    t.false(JSON.stringify(stored).includes(secret), 'the secret is stored encrypted');
    const hashes = await server.db('recovery_codes').where({ user_id: admin.id }).pluck('code_hash');
    t.is(hashes.length, 10);
    t.false(
      shown.some((code) => hashes.some((h: string) => h.includes(code))),
      'recovery codes are stored hashed',
    );

    const done = await flow.browser.submit(codes, {}, '/mfa/continue');
    const claims = await claimsOf(flow, done);
    t.deepEqual(claims.amr, ['pwd', 'otp']);
    t.is(claims.acr, ACR_MFA);
    t.is(claims.sub, admin.id);
  },
);

test.serial('sign-in with fresh, replayed, wrong and missing codes', async (t) => {
  const admin = await server.createUser({ role: 'admin' });
  const { secret } = await enrol(admin);

  const flow = await password(admin);
  t.regex(flow.page.html, /Code from your authenticator app/);
  const replayed = await flow.browser.submit(flow.page, { code: codeFor(secret) }, '/mfa/totp');
  t.is(replayed.status, 401, 'the code of the time step used at enrolment is spent');
  t.regex(alertText(replayed.html) ?? '', /incorrect or has already been used/);
  const missing = await flow.browser.submit(replayed, { code: '' }, '/mfa/totp');
  t.is(missing.status, 401);
  const wrong = await flow.browser.submit(missing, { code: 'abc123' }, '/mfa/totp');
  t.is(wrong.status, 401);
  t.falsy(wrong.leftTo);

  later(30);
  const fresh = await flow.browser.submit(wrong, { code: codeFor(secret) }, '/mfa/totp');
  const claims = await claimsOf(flow, fresh);
  t.deepEqual(claims.amr, ['pwd', 'otp']);
  t.is(claims.acr, ACR_MFA);

  const again = await password(admin);
  const reused = await again.browser.submit(again.page, { code: codeFor(secret) }, '/mfa/totp');
  t.is(reused.status, 401, 'a code is good once, even in a new sign-in');

  const drift = generateSync({ secret, epoch: Math.floor(clock.current.getTime() / 1000) + 30 });
  const next = await again.browser.submit(reused, { code: drift }, '/mfa/totp');
  t.truthy(next.leftTo?.searchParams.get('code'), 'a code one step ahead (clock drift) is accepted');
});

test.serial('five wrong codes lock the second step for the lockout time, and never the password', async (t) => {
  const admin = await server.createUser({ role: 'admin' });
  const { secret } = await enrol(admin);
  later(30);
  const flow = await password(admin);
  let page = flow.page;
  for (let i = 0; i < 5; i++)
    page = await flow.browser.submit(page, { code: '000000' === codeFor(secret) ? '111111' : '000000' }, '/mfa/totp');
  const locked = await flow.browser.submit(page, { code: codeFor(secret) }, '/mfa/totp');
  t.is(locked.status, 403);
  t.regex(alertText(locked.html) ?? '', /locked/);
  const row = await server.db('users').where({ id: admin.id }).first();
  t.is(row.failed_attempts, 0, 'the password counter is untouched');
  t.is(row.status, 'active');

  const retry = await password(admin);
  t.regex(retry.page.html, /Code from your authenticator app/, 'the password still works');
  t.regex(alertText(retry.page.html) ?? '', /locked/, 'the page says the second step is locked');
  later(15 * 60 + 30);
  const after = await retry.browser.submit(retry.page, { code: codeFor(secret) }, '/mfa/totp');
  t.truthy(after.leftTo?.searchParams.get('code'), 'the lock runs out after the lockout time');
});

test.serial('a recovery code signs in once', async (t) => {
  const admin = await server.createUser({ role: 'super_admin' });
  const { recoveryCodes: codes } = await enrol(admin);
  const flow = await password(admin);
  const page = await flow.browser.submit(flow.page, { code: codes[3]!.toUpperCase() }, '/mfa/recovery');
  const claims = await claimsOf(flow, page);
  t.deepEqual(claims.amr, ['pwd', 'otp']);

  const again = await password(admin);
  const reused = await again.browser.submit(again.page, { code: codes[3]! }, '/mfa/recovery');
  t.is(reused.status, 401);
  t.falsy(reused.leftTo);
  const other = await again.browser.submit(reused, { code: codes[4]! }, '/mfa/recovery');
  t.truthy(other.leftTo?.searchParams.get('code'));
  const used = await server.db('recovery_codes').where({ user_id: admin.id }).whereNotNull('used_at').count({ n: '*' });
  t.is(Number(used[0]!.n), 2);
});

test.serial(
  'a user whose role needs no MFA signs in with a password, until a relying party asks for MFA (step-up)',
  async (t) => {
    const user = await server.createUser({ role: 'individual' });
    const flow = await password(user);
    const claims = await claimsOf(flow, flow.page);
    t.deepEqual(claims.amr, ['pwd']);
    t.is(claims.acr, ACR_PASSWORD);

    // Same browser, same session: the client now asks for MFA.
    const stepUp = await password(user, { acr_values: ACR_MFA }, flow.browser);
    t.regex(stepUp.page.html, /Set up an authenticator app/, 'the password-only session is not enough');
    const secret = textOf(stepUp.page, 'totp-secret')!;
    const codes = await stepUp.browser.submit(stepUp.page, { code: codeFor(secret) }, '/mfa/enrol');
    const done = await stepUp.browser.submit(codes, {}, '/mfa/continue');
    const upgraded = await claimsOf(stepUp, done);
    t.is(upgraded.acr, ACR_MFA);

    // Asking for MFA with prompt=none on the upgraded session needs no page.
    const rp = await relyingParty(server, client);
    const auth = await rp.authorizationUrl({ acr_values: ACR_MFA, prompt: 'none' });
    const silent = await flow.browser.open(auth.url.toString());
    t.truthy(silent.leftTo?.searchParams.get('code'));
  },
);

test.serial('a user with a factor is asked for it even when no policy requires it', async (t) => {
  const user = await server.createUser({ role: 'manager' });
  await password(user, { acr_values: ACR_MFA }).then(async (flow) => {
    const secret = textOf(flow.page, 'totp-secret')!;
    const codes = await flow.browser.submit(flow.page, { code: codeFor(secret) }, '/mfa/enrol');
    await flow.browser.submit(codes, {}, '/mfa/continue');
  });
  const flow = await password(user);
  t.regex(flow.page.html, /Code from your authenticator app/);
});

test.serial('`gatehouse user reset-mfa` clears every factor: the next sign-in enrols again', async (t) => {
  const admin = await server.createUser({ role: 'admin' });
  await enrol(admin);
  const result = await COMMANDS['user reset-mfa']!.run(cliServices(server.container), {}, [admin.email]);
  t.like(result, { id: admin.id, mfaReset: true });
  t.is(await server.db('totp_factors').where({ user_id: admin.id }).first(), undefined);
  t.deepEqual(await server.db('recovery_codes').where({ user_id: admin.id }), []);
  const flow = await password(admin);
  t.regex(flow.page.html, /Set up an authenticator app/);
  const audit = await auditEvents(server, { target_id: admin.id, action: 'mfa.reset' });
  t.is(audit.length, 1);
});

test.serial('a second step cannot be skipped: the token endpoint gets no code before it', async (t) => {
  const admin = await server.createUser({ role: 'admin' });
  await enrol(admin);
  const flow = await password(admin);
  // Resuming the authorization without the second step starts a new sign-in.
  const resumed = await flow.browser.open(flow.page.url.replace(/\/interaction\/([^/]+).*/, '/auth/$1'));
  t.falsy(resumed.leftTo?.searchParams.get('code'));
  t.regex(resumed.html, /name="password"/);
  // A step that is not the pending one is refused.
  const { _csrf } = flow.browser.form(flow.page, '/mfa/totp').fields;
  const skip = await flow.browser.open(`${flow.page.url}/mfa/continue`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: _csrf! }).toString(),
  });
  t.is(skip.status, 400);
  t.falsy(skip.leftTo);
});
