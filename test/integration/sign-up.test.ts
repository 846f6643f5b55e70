import test from 'ava';
import { auditEvents } from '../helpers/audit.js';
import { adminServerPerFile, type SignedIn } from '../helpers/admin.js';
import { Browser, alertText, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PAGE_CSP } from '../../src/http/middleware/security-headers.js';
import { createSignUpRequestsRepository } from '../../src/repositories/sign-up-requests.js';

/*
 * Self-registration over real HTTP, the setting changed through the admin API.
 * TRUST_PROXY: each sign-up speaks from its own address (`x-forwarded-for`), so
 * only the throttling test reaches the small limit per IP.
 */
const s = adminServerPerFile(test, {
  TRUST_PROXY: 'true',
  RATE_LIMIT_SIGNUP_IP: '5/15m',
  RATE_LIMIT_SIGNUP_MAIL: '2/15m',
});
const client = perFile(test, () => s.server.createClient());
let superAdmin: SignedIn;
test.serial.before(async () => {
  superAdmin = await s.as('super_admin');
});

/** Passes the default policy and contains no part of the names and emails used here. */
const PASSWORD = 'copper-lantern-58-orchard';
let ips = 0;
const nextIp = () => `10.9.${Math.floor(++ips / 250)}.${ips % 250}`;

async function selfRegistration(value: Record<string, unknown>) {
  const put = await superAdmin.api('PUT', '/settings', { selfRegistration: value });
  if (put.status !== 200) throw new Error(`PUT /settings: ${put.status} ${JSON.stringify(put.body)}`);
  return put.body;
}

interface SignUpFields {
  email: string;
  given_name?: string;
  family_name?: string;
  password?: string;
  password_confirm?: string;
}

/** Fills the sign-up form as a person would (from `ip`); the answer page. */
async function signUp(fields: SignUpFields, ip = nextIp()): Promise<Page> {
  const browser = new Browser(s.server.url, { 'x-forwarded-for': ip });
  const form = await browser.open('/sign-up');
  return browser.submit(
    form,
    {
      given_name: 'Orla',
      family_name: 'Quennell',
      password: fields.password ?? PASSWORD,
      password_confirm: fields.password ?? PASSWORD,
      ...fields,
    },
    '/sign-up',
  );
}

