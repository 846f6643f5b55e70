import test from 'ava';
import { Browser, alertText, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';

const server = serverPerFile(test);
const client = perFile(test, () => server.createClient());

const HTML = { accept: 'text/html,application/xhtml+xml' };
const heading = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
/** The reference an error page shows, and the request id the response carries: the same. */
const reference = (html: string) => /Reference: <code>([^<]+)<\/code>/.exec(html)?.[1];
const links = (html: string) => [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);

/** No library wording reaches the person. */
function plain(t: { false(v: boolean, m?: string): void }, page: { html: string }) {
  for (const words of ['client is invalid', 'cookie not found', 'session not found', 'did not match', 'Not Found'])
    t.false(page.html.includes(words), `the page says "${words}"`);
}

async function signInPage(browser = new Browser(server.url)) {
  const rp = await relyingParty(server, client);
  const auth = await rp.authorizationUrl();
  const page = await browser.open(auth.url.toString());
  const uid = /\/interaction\/([^/]+)\/login/.exec(page.html)![1]!;
  return { browser, page, uid, rp, auth };
}

test('an unknown client: a plain page with the request id as reference', async (t) => {
  const res = await fetch(
    `${server.url}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=http://rp.test/callback`,
    { headers: HTML },
  );
  const html = await res.text();
  t.is(res.status, 400);
  t.is(heading(html), 'Unknown application');
  t.is(reference(html), res.headers.get('x-request-id')!);
  plain(t, { html });
});

test('a redirect_uri the client did not register: plain words, not the library description', async (t) => {
  const res = await fetch(
    `${server.url}/auth?client_id=${client.clientId}&response_type=code&scope=openid&redirect_uri=http://evil.test/`,
    { headers: HTML },
  );
  const html = await res.text();
  t.is(res.status, 400);
  t.is(heading(html), 'This sign-in request cannot be used');
  t.truthy(reference(html));
  plain(t, { html });
});

test('an expired sign-in starts again at the application, and the sign-in goes through', async (t) => {
  const user = await server.createUser();
  const { browser, uid, rp, auth } = await signInPage();
  // The interaction is gone (expired): the page asked for again starts a new sign-in for the same request.
  await server.db('oidc_payloads').where({ kind: 'Interaction', id: uid }).delete();
  const again: Page = await browser.open(`/interaction/${uid}`);
  t.is(again.status, 200);
  t.is(heading(again.html), 'Sign in');
  const newUid = /\/interaction\/([^/]+)\/login/.exec(again.html)![1]!;
  t.not(newUid, uid);
  const done = await browser.submit(again, { username: user.email, password: PASSWORD }, '/login');
  t.is(done.leftTo?.searchParams.get('state'), auth.state, 'the application gets its own state back');
  const tokens = await rp.exchange(done, auth);
  t.truthy(tokens.id_token);
});

test('a sign-in form posted after expiry also starts again', async (t) => {
  const { browser, page } = await signInPage();
  browser.cookies.delete('_interaction');
  browser.cookies.delete('_interaction.sig');
  const again = await browser.submit(page, { username: 'someone@example.com', password: 'x' }, '/login');
  t.is(heading(again.html), 'Sign in');
});

test('an expired sign-in the browser kept nothing of: a plain page with a way on', async (t) => {
  const { browser, uid } = await signInPage();
  for (const name of ['gh_restart', 'gh_restart.sig', '_interaction', '_interaction.sig']) browser.cookies.delete(name);
  const page = await browser.open(`/interaction/${uid}`, { headers: HTML });
  t.is(page.status, 400);
  t.is(heading(page.html), 'Your sign-in has expired');
  t.truthy(reference(page.html));
  t.deepEqual(links(page.html), [['/account', 'Go to your account']]);
  plain(t, page);
});

test('a restart is used once: a browser that loses its cookies does not go round in circles', async (t) => {
  const { browser, uid } = await signInPage();
  await server.db('oidc_payloads').where({ kind: 'Interaction', id: uid }).delete();
  browser.cookies.delete('_interaction');
  const first = await fetch(`${server.url}/interaction/${uid}`, {
    redirect: 'manual',
    headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  t.is(first.status, 303);
  t.regex(first.headers.get('location')!, /^\/auth\?/);
  t.regex(first.headers.getSetCookie().join('\n'), /gh_restart=;/, 'the restart is dropped as it is used');
});

test('a tampered restart cookie is ignored', async (t) => {
  const { browser, uid } = await signInPage();
  const forged = Buffer.from(JSON.stringify({ uid, query: 'client_id=other' })).toString('base64url');
  browser.cookies.set('gh_restart', forged);
  browser.cookies.delete('_interaction');
  const page = await browser.open(`/interaction/${uid}`);
  t.is(heading(page.html), 'Your sign-in has expired');
});

test('an unknown address and a wrong method: plain pages with a reference', async (t) => {
  for (const [method, path, status, title] of [
    ['GET', '/no-such-page', 404, 'Page not found'],
    ['GET', '/account/no-such-page', 404, 'Page not found'],
    ['DELETE', '/forgot-password', 405, 'This page cannot be used this way'],
  ] as const) {
    const res = await fetch(`${server.url}${path}`, { method, headers: HTML });
    const html = await res.text();
    t.is(res.status, status, path);
    t.is(heading(html), title);
    t.is(reference(html), res.headers.get('x-request-id')!);
    plain(t, { html });
  }
});

test('the admin API keeps its JSON errors', async (t) => {
  const res = await fetch(`${server.url}/admin/api/no-such-thing`, { headers: HTML });
  t.false((res.headers.get('content-type') ?? '').includes('text/html'));
});

test('a refused form: our message, "Start again" to the sign-in step, and the reference', async (t) => {
  const { browser, page, uid } = await signInPage();
  const form = browser.form(page, '/login');
  const res = await browser.fetch(new URL(form.action, page.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'a', password: 'b' }).toString(),
  });
  const html = await res.text();
  t.is(res.status, 403);
  t.truthy(alertText(html));
  t.deepEqual(links(html)[0], [`/interaction/${uid}`, 'Start again']);
  t.is(reference(html), res.headers.get('x-request-id')!);
});
