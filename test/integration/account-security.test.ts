import test from 'ava';
import { auditEvents } from '../helpers/audit.js';
import { Browser, alertText } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';
import { handClock, recoveryCodes, textOf } from '../helpers/totp.js';

/** The server's clock, moved by hand: TOTP codes follow it (so the tests run one after another). */
const { clock, later, codeFor } = handClock();

const server = serverPerFile(test, {}, { clock });
const client = perFile(test, () => server.createClient());

/** Signs in on the account pages (the built-in first-party client); lands on /account/security. */
async function securityPage(user: { email: string }) {
  const browser = new Browser(server.url);
  const login = await browser.open('/account/security');
  const page = await browser.submit(login, { username: user.email, password: PASSWORD }, '/login');
  return { browser, page };
}

test.serial('the security page needs a signed-in user', async (t) => {
  const page = await new Browser(server.url).open('/account/security');
  t.regex(page.url, /\/interaction\//);
  t.regex(page.html, /name="password"/);
});

test.serial('a person sets up an authenticator app on their security page, and sign-in then asks for it', async (t) => {
  const user = await server.createUser({ role: 'individual' });
  const { browser, page } = await securityPage(user);
  t.regex(page.url, /\/account\/security$/);
  t.regex(textOf(page, 'totp-state') ?? '', /Off/);

  const enrolPage = await browser.open('/account/security/totp');
  const secret = textOf(enrolPage, 'totp-secret')!;
  t.regex(secret, /^[A-Z2-7]{32}$/);
  const wrong = await browser.submit(enrolPage, { code: 'nope' }, '/account/security/totp');
  t.is(wrong.status, 401);
  t.is(textOf(wrong, 'totp-secret'), secret);
  const codesPage = await browser.submit(wrong, { code: codeFor(secret) }, '/account/security/totp');
  t.is(recoveryCodes(codesPage).length, 10, 'the first factor comes with recovery codes, shown once');

  const after = await browser.open('/account/security');
  t.regex(textOf(after, 'totp-state') ?? '', /On/);
  t.regex(textOf(after, 'recovery-state') ?? '', /^10 unused recovery codes left/);

  later(30);
  const rp = await relyingParty(server, client);
  const auth = await rp.authorizationUrl();
  const other = new Browser(server.url);
  const second = await other.submit(
    await other.open(auth.url.toString()),
    { username: user.email, password: PASSWORD },
    '/login',
  );
  t.regex(second.html, /Code from your authenticator app/);
  const done = await other.submit(second, { code: codeFor(secret) }, '/mfa/totp');
  t.deepEqual((await rp.exchange(done, auth)).claims()!.amr, ['pwd', 'otp']);
});

test.serial('new recovery codes void the old ones; removing the app turns the second step off', async (t) => {
  const user = await server.createUser({ role: 'manager' });
  const { browser, page } = await securityPage(user);
  const enrolPage = await browser.open('/account/security/totp');
  const first = recoveryCodes(
    await browser.submit(enrolPage, { code: codeFor(textOf(enrolPage, 'totp-secret')!) }, '/account/security/totp'),
  );
  const fresh = recoveryCodes(await browser.submit(page, {}, '/account/security/recovery-codes'));
  t.is(fresh.length, 10);
  t.false(fresh.some((c) => first.includes(c)));
  t.deepEqual(await server.container.mfa.useRecoveryCode(user.id, first[0]!, null), {
    ok: false,
    code: 'mfa.invalid_code',
  });
  t.deepEqual(await server.container.mfa.useRecoveryCode(user.id, fresh[0]!, null), { ok: true });

  const removed = await browser.submit(await browser.open('/account/security'), {}, '/account/security/totp/delete');
  t.regex(textOf(removed, 'totp-state') ?? '', /Off/);
  const audit = await auditEvents(server, { target_id: user.id }).pluck('action');
  t.true(audit.includes('mfa.totp_enrolled'));
  t.true(audit.includes('mfa.recovery_codes_created'));
});

test.serial('security forms refuse a missing CSRF token', async (t) => {
  const user = await server.createUser();
  const { browser } = await securityPage(user);
  const res = await browser.open('/account/security/recovery-codes', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  t.is(res.status, 403);
  t.regex(alertText(res.html) ?? res.html, /expired/);
  t.is(await server.db('recovery_codes').where({ user_id: user.id }).first(), undefined);
});