/** Waits until `count` mails went to `email` (they are sent after the page answered); newest first. */
async function mails(email: string, count = 1) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await s.server.repos.outbox.list(10, email);
    if (list.length >= count) return list;
    if (Date.now() > deadline) throw new Error(`${list.length} of ${count} mails to ${email}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const linkOf = (mail: { text: string }) => /https?:\/\/\S+\/sign-up\/confirm\?token=\S+/.exec(mail.text)?.[0];

/** Opens the mail's link and presses the confirmation button: the page that says what happens next. */
async function confirm(link: string): Promise<Page> {
  const browser = new Browser(s.server.url);
  const page = await browser.open(link);
  if (page.status !== 200) return page;
  return browser.submit(page, {}, '/sign-up/confirm');
}

/** A sign-in at the client's authorization through the sign-in page: the page it ends on. */
async function signIn(username: string, password: string): Promise<Page> {
  const rp = await relyingParty(s.server, client);
  const browser = new Browser(s.server.url);
  const auth = await rp.authorizationUrl();
  return browser.submit(await browser.open(auth.url.toString()), { username, password }, '/login');
}

const userByEmail = (email: string) => s.server.db('users').whereRaw('lower(email) = lower(?)', [email]).first();

test.serial('off by default: no link on the sign-in page, and /sign-up is 404', async (t) => {
  const settings = await superAdmin.api('GET', '/settings');
  t.deepEqual(settings.body.selfRegistration, { enabled: false, approval: 'required', allowedDomains: [] });

  const rp = await relyingParty(s.server, client);
  const browser = new Browser(s.server.url);
  const login = await browser.open((await rp.authorizationUrl()).url.toString());
  t.regex(login.html, /Forgot password\?/);
  t.notRegex(login.html, /Create an account|\/sign-up/);

  const page = await browser.open('/sign-up');
  t.is(page.status, 404);
  t.regex(alertText(page.html) ?? '', /not available here/);
  // A post with a valid CSRF token is refused the same way, and nothing is mailed.
  const csrf = browser.form(await browser.open('/forgot-password')).fields._csrf!;
  const post = await browser.open('/sign-up', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: csrf,
      email: 'off@example.net',
      given_name: 'Orla',
      family_name: 'Quennell',
      password: PASSWORD,
      password_confirm: PASSWORD,
    }).toString(),
  });
  t.is(post.status, 404);
  t.is((await browser.open('/sign-up/confirm?token=anything')).status, 404);
  t.deepEqual(await s.server.repos.outbox.list(5, 'off@example.net'), []);
});

test.serial('the setting is checked: bad values are 400 and change nothing; only super admins change it', async (t) => {
  for (const value of [
    { enabled: 'yes' },
    { approval: 'maybe' },
    { allowedDomains: ['@example.com'] },
    { allowedDomains: ['Example.COM'] },
    { allowedDomains: ['localhost'] },
    { other: true },
  ]) {
    const bad = await superAdmin.api('PUT', '/settings', { selfRegistration: value });
    t.is(bad.status, 400, JSON.stringify(value));
    t.is(bad.body.error, 'request.invalid_body');
  }
  const { api } = await s.as('admin');
  t.is((await api('PUT', '/settings', { selfRegistration: { enabled: true } })).status, 403);
  t.false((await superAdmin.api('GET', '/settings')).body.selfRegistration.enabled);
});

test.serial('on: sign up from the sign-in page, confirm the email, pending until approved', async (t) => {
  const body = await selfRegistration({ enabled: true });
  t.deepEqual(body.selfRegistration, { enabled: true, approval: 'required', allowedDomains: [] });
  const changed = await auditEvents(s.server, { action: 'settings.changed' }).orderBy('id', 'desc').first();
  t.deepEqual(changed.changes.selfRegistration[1], { enabled: true, approval: 'required', allowedDomains: [] });

  // The sign-in page of an authorization offers the link, which keeps the way back.
  const rp = await relyingParty(s.server, client);
  const browser = new Browser(s.server.url, { 'x-forwarded-for': nextIp() });
  const login = await browser.open((await rp.authorizationUrl()).url.toString());
  const uid = /\/interaction\/([^/?"]+)/.exec(login.url)![1]!;
  t.regex(login.html, new RegExp(`<a href="/sign-up\\?interaction=${uid}">Create an account</a>`));
  const form = await browser.open(`/sign-up?interaction=${uid}`);
  t.is(form.status, 200);
  t.is(form.headers!.get('content-security-policy'), PAGE_CSP);
  t.notRegex(form.html, /<script|<style|\sstyle=|\son[a-z]+=/, 'nothing inline');
  for (const label of ['Email', 'Given name', 'Family name', 'Password', 'Repeat the password'])
    t.regex(form.html, new RegExp(`<label for="[a-z_]+">${label}</label>`), label);
  const sent = await browser.submit(form, {
    email: 'Ada.Pending@Example.net',
    given_name: 'Ada',
    family_name: 'Pendleton',
    password: PASSWORD,
    password_confirm: PASSWORD,
  });
  t.is(sent.status, 200);
  t.regex(sent.html, /Check your mail/);
  t.regex(sent.html, new RegExp(`href="/interaction/${uid}">Back to sign in`));

  const [mail] = await mails('Ada.Pending@Example.net');
  t.is(mail!.subject, 'Confirm your email to create your Gatehouse account');
  const link = linkOf(mail!)!;
  t.true(link.startsWith(`${s.server.url}/sign-up/confirm?token=`), link);
  const token = new URL(link).searchParams.get('token')!;
  const request = await s.server
    .db('sign_up_requests')
    .whereRaw('lower(email) = ?', ['ada.pending@example.net'])
    .first();
  t.not(request.token_hash, token, 'only a hash of the token is stored');
  t.regex(request.password_hash, /^\$argon2id\$/, 'the password is stored hashed');
  t.is(await userByEmail('ada.pending@example.net'), undefined, 'no user before the email is confirmed');

  // Opening the link changes nothing (mail scanners open links); the button does.
  const confirmBrowser = new Browser(s.server.url);
  const page = await confirmBrowser.open(link);
  t.is(page.status, 200);
  t.regex(
    page.html,
    /Create the account of <strong>Ada Pendleton<\/strong> for <strong>Ada.Pending@Example.net<\/strong>/,
  );
  t.is(await userByEmail('ada.pending@example.net'), undefined);
  const done = await confirmBrowser.submit(page, {}, '/sign-up/confirm');
  t.is(done.status, 200);
  t.regex(done.html, /Email confirmed/);
  t.regex(done.html, /waiting for approval/);

  const user = await userByEmail('ada.pending@example.net');
  t.like(user, { status: 'pending', given_name: 'Ada', family_name: 'Pendleton', main_role: 'individual' });
  const refused = await signIn('ada.pending@example.net', PASSWORD);
  t.is(refused.status, 403);
  t.regex(alertText(refused.html) ?? '', /not active yet/);

  const registered = await auditEvents(s.server, { target_id: user.id, action: 'user.registered' }).first();
  t.like(registered, { actor_type: 'anonymous', actor_name: 'self-registration' });
  t.deepEqual(registered.changes.status, [null, 'pending']);
  const confirmed = await auditEvents(s.server, { target_id: user.id, action: 'user.email_confirmed' }).first();
  t.like(confirmed, { actor_type: 'user', actor_id: user.id });
  t.is(confirmed.details.approval, 'required');

  // The link works once.
  const again = await new Browser(s.server.url).open(link);
  t.is(again.status, 400);
  t.regex(alertText(again.html) ?? '', /expired or was already used/);
  t.regex(again.html, /href="\/sign-up"/);
  const replay = await confirmBrowser.submit(page, {}, '/sign-up/confirm');
  t.is(replay.status, 400);
  t.is((await s.server.db('users').whereRaw('lower(email) = ?', ['ada.pending@example.net'])).length, 1);
});

test.serial('approval none: the confirmed person is active and signs in', async (t) => {
  await selfRegistration({ enabled: true, approval: 'none' });
  t.is((await signUp({ email: 'bea.active@example.net', given_name: 'Bea', family_name: 'Actonbury' })).status, 200);
  const done = await confirm(linkOf((await mails('bea.active@example.net'))[0]!)!);
  t.regex(done.html, /Account created/);
  t.regex(done.html, /href="\/account\/login\?return=\/account\/security">Sign in/);
  t.is((await userByEmail('bea.active@example.net')).status, 'active');
  t.truthy((await signIn('bea.active@example.net', PASSWORD)).leftTo, 'signed in and sent back to the client');
});

test.serial('allowed domains: another domain is refused clearly, the same for a registered address', async (t) => {
  await selfRegistration({ enabled: true, approval: 'required', allowedDomains: ['example.org'] });
  const existing = await s.server.createUser({ email: 'kept@example.com' });
  const pages = [];
  for (const email of [existing.email, 'nobody-yet@example.com']) {
    const page = await signUp({ email });
    t.is(page.status, 400);
    t.is(alertText(page.html), 'An account can only be created with an email address at example.org.');
    t.regex(page.html, /value="Orla"/, 'what was typed stays');
    pages.push(page.html.replace(/value="[^"]*@example.com"/, '').replace(/name="_csrf" value="[^"]*"/, ''));
  }
  t.is(pages[0], pages[1], 'nothing tells a registered address from another');
  t.regex(pages[0]!, /Use your email address at example.org\./);

  t.is((await signUp({ email: 'carla@EXAMPLE.org', given_name: 'Carla', family_name: 'Dominguez' })).status, 200);
  t.truthy(linkOf((await mails('carla@EXAMPLE.org'))[0]!));
  t.deepEqual(await s.server.repos.outbox.list(5, existing.email), []);
  await selfRegistration({ allowedDomains: [] });
});

test.serial('a registered address gets the same page, and a mail pointing to the password reset', async (t) => {
  await selfRegistration({ enabled: true, approval: 'none' });
  const existing = await s.server.createUser({ email: 'dana.known@example.net' });
  const known = await signUp({ email: existing.email, given_name: 'Dana', family_name: 'Mallory' });
  const unknown = await signUp({ email: 'dana.new@example.net', given_name: 'Dana', family_name: 'Mallory' });
  t.is(known.status, 200);
  t.is(unknown.status, 200);
  t.is(known.html, unknown.html);

  const [mail] = await mails(existing.email);
  t.is(mail!.subject, 'You already have a Gatehouse account');
  t.true(
    mail!.text.includes(`${s.server.url}/forgot-password?identifier=${encodeURIComponent(existing.email)}`),
    mail!.text,
  );
  t.is(linkOf(mail!), undefined, 'no sign-up link');
  t.truthy(linkOf((await mails('dana.new@example.net'))[0]!));
  t.is(
    (await s.server.db('sign_up_requests').whereRaw('lower(email) = ?', [existing.email])).length,
    0,
    'nothing is stored for the registered address',
  );
  // The existing user is untouched: the password typed at sign-up does not sign them in.
  t.is((await signIn(existing.email, PASSWORD)).status, 401);
});

test.serial('an address that got an account after the link was mailed creates nothing', async (t) => {
  await selfRegistration({ enabled: true, approval: 'required' });
  await signUp({ email: 'eve.late@example.net', given_name: 'Eve', family_name: 'Latimer' });
  const link = linkOf((await mails('eve.late@example.net'))[0]!)!;
  const created = await s.server.createUser({ email: 'eve.late@example.net', status: 'active' });
  const done = await confirm(link);
  t.is(done.status, 200);
  t.regex(done.html, /You already have an account/);
  const users = await s.server.db('users').whereRaw('lower(email) = ?', ['eve.late@example.net']);
  t.deepEqual(
    users.map((u) => [u.id, u.status]),
    [[created.id, 'active']],
  );
});

test.serial('the password policy and the form are checked, and nothing is mailed', async (t) => {
  await selfRegistration({ enabled: true, approval: 'required' });
  const cases: [SignUpFields, RegExp][] = [
    [{ email: 'fay@example.net', password: 'short-1' }, /^The password must be at least 12 characters long\.$/],
    [{ email: 'fay@example.net', password: 'password1234' }, /too common/],
    [{ email: 'fay@example.net', password: 'quennell-harbour-77' }, /must not contain your email address or your name/],
    [{ email: 'fay@example.net', password_confirm: 'something-else-entirely' }, /^The two passwords differ\.$/],
    [{ email: 'not-an-address' }, /^Give a valid email address\.$/],
    [{ email: 'fay@example.net', given_name: '  ' }, /given name and your family name/],
  ];
  for (const [fields, message] of cases) {
    const page = await signUp(fields);
    t.is(page.status, 400, JSON.stringify(fields));
    t.regex(alertText(page.html) ?? '', message);
    t.regex(page.html, new RegExp(`value="${fields.email}"`), 'the email stays');
    t.notRegex(page.html, /value="[^"]*(short-1|password1234|quennell-harbour)/, 'the password is not sent back');
  }
  t.deepEqual(await s.server.repos.outbox.list(5, 'fay@example.net'), []);
});

test.serial('throttled like forgot-password: per IP (429), and per address (same page, no mail)', async (t) => {
  await selfRegistration({ enabled: true, approval: 'required' });
  const ip = '10.8.0.1';
  for (let i = 0; i < 5; i++) t.is((await signUp({ email: `gil${i}@example.net` }, ip)).status, 200);
  const throttled = await signUp({ email: 'gil9@example.net' }, ip);
  t.is(throttled.status, 429);
  t.true(Number(throttled.headers!.get('retry-after')) > 0);
  t.regex(alertText(throttled.html) ?? '', /^Too many attempts\. Try again in \d+ minutes?\.$/);
  t.regex(throttled.html, /action="\/sign-up"/);

  // At most 2 mails per address in the window; the 3rd request answers the same page.
  const answers = new Set<string>();
  for (let i = 0; i < 3; i++) answers.add((await signUp({ email: 'hal@example.net' })).html);
  t.is(answers.size, 1);
  // The 3rd request has been decided once its point is counted.
  for (;;) {
    const row = await s.server.db('rate_limits').where('key', 'like', 'signup_mail:%').where('points', '>=', 3).first();
    if (row) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.is((await mails('hal@example.net', 2)).length, 2);
  t.false(
    (await s.server.db('rate_limits').where('key', 'like', 'signup_mail:%')).some((r) => r.key.includes('hal')),
    'keys hold a hash of the address',
  );
});

test.serial('a link expires, and a newer sign-up voids the older link', async (t) => {
  await selfRegistration({ enabled: true, approval: 'required' });
  await signUp({ email: 'ida@example.net' });
  const first = linkOf((await mails('ida@example.net'))[0]!)!;
  await signUp({ email: 'ida@example.net' });
  const second = linkOf((await mails('ida@example.net', 2))[0]!)!;
  t.not(first, second);
  const voided = await new Browser(s.server.url).open(first);
  t.is(voided.status, 400);
  t.regex(alertText(voided.html) ?? '', /expired or was already used/);

  await s.server
    .db('sign_up_requests')
    .whereRaw('lower(email) = ?', ['ida@example.net'])
    .update({ expires_at: new Date(Date.now() - 1000) });
  const expired = await new Browser(s.server.url).open(second);
  t.is(expired.status, 400);
  t.regex(expired.html, /Link expired/);
  t.is(await userByEmail('ida@example.net'), undefined);

  // The housekeeping deletes used and expired requests (they hold names and a password hash).
  const deleted = await createSignUpRequestsRepository(s.server.db).deleteFinished(new Date());
  t.true(deleted >= 2);
  t.deepEqual(await s.server.db('sign_up_requests').whereRaw('lower(email) = ?', ['ida@example.net']), []);
});

test.serial('turning self-registration off stops links already mailed', async (t) => {
  await selfRegistration({ enabled: true, approval: 'required' });
  await signUp({ email: 'jo@example.net' });
  const link = linkOf((await mails('jo@example.net'))[0]!)!;
  await selfRegistration({ enabled: false });
  t.is((await new Browser(s.server.url).open(link)).status, 404);
  t.is(await userByEmail('jo@example.net'), undefined);
});
