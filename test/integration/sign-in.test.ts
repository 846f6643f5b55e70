import test from 'ava';
import argon2 from 'argon2';
import * as oidc from 'openid-client';
import { auditEvents } from '../helpers/audit.js';
import { Browser, alertText, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';
import type { Status } from '../../src/domain/user.js';

/** A clock the tests move by hand. */
const clock = {
  current: new Date(),
  now() {
    return new Date(this.current);
  },
};

// The sign-in rate limits (test/integration/rate-limits.test.ts) out of the way: the account lockout is tested here.
const server = serverPerFile(
  test,
  {
    LOCKOUT_MAX_ATTEMPTS: '5',
    LOCKOUT_MINUTES: '15',
    RATE_LIMIT_SIGNIN_IDENTIFIER: '1000/15m',
    RATE_LIMIT_SIGNIN_IP: '1000/15m',
  },
  { clock, productionPasswordCost: true },
);
const client = perFile(test, () => server.createClient());

async function loginPage(browser = new Browser(server.url)) {
  const rp = await relyingParty(server, client);
  const auth = await rp.authorizationUrl();
  return { browser, page: await browser.open(auth.url.toString()), rp, auth };
}

async function attempt(username: string, password: string): Promise<Page> {
  const { browser, page } = await loginPage();
  return browser.submit(page, { username, password }, '/login');
}

const row = async (id: string) => server.db('users').where({ id }).first();

const MAY_SIGN_IN: Status[] = ['active', 'new', 'import', 'temporary'];
for (const status of MAY_SIGN_IN) {
  test(`status ${status}: signs in with the right password`, async (t) => {
    const user = await server.createUser({ status });
    const before = await row(user.id);
    const page = await attempt(user.email, PASSWORD);
    t.truthy(page.leftTo?.searchParams.get('code'), alertText(page.html));
    const after = await row(user.id);
    t.is(after.status, status === 'new' ? 'active' : status, 'a new user becomes active at the first sign-in');
    t.is(
      after.version,
      before.version + (status === 'new' ? 1 : 0),
      'the version changes with the status, and only then',
    );
    t.truthy(after.last_sign_in_at);
  });
}

const REFUSED: Array<[Status, RegExp]> = [
  ['pending', /not active yet/],
  ['inactive', /deactivated/],
  ['locked', /locked\. Reset your password/],
];
for (const [status, message] of REFUSED) {
  test(`status ${status}: refused after the right password, with what to do`, async (t) => {
    const user = await server.createUser({ status });
    const page = await attempt(user.email, PASSWORD);
    t.is(page.status, 403);
    t.falsy(page.leftTo);
    t.regex(alertText(page.html) ?? '', message);
  });

  test(`status ${status}: a wrong password does not reveal the status`, async (t) => {
    const user = await server.createUser({ status });
    const page = await attempt(user.email, 'wrong-password-000');
    t.is(page.status, 401);
    t.is(alertText(page.html), 'The email, User ID or password is incorrect.');
  });
}

test('status deleted: the user is unknown to sign-in', async (t) => {
  const user = await server.createUser();
  await server.container.identity.setStatus(user.id, 'deleted', { type: 'cli' });
  const page = await attempt(user.email, PASSWORD);
  t.is(page.status, 401);
  t.is(alertText(page.html), 'The email, User ID or password is incorrect.');
});

test('a locked user is pointed to the password reset', async (t) => {
  const user = await server.createUser({ status: 'locked' });
  const page = await attempt(user.email, PASSWORD);
  t.regex(page.html, /href="\/forgot-password\?interaction=[^"]+identifier=/);
});

test('unknown user and wrong password get the same answer', async (t) => {
  const user = await server.createUser();
  const unknown = await attempt('nobody-here@example.com', PASSWORD);
  const wrong = await attempt(user.email, 'wrong-password-000');
  t.is(unknown.status, wrong.status);
  t.is(alertText(unknown.html), alertText(wrong.html));
  t.is(alertText(unknown.html), 'The email, User ID or password is incorrect.');
});

test('the identifier is the email or the userCode, in any case', async (t) => {
  const user = await server.createUser({ userCode: 'Emp-0042' });
  t.truthy((await attempt(user.email.toUpperCase(), PASSWORD)).leftTo);
  t.truthy((await attempt('EMP-0042', PASSWORD)).leftTo);
  t.truthy((await attempt('emp-0042', PASSWORD)).leftTo);
});

