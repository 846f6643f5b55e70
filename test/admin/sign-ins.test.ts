import test, { type ExecutionContext } from 'ava';
import { generateSync } from 'otplib';
import { auditEvents } from '../helpers/audit.js';
import { Browser, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { adminServerPerFile, PASSWORD, type AdminFetch } from '../helpers/admin.js';
import { textOf } from '../helpers/totp.js';
import {
  authenticationResponse,
  newCredential,
  registrationResponse,
  userHandleOf,
  type SoftCredential,
} from '../helpers/webauthn.js';
import { ACR_MFA } from '../../src/domain/authentication.js';

/*
 * Sign-ins, successful or not, are in the audit log (`signin.succeeded`,
 * `signin.failed` with a reason) with the IP, user agent, client and amr, and an
 * administrator reads a user's at GET /admin/api/users/{id}/sign-ins.
 */

const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) SignInAuditTest/1.0';
const WRONG_PASSWORD = 'wrong-horse-battery-77';

const s = adminServerPerFile(test, { LOCKOUT_MAX_ATTEMPTS: '3', LOCKOUT_MINUTES: '15' });
let admin: AdminFetch;
let client: { clientId: string; clientSecret?: string; redirectUri: string };

test.before(async () => {
  admin = (await s.as('admin')).api;
  client = await s.server.createClient({ clientId: 'audited-app' });
});

/** A browser that says who it is, as every real one does. */
class NamedBrowser extends Browser {
  override fetch(url: string, init: RequestInit = {}) {
    return super.fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'user-agent': USER_AGENT },
    });
  }
}

async function loginPage(params: Record<string, string> = {}) {
  const browser = new NamedBrowser(s.server.url);
  const rp = await relyingParty(s.server, client);
  const auth = await rp.authorizationUrl(params);
  return { browser, rp, auth, page: await browser.open(auth.url.toString()) };
}

async function attempt(username: string, password: string, params: Record<string, string> = {}) {
  const flow = await loginPage(params);
  return { ...flow, page: await flow.browser.submit(flow.page, { username, password }, '/login') };
}

interface SignIn {
  id: number;
  at: string;
  outcome: 'succeeded' | 'failed';
  reason: string | null;
  factor: string | null;
  amr: string[] | null;
  identifier: string | null;
  clientId: string | null;
  ip: string | null;
  userAgent: string | null;
}

