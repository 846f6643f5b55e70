import { get } from 'node:http';
import test from 'ava';
import { ACR_MFA } from '../../src/domain/authentication.js';
import { assetUrls } from '../../src/http/routes/assets.js';
import { Browser, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, startServer, type TestServer } from '../helpers/server.js';
import {
  authenticationResponse,
  newCredential,
  registrationResponse,
  userHandleOf,
  type SoftCredential,
} from '../helpers/webauthn.js';

/*
 * The passkey endpoints over HTTP, with a software authenticator standing in
 * for the browser's: the account's JSON ceremony and forms, a passkey alone at
 * sign-in, and a passkey as the second step (with the MFA failure pool).
 */

let server: TestServer;
let client: { clientId: string; clientSecret?: string; redirectUri: string };
let rpId: string;
test.before(async () => {
  server = await startServer();
  client = await server.createClient();
  rpId = new URL(server.url).hostname;
});
test.after.always(() => server?.close());

const csrfOf = (page: Page) =>
  /data-csrf="([^"]+)"/.exec(page.html)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;

function jsonPost(browser: Browser, path: string, body: unknown, csrf: string | undefined) {
  return browser.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: JSON.stringify(body),
  });
}

/** A passkey for the user, registered straight through the service. */
async function enrolled(userId: string): Promise<SoftCredential> {
  const user = (await server.repos.users.findById(userId))!;
  const credential = newCredential({ userHandle: userHandleOf(userId) });
  const { challenge } = await server.container.passkeys.registrationOptions({
    id: userId,
    userCode: user.userCode,
    displayName: user.userCode,
  });
  await server.container.passkeys.register(
    userId,
    registrationResponse(credential, { challenge, origin: server.url, rpId }),
    '',
    { type: 'user', id: userId },
  );
  return credential;
}

/** A relying party's sign-in, up to the sign-in page. */
async function startSignIn(params: Record<string, string> = {}) {
  const rp = await relyingParty(server, client);
  const auth = await rp.authorizationUrl(params);
  const browser = new Browser(server.url);
  const page = await browser.open(auth.url.toString());
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url)![1]!;
  return { rp, auth, browser, page, uid };
}

/** The browser's part of a passkey ceremony at sign-in: options, the authenticator, the answer. */
async function passkeyAtSignIn(
  flow: Awaited<ReturnType<typeof startSignIn>>,
  credential: SoftCredential,
  csrf = csrfOf(flow.page),
) {
  const optionsRes = await jsonPost(flow.browser, `/interaction/${flow.uid}/passkey/options`, {}, csrf);
  const options = (await optionsRes.json()) as {
    challenge: string;
    allowCredentials?: { id: string }[];
    userVerification?: string;
  };
  const response = authenticationResponse(credential, { challenge: options.challenge, origin: server.url, rpId });
  const res = await jsonPost(flow.browser, `/interaction/${flow.uid}/passkey`, response, csrf);
  return {
    options,
    status: res.status,
    body: (await res.json()) as { location?: string; error?: string; message?: string },
  };
}

async function finish(flow: Awaited<ReturnType<typeof startSignIn>>, location: string) {
  const page = await flow.browser.open(location);
  return (await flow.rp.exchange(page, flow.auth)).claims()!;
}

// ---- account ----

