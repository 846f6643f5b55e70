import test from 'ava';
import * as oidc from 'openid-client';
import { Browser, alertText, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';

const server = serverPerFile(test);
const client = perFile(test, () => server.createClient());
const row = (id: string) => server.db('users').where({ id }).first();

/** A browser signed in at /account (through the sign-in pages); `keep`: "Keep me signed in". */
async function signedIn(username: string, keep = true): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser(server.url);
  const login = await browser.open('/account');
  const page = await browser.submit(
    login,
    { username, password: PASSWORD, keep_signed_in: keep ? 'yes' : '' },
    '/login',
  );
  return { browser, page };
}

const sessionCookie = (browser: Browser) => browser.setCookies.filter((l) => l.startsWith('_session=')).at(-1) ?? '';

test('"Keep me signed in": a persistent session cookie with it, a browser-session cookie without', async (t) => {
  const user = await server.createUser();
  const kept = await signedIn(user.email, true);
  t.regex(sessionCookie(kept.browser), /expires=/i);
  const transient = await signedIn(user.email, false);
  t.truthy(sessionCookie(transient.browser));
  t.notRegex(sessionCookie(transient.browser), /expires=|max-age=/i);
  t.regex(transient.page.html, /Your account/, 'signed in either way');
});

test('/account shows the profile and saves names, language and time zone', async (t) => {
  const user = await server.createUser({ givenName: 'Ada', familyName: 'Lovelace' });
  const { browser, page } = await signedIn(user.email);
  t.regex(page.html, /<h1>Your account<\/h1>/);
  t.regex(page.html, /value="Ada"/);
  const saved = await browser.submit(
    page,
    { given_name: 'Augusta', family_name: 'King', language: 'de-DE', timezone: 'Europe/Berlin' },
    '/account/profile',
  );
  // The page now speaks the language just chosen.
  t.regex(saved.html, /Ihr Profil ist gespeichert/);
  const after = await row(user.id);
  t.like(after, { given_name: 'Augusta', family_name: 'King', preferred_language: 'de-DE', timezone: 'Europe/Berlin' });
  const refused = await browser.submit(saved, { timezone: 'Mars/Olympus' }, '/account/profile');
  t.is(refused.status, 400);
  t.regex(alertText(refused.html) ?? '', /Zeitzone/);
  t.is((await row(user.id)).timezone, 'Europe/Berlin', 'nothing half-written');
});

test('a profile form without the CSRF token is refused', async (t) => {
  const user = await server.createUser({ givenName: 'Kept' });
  const { browser } = await signedIn(user.email);
  const res = await browser.fetch('/account/profile', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'given_name=Mallory',
  });
  t.is(res.status, 403);
  t.is((await row(user.id)).given_name, 'Kept');
});

test('"Sign out everywhere" ends every session and token, this browser\'s too', async (t) => {
  const user = await server.createUser();
  const rp = await relyingParty(server, client);
  const elsewhere = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid offline_access' });
  const { browser, page } = await signedIn(user.email);
  t.is([...page.html.matchAll(/<tr>\s*<td>/g)].length, 2, 'both sessions are listed');
  t.regex(page.html, /\(this browser\)/);
  const done = await browser.submit(page, {}, '/account/sessions/end');
  t.regex(done.html, /Signed out everywhere/);
  t.false((await oidc.tokenIntrospection(rp.config, elsewhere.tokens.access_token)).active);
  await t.throwsAsync(oidc.refreshTokenGrant(rp.config, elsewhere.tokens.refresh_token!));
  const again = await browser.open('/account');
  t.regex(again.html, /name="password"/, 'this browser signs in again');
});

async function mailLink(to: string, path: string): Promise<string> {
  for (const mail of await server.repos.outbox.list(5, to)) {
    const link = new RegExp(`https?://\\S+${path}\\?token=\\S+`).exec(mail.text)?.[0];
    if (link) return link;
  }
  throw new Error(`no ${path} link to ${to}`);
}

test('a new email counts only once the link sent to it is used; then it is verified, in tokens too', async (t) => {
  const user = await server.createUser();
  t.false((await row(user.id)).email_verified, 'an email nobody vouched for');
  const { browser, page } = await signedIn(user.email);
  const asked = await browser.submit(page, { email: 'new-address@example.org' }, '/account/email');
  t.regex(asked.html, /We have sent a link/);
  t.regex(asked.html, /Waiting for confirmation: new-address@example\.org/);
  t.is((await row(user.id)).email, user.email, 'the old email stays until the link is used');

  const link = await mailLink('new-address@example.org', '/account/email/confirm');
  const confirm = await new Browser(server.url).open(link);
  t.regex(confirm.html, /new-address@example\.org/);
  t.is((await row(user.id)).email, user.email, 'opening the link (a mail scanner) changes nothing');
  const other = new Browser(server.url);
  const shown = await other.open(link);
  await other.submit(shown, {}, '/account/email/confirm');
  t.like(await row(user.id), { email: 'new-address@example.org', email_verified: true });

  const reused = await new Browser(server.url).open(link);
  t.is(reused.status, 400);
  t.regex(alertText(reused.html) ?? '', /expired or was already used/);

  const rp = await relyingParty(server, client);
  const { tokens } = await rp.signIn({ username: 'new-address@example.org', password: PASSWORD });
  t.like(tokens.claims(), { email: 'new-address@example.org', email_verified: true });
  const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub);
  t.is(info.email_verified, true);
});

test('an invalid new email is refused on the page', async (t) => {
  const user = await server.createUser();
  const { browser, page } = await signedIn(user.email);
  const refused = await browser.submit(page, { email: 'not-an-address' }, '/account/email');
  t.is(refused.status, 400);
  t.regex(alertText(refused.html) ?? '', /valid email/);
});

test('a used password-reset link verifies the email; an administrator may vouch too, and a changed email is unverified', async (t) => {
  const user = await server.createUser();
  await server.container.passwordResets.send({ id: user.id, email: user.email }, { type: 'cli' }, null);
  const link = await mailLink(user.email, '/reset-password');
  const browser = new Browser(server.url);
  const form = await browser.open(link);
  await browser.submit(form, { password: 'a-brand-new-passphrase-88', password_confirm: 'a-brand-new-passphrase-88' });
  t.true((await row(user.id)).email_verified);

  await server.repos.users.update(user.id, { email: 'moved@example.net' }, server.db);
  t.false((await row(user.id)).email_verified, 'a new email is not verified');
  await server.repos.users.update(user.id, { email: 'moved@example.net', emailVerified: true }, server.db);
  t.true((await row(user.id)).email_verified, 'unless the change says so');
});