async function signInsOf(userId: string): Promise<SignIn[]> {
  const res = await admin('GET', `/users/${userId}/sign-ins`);
  if (res.status !== 200) throw new Error(`GET /users/${userId}/sign-ins: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

function assertContext(t: ExecutionContext, event: SignIn) {
  t.regex(event.ip ?? '', /127\.0\.0\.1$/);
  t.is(event.userAgent, USER_AGENT);
  t.is(event.clientId, client.clientId);
}

test('a password sign-in is recorded once with amr, IP, user agent and client', async (t) => {
  const user = await s.server.createUser();
  const { page } = await attempt(user.email, PASSWORD);
  t.truthy(page.leftTo?.searchParams.get('code'));

  const events = await signInsOf(user.id);
  t.is(events.length, 1);
  t.like(events[0], { outcome: 'succeeded', reason: null, amr: ['pwd'] });
  assertContext(t, events[0]!);
  t.regex(events[0]!.at, /^\d{4}-\d\d-\d\dT/);
});

test('a wrong password is recorded as bad_password with the identifier typed, never the password', async (t) => {
  const user = await s.server.createUser();
  const { page } = await attempt(user.userCode, WRONG_PASSWORD);
  t.is(page.status, 401);

  const [event, ...rest] = await signInsOf(user.id);
  t.is(rest.length, 0);
  t.like(event, {
    outcome: 'failed',
    reason: 'bad_password',
    factor: 'password',
    identifier: user.userCode,
    amr: null,
  });
  assertContext(t, event!);
  const raw = await auditEvents(s.server, { target_id: user.id, action: 'signin.failed' });
  t.false(JSON.stringify(raw).includes(WRONG_PASSWORD));
});

test('an unknown identifier is recorded with what was typed, in the audit log (no user to list it under)', async (t) => {
  const typed = `nobody-${Date.now()}@example.com`;
  const { page } = await attempt(`  ${typed} `, WRONG_PASSWORD);
  t.is(page.status, 401);

  const res = await admin('GET', '/audit?action=signin.failed&limit=200');
  t.is(res.status, 200);
  const found = res.body.items.filter((e: { details: { identifier?: string } }) => e.details.identifier === typed);
  t.is(found.length, 1);
  t.like(found[0], {
    targetId: null,
    actor: { type: 'anonymous' },
    details: { reason: 'unknown_identifier', factor: 'password', clientId: client.clientId, userAgent: USER_AGENT },
  });
  t.false(JSON.stringify(found[0]).includes(WRONG_PASSWORD));
});

test('a lockout is recorded: the failures that fill it, then locked even for the right password', async (t) => {
  const user = await s.server.createUser();
  for (let i = 0; i < 3; i++) t.is((await attempt(user.email, WRONG_PASSWORD)).page.status, 401);
  t.is((await attempt(user.email, PASSWORD)).page.status, 401);

  const events = await signInsOf(user.id);
  t.deepEqual(
    events.map((e) => e.reason),
    ['locked', 'bad_password', 'bad_password', 'bad_password'],
  );
  t.true(events.every((e) => e.outcome === 'failed' && e.identifier === user.email));
});

for (const status of ['inactive', 'pending', 'locked'] as const) {
  test(`the right password of a user with status ${status} is recorded as status_${status}`, async (t) => {
    const user = await s.server.createUser({ status });
    t.is((await attempt(user.email, PASSWORD)).page.status, 403);
    const events = await signInsOf(user.id);
    t.is(events.length, 1);
    t.like(events[0], { outcome: 'failed', reason: `status_${status}`, factor: 'password', identifier: user.email });
    assertContext(t, events[0]!);
  });
}

/** A code the authenticator does not show now, nor one step either side. */
function wrongCode(secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const near = new Set([-60, -30, 0, 30, 60].map((d) => generateSync({ secret, epoch: now + d })));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

test('a wrong authenticator code is recorded as mfa_failed; the sign-in that follows with amr pwd+otp', async (t) => {
  const user = await s.server.createUser();
  const { mfa } = s.server.container;
  const { secret } = await mfa.startTotpEnrolment(user.id, user.email);
  // The server allows one step of drift either side, and a code of a later step than the last one used:
  // the current step's code sets it up, the next step's signs in, whenever a step boundary falls.
  const stepCode = (stepsAhead: number) =>
    generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });
  t.true((await mfa.confirmTotpEnrolment(user.id, stepCode(0), null)).ok);

  const { browser, page } = await attempt(user.email, PASSWORD);
  t.regex(page.html, /Second step/);
  t.deepEqual(await signInsOf(user.id), [], 'the password alone is not a sign-in yet');

  const refused = await browser.submit(page, { code: wrongCode(secret) }, '/mfa/totp');
  t.is(refused.status, 401);
  const done: Page = await browser.submit(refused, { code: stepCode(1) }, '/mfa/totp');
  t.truthy(done.leftTo?.searchParams.get('code'));

  const events = await signInsOf(user.id);
  t.deepEqual(
    events.map((e) => [e.outcome, e.reason, e.factor]),
    [
      ['succeeded', null, null],
      ['failed', 'mfa_failed', 'totp'],
    ],
  );
  t.deepEqual(events[0]!.amr, ['pwd', 'otp']);
  for (const e of events) assertContext(t, e);
});

test('a wrong first code while setting up an authenticator app is recorded as mfa_failed', async (t) => {
  const user = await s.server.createUser();
  const { browser, page } = await attempt(user.email, PASSWORD, { acr_values: ACR_MFA });
  const secret = textOf(page, 'totp-secret');
  t.truthy(secret, 'the enrolment page');
  t.is((await browser.submit(page, { code: wrongCode(secret!) }, '/mfa/enrol')).status, 401);
  const events = await signInsOf(user.id);
  t.is(events.length, 1);
  t.like(events[0], { outcome: 'failed', reason: 'mfa_failed', factor: 'enrolment', identifier: null });
});

test('the list pages newest first by keyset, every attempt once', async (t) => {
  const user = await s.server.createUser();
  await attempt(user.email, WRONG_PASSWORD);
  await attempt(user.email, PASSWORD);
  await attempt(user.email, WRONG_PASSWORD);
  await attempt(user.email, PASSWORD);
  await attempt(user.email, PASSWORD);

  const seen: SignIn[] = [];
  let cursor: string | null = '';
  let pages = 0;
  while (cursor !== null) {
    const res: { status: number; body: { items: SignIn[]; nextCursor: string | null } } = await admin(
      'GET',
      `/users/${user.id}/sign-ins?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    t.is(res.status, 200);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  }
  t.is(pages, 3);
  t.deepEqual(
    seen.map((e) => e.outcome),
    ['succeeded', 'succeeded', 'failed', 'succeeded', 'failed'],
  );
  t.is(new Set(seen.map((e) => e.id)).size, 5);
  t.is((await admin('GET', `/users/${user.id}/sign-ins?cursor=not-a-cursor`)).status, 400);
});