test('on the security page a signed-in person adds, renames and removes a passkey', async (t) => {
  const user = await server.createUser();
  const browser = new Browser(server.url);
  const page = await browser.submit(
    await browser.open('/account/security'),
    { username: user.email, password: PASSWORD },
    '/login',
  );
  t.regex(page.url, /\/account\/security$/);
  const csrf = csrfOf(page);

  t.is((await jsonPost(browser, '/account/security/passkeys/options', {}, undefined)).status, 403, 'no CSRF token');
  const optionsRes = await jsonPost(browser, '/account/security/passkeys/options', {}, csrf);
  t.is(optionsRes.status, 200);
  t.is(optionsRes.headers.get('cache-control'), 'no-store');
  const options = (await optionsRes.json()) as { challenge: string; rp: { id: string }; user: { name: string } };
  t.is(options.rp.id, rpId);
  t.is(options.user.name, (await server.repos.users.findById(user.id))!.userCode);

  const credential = newCredential({ userHandle: userHandleOf(user.id) });
  const created = await jsonPost(
    browser,
    '/account/security/passkeys',
    {
      name: 'Laptop',
      response: registrationResponse(credential, { challenge: options.challenge, origin: server.url, rpId }),
    },
    csrf,
  );
  t.is(created.status, 201);
  const passkey = (await created.json()) as { id: string; name: string };
  t.is(passkey.name, 'Laptop');
  t.regex((await browser.open('/account/security')).html, /Laptop/);

  const formPost = (path: string, fields: Record<string, string>) =>
    browser.open(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
  t.is((await formPost(`/account/security/passkeys/${passkey.id}/rename`, { name: 'x'.repeat(65) })).status, 400);
  const renamed = await formPost(`/account/security/passkeys/${passkey.id}/rename`, { name: 'Old laptop' });
  t.regex(renamed.url, /\/account\/security/);
  t.deepEqual(
    (await server.container.passkeys.list(user.id)).map((p) => p.name),
    ['Old laptop'],
  );

  const removed = await browser.submit(await browser.open('/account/security'), {}, `/passkeys/${passkey.id}/delete`);
  t.regex(removed.url, /\/account\/security\?done=passkey_removed$/);
  t.deepEqual(await server.container.passkeys.list(user.id), []);
});

test('the account endpoints: 401 JSON when signed out, 403 without the CSRF token, 400 on a bad answer', async (t) => {
  const anonymous = new Browser(server.url);
  const res = await jsonPost(anonymous, '/account/security/passkeys/options', {}, 'x');
  t.is(res.status, 401);
  t.deepEqual(((await res.json()) as { error: string }).error, 'auth.required');
  const form = await anonymous.fetch('/account/security/passkeys/00000000-0000-4000-8000-000000000000/delete', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '_csrf=x',
  });
  t.is(form.status, 302);
  t.is(form.headers.get('location'), '/account/login?return=/account/security');

  const user = await server.createUser();
  const browser = new Browser(server.url);
  const page = await browser.submit(
    await browser.open('/account/security'),
    { username: user.email, password: PASSWORD },
    '/login',
  );
  const csrf = csrfOf(page);
  const wrongToken = await jsonPost(browser, '/account/security/passkeys', { name: '', response: {} }, `${csrf}x`);
  t.is(wrongToken.status, 403);
  t.is(((await wrongToken.json()) as { error: string }).error, 'csrf.invalid');
  const garbage = await jsonPost(browser, '/account/security/passkeys', { name: '', response: { id: 'x' } }, csrf);
  t.is(garbage.status, 400);
  t.is(((await garbage.json()) as { error: string }).error, 'passkey.invalid');
  const notJson = await browser.fetch('/account/security/passkeys/options', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-csrf-token': csrf },
    body: '{}',
  });
  t.is(notJson.status, 415);
  // Someone else's passkey cannot be removed.
  const other = await server.createUser();
  await enrolled(other.id);
  const [theirs] = await server.container.passkeys.list(other.id);
  const refused = await browser.open(`/account/security/passkeys/${theirs!.id}/delete`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf }).toString(),
  });
  t.is(refused.status, 404);
  t.is((await server.container.passkeys.list(other.id)).length, 1);
});

// ---- sign-in ----

test('a passkey alone signs in, without a username: amr hwk + user, acr MFA', async (t) => {
  const user = await server.createUser();
  const credential = await enrolled(user.id);
  const flow = await startSignIn();
  const { options, status, body } = await passkeyAtSignIn(flow, credential);
  t.deepEqual(options.allowCredentials, []);
  t.is(options.userVerification, 'required');
  t.is(status, 200, JSON.stringify(body));
  const claims = await finish(flow, body.location!);
  t.is(claims.sub, user.id);
  t.deepEqual(claims.amr, ['hwk', 'user']);
  t.is(claims.acr, ACR_MFA);
});

