import test from 'ava';
import { generateSync } from 'otplib';
import { auditEvents } from '../helpers/audit.js';
import { Browser, alertText, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { scimToken } from '../helpers/scim.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, startServer, serverPerFile } from '../helpers/server.js';
import { textOf } from '../helpers/totp.js';

/**
 * Small limits, and TRUST_PROXY so that each test speaks from its own address
 * (`x-forwarded-for`): the limits per IP of one test do not reach another's.
 */
const LIMITS = {
  TRUST_PROXY: 'true',
  RATE_LIMIT_SIGNIN_IDENTIFIER: '3/15m',
  RATE_LIMIT_SIGNIN_IP: '6/15m',
  RATE_LIMIT_RESET_MAIL: '3/15m',
  RATE_LIMIT_RESET_IP: '5/15m',
  RATE_LIMIT_CLIENT_AUTH: '3/15m',
  RATE_LIMIT_CLIENT_AUTH_IP: '6/15m',
  RATE_LIMIT_BEARER_IP: '3/15m',
  // The account lockout and the MFA lockout stay out of the way: the throttle is what is tested.
  LOCKOUT_MAX_ATTEMPTS: '50',
  MFA_MAX_ATTEMPTS: '50',
};

const server = serverPerFile(test, LIMITS);
const client = perFile(test, () => server.createClient());

const TOO_MANY = /^Too many attempts\. Try again in \d+ minutes?\.$/;

/** Retry-After in seconds, within the 15-minute window. */
function retryAfter(t: { true: (v: boolean, m?: string) => void }, headers: Headers | undefined) {
  const seconds = Number(headers?.get('retry-after'));
  t.true(Number.isInteger(seconds) && seconds >= 1 && seconds <= 900, `Retry-After: ${headers?.get('retry-after')}`);
}

/** A sign-in page of the relying party, opened by a browser at `ip`. */
async function loginForm(ip: string): Promise<{ browser: Browser; form: Page }> {
  const rp = await relyingParty(server, client);
  const browser = new Browser(server.url, { 'x-forwarded-for': ip });
  return { browser, form: await browser.open((await rp.authorizationUrl()).url.toString()) };
}

async function signIn(ip: string, username: string, password: string): Promise<Page> {
  const { browser, form } = await loginForm(ip);
  return browser.submit(form, { username, password }, '/login');
}

test('sign-in: after 3 failures for one identifier, the next post answers 429 with Retry-After and says when to try again, before any password check', async (t) => {
  const user = await server.createUser();
  for (let i = 0; i < 3; i++) {
    const refused = await signIn('10.0.0.1', user.email, 'wrong-password-000');
    t.is(refused.status, 401);
  }
  const throttled = await signIn('10.0.0.1', user.email, PASSWORD);
  t.is(throttled.status, 429, 'even the right password waits');
  retryAfter(t, throttled.headers);
  t.regex(alertText(throttled.html) ?? '', TOO_MANY);
  t.regex(throttled.html, /name="password"/, 'the sign-in page itself, to try again later');
  t.is(
    (await server.db('users').where({ id: user.id }).first()).failed_attempts,
    3,
    'no password was checked for the throttled post',
  );
  const recorded = await auditEvents(server, { action: 'signin.failed' })
    .whereRaw("details->>'identifier' = ?", [user.email])
    .orderBy('id');
  t.deepEqual(
    recorded.map((e) => e.details.reason),
    ['bad_password', 'bad_password', 'bad_password', 'throttled'],
    'the throttled post is recorded with its reason',
  );

  // Per identifier and address: the person at another address signs in (nobody can lock a victim out).
  const elsewhere = await signIn('10.0.0.2', user.email, PASSWORD);
  t.truthy(elsewhere.leftTo, 'signed in from another address');
});

test('sign-in: one address spraying many identifiers is stopped by the limit per IP', async (t) => {
  for (let i = 0; i < 6; i++)
    t.is((await signIn('10.0.1.1', `nobody${i}@example.com`, 'wrong-password-000')).status, 401);
  const user = await server.createUser();
  const throttled = await signIn('10.0.1.1', user.email, PASSWORD);
  t.is(throttled.status, 429);
  retryAfter(t, throttled.headers);
  t.regex(alertText(throttled.html) ?? '', TOO_MANY);
});

test('sign-in: a success clears the count of its identifier', async (t) => {
  const user = await server.createUser();
  for (let i = 0; i < 2; i++) t.is((await signIn('10.0.2.1', user.email, 'wrong-password-000')).status, 401);
  t.truthy((await signIn('10.0.2.1', user.email, PASSWORD)).leftTo);
  for (let i = 0; i < 3; i++)
    t.is(
      (await signIn('10.0.2.1', user.email, 'wrong-password-000')).status,
      401,
      `failure ${i + 1} after the success`,
    );
  t.is((await signIn('10.0.2.1', user.email, 'wrong-password-000')).status, 429);
});

test('sign-in: wrong second-factor codes are throttled too, on the step page', async (t) => {
  const admin = await server.createUser({ role: 'admin' });
  const { browser, form } = await loginForm('10.0.3.1');
  const enrol = await browser.submit(form, { username: admin.email, password: PASSWORD }, '/login');
  const secret = textOf(enrol, 'totp-secret')!;
  t.truthy(secret, 'the enrolment page of an admin');
  const wrongCode = generateSync({ secret, epoch: Math.floor(Date.now() / 1000) - 7200 });
  for (let i = 0; i < 3; i++) t.is((await browser.submit(enrol, { code: wrongCode }, '/mfa/enrol')).status, 401);
  const throttled = await browser.submit(enrol, { code: wrongCode }, '/mfa/enrol');
  t.is(throttled.status, 429);
  retryAfter(t, throttled.headers);
  t.regex(alertText(throttled.html) ?? '', TOO_MANY);
});

test('sign-in: refused passkeys count per IP; then the JSON endpoint answers 429 {error: rate_limit.exceeded} with Retry-After', async (t) => {
  const { browser, form } = await loginForm('10.0.3.9');
  const uid = /\/interaction\/([^/?#]+)/.exec(form.url)![1]!;
  const csrf = /data-csrf="([^"]+)"/.exec(form.html)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(form.html)![1]!;
  // An assertion of a passkey the server does not know.
  const unknown = {
    id: 'AAAA',
    rawId: 'AAAA',
    type: 'public-key',
    response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
    clientExtensionResults: {},
  };
  const post = async () => {
    const res = await browser.fetch(`/interaction/${uid}/passkey`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(unknown),
    });
    return {
      status: res.status,
      headers: res.headers,
      body: (await res.json()) as { error?: string; message?: string },
    };
  };
  for (let i = 0; i < 6; i++) t.is((await post()).status, 401);
  const throttled = await post();
  t.is(throttled.status, 429);
  t.is(throttled.body.error, 'rate_limit.exceeded');
  t.regex(throttled.body.message ?? '', TOO_MANY);
  retryAfter(t, throttled.headers);
});

