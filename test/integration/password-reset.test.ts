import test from 'ava';
import * as oidc from 'openid-client';
import { auditEvents } from '../helpers/audit.js';
import { Browser, alertText } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';

const NEW_PASSWORD = 'quiet-meadow-81-compass';

// Locks last until a password reset.
const server = serverPerFile(test, { LOCKOUT_MINUTES: '0' });
const client = perFile(test, () => server.createClient());

/** Waits for the reset mail (sent after the page has answered) and returns its link. */
async function resetLink(email: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    // The newest mail with a link (a lock notice may have come in between).
    for (const mail of await server.repos.outbox.list(5, email)) {
      const link = /https?:\/\/\S+reset-password\?token=\S+/.exec(mail.text)?.[0];
      if (link) return link;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no reset mail for ${email}`);
}

async function askForLink(identifier: string) {
  const browser = new Browser(server.url);
  const form = await browser.open('/forgot-password');
  return browser.submit(form, { identifier });
}

async function signIn(username: string, password: string) {
  const rp = await relyingParty(server, client);
  const browser = new Browser(server.url);
  const auth = await rp.authorizationUrl();
  return browser.submit(await browser.open(auth.url.toString()), { username, password }, '/login');
}

test('the same answer whether or not the user exists, and no mail for an unknown one', async (t) => {
  const user = await server.createUser();
  const known = await askForLink(user.email);
  const unknown = await askForLink('nobody@example.com');
  t.is(known.status, 200);
  t.is(unknown.status, 200);
  t.is(known.html, unknown.html);
  await resetLink(user.email);
  t.deepEqual(await server.repos.outbox.list(5, 'nobody@example.com'), []);
});

test('reset end to end: link by userCode, policy applied, lock cleared, sessions ended, link single-use', async (t) => {
  const user = await server.createUser({ userCode: 'RST-7' });
  const rp = await relyingParty(server, client);
  const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid offline_access' });
  for (let i = 0; i < 5; i++) await signIn(user.email, 'wrong-password-000');
  t.is((await server.db('users').where({ id: user.id }).first()).status, 'locked');

  await askForLink('rst-7');
  const link = await resetLink(user.email);
  t.false(
    link.includes(String((await server.db('password_reset_tokens').where({ user_id: user.id }).first()).token_hash)),
    'only a hash is stored',
  );

  const browser = new Browser(server.url);
  const form = await browser.open(link);
  t.regex(form.html, /Choose a new password/);
  const tooShort = await browser.submit(form, { password: 'short', password_confirm: 'short' });
  t.is(tooShort.status, 400);
  t.regex(alertText(tooShort.html) ?? '', /at least 12 characters/);
  const common = await browser.submit(form, { password: 'password1234', password_confirm: 'password1234' });
  t.regex(alertText(common.html) ?? '', /too common/);
  const reused = await browser.submit(form, { password: PASSWORD, password_confirm: PASSWORD });
  t.regex(alertText(reused.html) ?? '', /differ from your last 5 passwords/);

  const done = await browser.submit(form, { password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
  t.is(done.status, 200);
  t.regex(done.html, /Password changed/);

  const stored = await server.db('users').where({ id: user.id }).first();
  t.is(stored.status, 'active');
  t.is(stored.failed_attempts, 0);
  await t.throwsAsync(
    oidc.refreshTokenGrant(rp.config, tokens.refresh_token!),
    undefined,
    'the sessions and tokens were ended',
  );

  t.truthy((await signIn(user.email, NEW_PASSWORD)).leftTo);
  t.is((await signIn(user.email, PASSWORD)).status, 401);

  const again = await new Browser(server.url).open(link);
  t.is(again.status, 400);
  t.regex(again.html, /expired or was already used/);
});

test('a link expires', async (t) => {
  const user = await server.createUser();
  await askForLink(user.email);
  const link = await resetLink(user.email);
  await server
    .db('password_reset_tokens')
    .where({ user_id: user.id })
    .update({ expires_at: new Date(Date.now() - 1000) });
  const page = await new Browser(server.url).open(link);
  t.is(page.status, 400);
});

test('a signed-in user changes their own password at /account/password', async (t) => {
  const user = await server.createUser({ userCode: 'SELF-1' });
  const browser = new Browser(server.url);
  // Not signed in: the page sends the browser through the sign-in first.
  const login = await browser.open('/account/password');
  t.regex(login.html, /name="password"/);
  const form = await browser.submit(login, { username: 'SELF-1', password: PASSWORD }, '/login');
  t.regex(form.html, /Change your password/);

  const wrong = await browser.submit(form, {
    current_password: 'nope-nope-nope-1',
    new_password: NEW_PASSWORD,
    new_password_confirm: NEW_PASSWORD,
  });
  t.is(wrong.status, 403);
  t.regex(alertText(wrong.html) ?? '', /current password is incorrect/);
  const changed = await browser.submit(form, {
    current_password: PASSWORD,
    new_password: NEW_PASSWORD,
    new_password_confirm: NEW_PASSWORD,
  });
  t.regex(changed.html, /has been changed/);
  t.truthy((await signIn('SELF-1', NEW_PASSWORD)).leftTo);
  const audit = await auditEvents(server, { target_id: user.id, action: 'user.password_changed' });
  t.is(audit.length, 1);
});