test('only callers who may read the audit log see sign-ins; an unknown or deleted user is 404', async (t) => {
  const user = await s.server.createUser();
  await attempt(user.email, PASSWORD);
  for (const role of ['hr', 'manager', 'individual'] as const) {
    const res = await (await s.as(role)).api('GET', `/users/${user.id}/sign-ins`);
    t.is(res.status, 403, role);
    t.is(res.body.error, 'admin_api.forbidden');
  }
  t.is((await s.client(undefined)('GET', `/users/${user.id}/sign-ins`)).status, 401);
  t.is((await admin('GET', '/users/00000000-0000-4000-8000-000000000000/sign-ins')).status, 404);
  t.is((await admin('GET', '/users/not-a-uuid/sign-ins')).status, 404);
  t.is((await admin('DELETE', `/users/${user.id}`)).status, 200);
  const gone = await admin('GET', `/users/${user.id}/sign-ins`);
  t.is(gone.status, 404);
  t.is(gone.body.error, 'user.not_found');
});

test('sign-ins older than the audit retention are purged like every other event', async (t) => {
  const user = await s.server.createUser();
  await attempt(user.email, WRONG_PASSWORD);
  await attempt(user.email, PASSWORD);
  const [recent, old] = await signInsOf(user.id);
  const { admin: services, settings } = s.server.container;
  const { db } = s.server;
  await db('audit_events')
    .where({ id: old!.id })
    .update({ at: new Date(Date.now() - 40 * 24 * 3600 * 1000) });
  await settings.update({ auditRetentionDays: 30 }, { type: 'cli', name: 'test' });
  t.teardown(() => settings.update({ auditRetentionDays: null }, { type: 'cli', name: 'test' }));

  await services.auditLog.purgeExpired(new Date());
  t.deepEqual(
    (await signInsOf(user.id)).map((e) => e.id),
    [recent!.id],
  );
});

// ---- passkeys ----

/** A passkey for the user, registered straight through the service. */
async function enrolledPasskey(userId: string): Promise<SoftCredential> {
  const { passkeys } = s.server.container;
  const rpId = new URL(s.server.url).hostname;
  const credential = newCredential({ userHandle: userHandleOf(userId) });
  const { challenge } = await passkeys.registrationOptions({ id: userId, userCode: 'u', displayName: 'u' });
  await passkeys.register(userId, registrationResponse(credential, { challenge, origin: s.server.url, rpId }), '', {
    type: 'user',
    id: userId,
  });
  return credential;
}