/** Waits until `count` reset mails went to `email` (sent after the page answered); newest first. */
async function mails(email: string, count: number) {
  for (;;) {
    const list = await server.repos.outbox.list(10, email);
    if (list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function askForLink(ip: string, identifier: string): Promise<Page> {
  const browser = new Browser(server.url, { 'x-forwarded-for': ip });
  return browser.submit(await browser.open('/forgot-password'), { identifier });
}

const linkOf = (mail: { text: string }) => /https?:\/\/\S+reset-password\?token=\S+/.exec(mail.text)![0];

test('forgot-password: at most 3 mails per account in the window; the 4th request answers the same page and sends nothing', async (t) => {
  const user = await server.createUser();
  const answers: string[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await askForLink(`10.0.4.${i}`, i % 2 ? user.userCode : user.email);
    t.is(page.status, 200);
    answers.push(page.html);
  }
  t.is(new Set(answers).size, 1, 'the same answer every time: nothing tells whether a mail went');
  // The 4th request has been decided once its point is counted (or, unlimited, once a 4th mail went).
  for (;;) {
    const row = await server.db('rate_limits').where('key', `reset_mail:${user.id}`).first();
    if (Number(row?.points) >= 4 || (await server.repos.outbox.list(10, user.email)).length >= 4) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.is((await mails(user.email, 3)).length, 3);
});

test('forgot-password: a new link voids the earlier ones', async (t) => {
  const user = await server.createUser();
  await askForLink('10.0.5.1', user.email);
  const [first] = await mails(user.email, 1);
  await askForLink('10.0.5.2', user.email);
  const [second] = await mails(user.email, 2);
  t.not(linkOf(first!), linkOf(second!));

  const browser = new Browser(server.url);
  const old = await browser.open(linkOf(first!));
  t.is(old.status, 400);
  t.regex(alertText(old.html) ?? '', /expired or was already used/);
  const latest = await browser.open(linkOf(second!));
  t.is(latest.status, 200);
  t.regex(latest.html, /Choose a new password/);
});

test('forgot-password: past the limit per IP the form comes back with 429, Retry-After and when to try again', async (t) => {
  for (let i = 0; i < 5; i++) t.is((await askForLink('10.0.6.1', `nobody${i}@example.com`)).status, 200);
  const throttled = await askForLink('10.0.6.1', 'nobody@example.com');
  t.is(throttled.status, 429);
  retryAfter(t, throttled.headers);
  t.regex(alertText(throttled.html) ?? '', TOO_MANY);
  t.regex(throttled.html, /action="\/forgot-password"/);
});

/** A client-credentials request, credentials in the Authorization header or in the body. */
async function token(
  ip: string,
  clientId: string,
  secret: string,
  where: 'header' | 'body' = 'header',
  accept = 'application/json',
) {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-forwarded-for': ip,
    accept,
  };
  if (where === 'header')
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  else {
    body.set('client_id', clientId);
    body.set('client_secret', secret);
  }
  const res = await fetch(`${server.url}/token`, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { html: text }) as {
      error?: string;
      access_token?: string;
      html?: string;
    },
  };
}

test('token endpoint: repeated failed client authentication answers 429 with Retry-After, for the right secret too; another address is not affected', async (t) => {
  const machine = await server.createClient({ grantTypes: ['client_credentials'] });
  t.truthy(
    (await token('10.0.7.1', machine.clientId, machine.clientSecret!)).body.access_token,
    'a correct client is never counted',
  );
  for (let i = 0; i < 3; i++) {
    const wrong = await token('10.0.7.1', machine.clientId, 'not-the-secret');
    t.is(wrong.status, 401);
    t.is(wrong.body.error, 'invalid_client');
  }
  const throttled = await token('10.0.7.1', machine.clientId, machine.clientSecret!);
  t.is(throttled.status, 429);
  t.is(throttled.body.error, 'temporarily_unavailable');
  t.falsy(throttled.body.access_token);
  retryAfter(t, throttled.headers);
  // Credentials in the body are the same client: 429 whether the secret is right or wrong.
  t.is((await token('10.0.7.1', machine.clientId, machine.clientSecret!, 'body')).status, 429);
  t.is((await token('10.0.7.1', machine.clientId, 'not-the-secret', 'body')).status, 429);

  t.truthy((await token('10.0.7.2', machine.clientId, machine.clientSecret!)).body.access_token);
});

test('token endpoint: a failure answered as an HTML page counts like one answered in JSON', async (t) => {
  const machine = await server.createClient({ grantTypes: ['client_credentials'] });
  for (let i = 0; i < 3; i++) {
    const wrong = await token('10.0.7.5', machine.clientId, 'not-the-secret', 'header', 'text/html');
    t.is(wrong.status, 401);
    t.truthy(wrong.body.html);
  }
  t.is((await token('10.0.7.5', machine.clientId, machine.clientSecret!)).status, 429);
});

test('token endpoint: one address guessing many clients is stopped by the limit per IP', async (t) => {
  for (let i = 0; i < 6; i++) t.is((await token('10.0.8.1', `no-such-client-${i}`, 'guess')).status, 401);
  const machine = await server.createClient({ grantTypes: ['client_credentials'] });
  const throttled = await token('10.0.8.1', machine.clientId, machine.clientSecret!);
  t.is(throttled.status, 429);
  retryAfter(t, throttled.headers);
});

async function bearer(base: string, ip: string, path: string, value: string) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${value}`, 'x-forwarded-for': ip } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

test('SCIM: failed bearer authentication answers 429 in the SCIM error schema after the limit, even for a good token', async (t) => {
  const good = await scimToken(server);
  t.is((await bearer(server.url, '10.0.9.1', '/scim/v2/Users', good)).status, 200);
  for (let i = 0; i < 3; i++)
    t.is((await bearer(server.url, '10.0.9.1', '/scim/v2/Users', `gh_scim_wrong${i}`)).status, 401);
  const throttled = await bearer(server.url, '10.0.9.1', '/scim/v2/Users', good);
  t.is(throttled.status, 429);
  t.deepEqual(throttled.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  t.is(throttled.body.status, '429');
  t.regex(String(throttled.body.detail), TOO_MANY);
  retryAfter(t, throttled.headers);
  t.is((await bearer(server.url, '10.0.9.2', '/scim/v2/Users', good)).status, 200, 'another address is not affected');
});

test('admin API: failed bearer authentication answers 429 {error: rate_limit.exceeded} after the limit', async (t) => {
  for (let i = 0; i < 3; i++)
    t.is((await bearer(server.url, '10.0.10.1', '/admin/api/users', `not-a-token-${i}`)).status, 401);
  const throttled = await bearer(server.url, '10.0.10.1', '/admin/api/users', 'not-a-token');
  t.is(throttled.status, 429);
  t.is(throttled.body.error, 'rate_limit.exceeded');
  t.regex(String(throttled.body.message), TOO_MANY);
  retryAfter(t, throttled.headers);
});

test('two instances on one database share the limits: failures on both add up, and each refuses once it has counted one past the limit', async (t) => {
  const other = await startServer(LIMITS, { sameDatabaseAs: server });
  t.teardown(() => other.close());
  t.is((await bearer(server.url, '10.0.11.1', '/scim/v2/Users', 'gh_scim_wrong-a')).status, 401);
  t.is((await bearer(other.url, '10.0.11.1', '/scim/v2/Users', 'gh_scim_wrong-b')).status, 401);
  t.is(
    (await bearer(server.url, '10.0.11.1', '/scim/v2/Users', 'gh_scim_wrong-c')).status,
    401,
    'the third failure in all spends the limit of 3',
  );
  t.is(
    (await bearer(server.url, '10.0.11.1', '/scim/v2/Users', 'gh_scim_wrong-d')).status,
    429,
    'the first instance counted it',
  );
  // The second instance checks no table before a request: it learns the limit is spent at the next failure it counts.
  t.is((await bearer(other.url, '10.0.11.1', '/scim/v2/Users', 'gh_scim_wrong-e')).status, 401);
  t.is(
    (await bearer(other.url, '10.0.11.1', '/scim/v2/Users', 'gh_scim_wrong-f')).status,
    429,
    "its own one failure and the first instance's two spent the limit there too",
  );
});