test('a passkey alone: refused for an unknown credential, a replay, or a user who may not sign in', async (t) => {
  const flow = await startSignIn();
  const unknown = await passkeyAtSignIn(flow, newCredential());
  t.is(unknown.status, 401);
  t.is(unknown.body.error, 'passkey.invalid');

  const user = await server.createUser();
  const credential = await enrolled(user.id);
  const csrf = csrfOf(flow.page);
  const options = (await (
    await jsonPost(flow.browser, `/interaction/${flow.uid}/passkey/options`, {}, csrf)
  ).json()) as { challenge: string };
  const response = authenticationResponse(credential, { challenge: options.challenge, origin: server.url, rpId });
  t.is(
    (await jsonPost(flow.browser, `/interaction/${flow.uid}/passkey`, response, undefined)).status,
    403,
    'no CSRF token',
  );
  t.is(
    (await jsonPost(flow.browser, `/interaction/${flow.uid}/passkey`, response, csrf)).status,
    200,
    'a request refused for its CSRF token spent nothing',
  );
  const replay = await jsonPost(flow.browser, `/interaction/${flow.uid}/passkey`, response, csrf);
  t.is(replay.status, 401, 'the same answer again');
  t.is(((await replay.json()) as { error: string }).error, 'passkey.invalid');

  const inactive = await server.createUser();
  const inactiveKey = await enrolled(inactive.id);
  await server.container.identity.setStatus(inactive.id, 'inactive', { type: 'cli' });
  const denied = await passkeyAtSignIn(await startSignIn(), inactiveKey);
  t.is(denied.status, 403);
  t.is(denied.body.error, 'login.inactive');
});

test('a passkey as the second step after the password: amr pwd + hwk; another user’s key is refused', async (t) => {
  const user = await server.createUser();
  const credential = await enrolled(user.id);
  const stranger = await enrolled((await server.createUser()).id);

  const flow = await startSignIn();
  const second = await flow.browser.submit(flow.page, { username: user.email, password: PASSWORD }, '/login');
  t.regex(second.html, /data-passkey="authenticate"/);
  const step = { ...flow, page: second };

  const foreign = await passkeyAtSignIn(step, stranger);
  t.is(foreign.status, 401);
  t.deepEqual(
    foreign.options.allowCredentials?.map((c) => c.id),
    [credential.id],
  );
  t.is(foreign.body.error, 'passkey.invalid');

  const { status, body } = await passkeyAtSignIn(step, credential);
  t.is(status, 200, JSON.stringify(body));
  const claims = await finish(flow, body.location!);
  t.deepEqual(claims.amr, ['pwd', 'hwk']);
  t.is(claims.acr, ACR_MFA);
});

test('failed passkey second steps count in the MFA pool: locked with 423', async (t) => {
  const user = await server.createUser();
  await enrolled(user.id);
  const wrong = newCredential();
  const flow = await startSignIn();
  const second = await flow.browser.submit(flow.page, { username: user.email, password: PASSWORD }, '/login');
  const step = { ...flow, page: second };
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await passkeyAtSignIn(step, wrong)).status);
  t.deepEqual(statuses, [401, 401, 401, 401, 401, 423]);
  const locked = await passkeyAtSignIn(step, wrong);
  t.is(locked.body.error, 'mfa.locked');
});

test('the static scripts: JavaScript, nosniff, cached', async (t) => {
  for (const name of ['simplewebauthn-browser.js', 'passkeys.js']) {
    const res = await fetch(`${server.url}/assets/${name}`);
    t.is(res.status, 200);
    t.is(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    t.is(res.headers.get('x-content-type-options'), 'nosniff');
    t.regex(res.headers.get('cache-control') ?? '', /^public, max-age=\d+/);
    const etag = res.headers.get('etag')!;
    t.truthy(etag);
    t.true((await res.text()).length > 1000);
    // fetch() adds `cache-control: no-cache` to conditional requests (Fetch standard), so plain node:http here.
    const again = await new Promise<number | undefined>((resolve, reject) =>
      get(`${server.url}/assets/${name}`, { headers: { 'if-none-match': etag } }, (r) => {
        r.resume();
        resolve(r.statusCode);
      }).on('error', reject),
    );
    t.is(again, 304);
  }
  t.regex(await (await fetch(`${server.url}/assets/simplewebauthn-browser.js`)).text(), /SimpleWebAuthnBrowser/);
  const versioned = await fetch(`${server.url}${assetUrls()['passkeys.js']}`);
  t.is(versioned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.is((await fetch(`${server.url}/assets/nope.js`)).status, 404);
  t.is((await fetch(`${server.url}/assets/..%2Fpackage.json`)).status, 404);
});