/** The browser's part of a passkey ceremony on the sign-in page (alone, or as the second step). */
async function passkeyStep(browser: Browser, page: Page, credential: SoftCredential) {
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url)![1]!;
  const csrf = /data-csrf="([^"]+)"/.exec(page.html)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  const post = (path: string, body: unknown) =>
    browser.fetch(`/interaction/${uid}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
  const options = (await (await post('/passkey/options', {})).json()) as { challenge: string };
  const res = await post(
    '/passkey',
    authenticationResponse(credential, {
      challenge: options.challenge,
      origin: s.server.url,
      rpId: new URL(s.server.url).hostname,
    }),
  );
  return res.status;
}

test('a passkey alone is recorded with amr hwk+user; a passkey nobody registered as bad_passkey', async (t) => {
  const user = await s.server.createUser();
  const credential = await enrolledPasskey(user.id);
  const flow = await loginPage();
  t.is(await passkeyStep(flow.browser, flow.page, credential), 200);
  const [event, ...rest] = await signInsOf(user.id);
  t.is(rest.length, 0);
  t.like(event, { outcome: 'succeeded', amr: ['hwk', 'user'], identifier: null });
  assertContext(t, event!);

  const stranger = await loginPage();
  t.is(await passkeyStep(stranger.browser, stranger.page, newCredential({ userHandle: userHandleOf(user.id) })), 401);
  const res = await admin('GET', '/audit?action=signin.failed&limit=200');
  t.true(
    res.body.items.some(
      (e: { targetId: string | null; details: { reason: string; factor: string; userAgent: string } }) =>
        e.targetId === null &&
        e.details.reason === 'bad_passkey' &&
        e.details.factor === 'passkey' &&
        e.details.userAgent === USER_AGENT,
    ),
  );
  t.is((await signInsOf(user.id)).length, 1, 'not recorded against the user: the passkey named nobody');
});

test('a passkey alone of a deactivated user is recorded as status_inactive', async (t) => {
  const user = await s.server.createUser();
  const credential = await enrolledPasskey(user.id);
  await s.server.db('users').where({ id: user.id }).update({ status: 'inactive' });
  const flow = await loginPage();
  t.is(await passkeyStep(flow.browser, flow.page, credential), 403);
  const events = await signInsOf(user.id);
  t.like(events[0], { outcome: 'failed', reason: 'status_inactive', factor: 'passkey' });
});

test('a failed passkey as the second step is recorded as mfa_failed', async (t) => {
  const user = await s.server.createUser();
  await enrolledPasskey(user.id);
  const { browser, page } = await attempt(user.email, PASSWORD);
  t.regex(page.html, /Second step/);
  t.is(await passkeyStep(browser, page, newCredential({ userHandle: userHandleOf(user.id) })), 401);
  const events = await signInsOf(user.id);
  t.is(events.length, 1);
  t.like(events[0], { outcome: 'failed', reason: 'mfa_failed', factor: 'passkey' });
  assertContext(t, events[0]!);
});

test('a long identifier and user agent are kept trimmed, without control characters', async (t) => {
  const typed = `${'x'.repeat(300)}@example.com`;
  const agent = `Agent\t${'y'.repeat(1000)}`;
  const browser = new Browser(s.server.url);
  const rp = await relyingParty(s.server, client);
  const page = await browser.open((await rp.authorizationUrl()).url.toString());
  const form = browser.form(page, '/login');
  const res = await browser.fetch(new URL(form.action, page.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': agent },
    body: new URLSearchParams({ ...form.fields, username: typed, password: WRONG_PASSWORD }).toString(),
  });
  t.is(res.status, 401);
  const { items } = (await admin('GET', '/audit?action=signin.failed&limit=200')).body;
  const found = items.find((e: { details: { identifier?: string } }) =>
    e.details.identifier?.startsWith('x'.repeat(256)),
  );
  t.truthy(found);
  t.is(found.details.identifier, 'x'.repeat(256));
  t.is(found.details.userAgent, `Agent${'y'.repeat(507)}`);
});