test('the typed username stays in the form after a failure', async (t) => {
  const user = await server.createUser();
  const page = await attempt(user.email, 'wrong-password-000');
  t.regex(page.html, new RegExp(`value="${user.email}"`));
});

test('20 parallel wrong guesses: only 5 are evaluated, the count stops at 5 and the user is locked', async (t) => {
  const user = await server.createUser();
  const pages = await Promise.all(Array.from({ length: 20 }, () => loginPage()));
  const results = await Promise.all(
    pages.map(({ browser, page }) =>
      browser.submit(page, { username: user.email, password: 'wrong-password-000' }, '/login'),
    ),
  );
  t.true(
    results.every((p) => p.status === 401 && alertText(p.html) === 'The email, User ID or password is incorrect.'),
  );
  const stored = await row(user.id);
  t.is(stored.failed_attempts, 5);
  t.is(stored.status, 'locked');
  t.is(stored.status_before_lock, 'active');
  const locks = await auditEvents(server, { target_id: user.id, action: 'user.locked' });
  t.is(locks.length, 1);

  // While locked, even the right password is not evaluated.
  const right = await attempt(user.email, PASSWORD);
  t.is(right.status, 401);
  t.is((await row(user.id)).failed_attempts, 5);
});

test('a success before the limit resets the count', async (t) => {
  const user = await server.createUser();
  for (let i = 0; i < 4; i++) await attempt(user.email, 'wrong-password-000');
  t.is((await row(user.id)).failed_attempts, 4);
  t.truthy((await attempt(user.email, PASSWORD)).leftTo);
  t.is((await row(user.id)).failed_attempts, 0);
});

// Serial: it moves the shared clock, and serial tests run before the others.
test.serial('a lock ends by itself after the lockout duration', async (t) => {
  const user = await server.createUser({ status: 'import' });
  for (let i = 0; i < 5; i++) await attempt(user.email, 'wrong-password-000');
  t.is((await row(user.id)).status, 'locked');
  clock.current = new Date(clock.current.getTime() + 14 * 60_000);
  t.is((await attempt(user.email, PASSWORD)).status, 401, 'still locked after 14 minutes');
  clock.current = new Date(clock.current.getTime() + 2 * 60_000);
  const page = await attempt(user.email, PASSWORD);
  t.truthy(page.leftTo, 'open again after 16 minutes');
  const after = await row(user.id);
  t.is(after.status, 'import', 'the status before the lock comes back');
  t.is(after.failed_attempts, 0);
});

test('a lock ends the sessions and tokens the user held', async (t) => {
  const user = await server.createUser();
  const rp = await relyingParty(server, client);
  const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid offline_access' });
  for (let i = 0; i < 5; i++) await attempt(user.email, 'wrong-password-000');
  t.false((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active);
  await t.throwsAsync(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!));
});

test('a form without the CSRF token is refused', async (t) => {
  const user = await server.createUser();
  const { browser, page } = await loginPage();
  const form = browser.form(page, '/login');
  const res = await browser.fetch(new URL(form.action, page.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: user.email, password: PASSWORD }).toString(),
  });
  t.is(res.status, 403);
  t.regex(await res.text(), /csrf\.invalid/);
  t.is((await row(user.id)).last_sign_in_at, null);
});

test('a hash made under older argon2 parameters is upgraded at sign-in', async (t) => {
  const user = await server.createUser();
  const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
  await server.db('users').where({ id: user.id }).update({ password_hash: weak });
  t.truthy((await attempt(user.email, PASSWORD)).leftTo);
  const upgraded = (await row(user.id)).password_hash as string;
  t.regex(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  t.true(await argon2.verify(upgraded, PASSWORD));
});

test('pages carry security headers and the CSRF cookie is HttpOnly and SameSite', async (t) => {
  const { browser, page } = await loginPage();
  const res = await browser.fetch(page.url);
  t.is(res.headers.get('x-frame-options'), 'DENY');
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  t.regex(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  const fresh = await fetch(page.url);
  const cookie = fresh.headers.getSetCookie().find((c) => c.startsWith('gh_csrf='));
  t.truthy(cookie);
  t.regex(cookie!, /httponly/i);
  t.regex(cookie!, /samesite=lax/i);
});
