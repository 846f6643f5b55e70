import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { perFile } from '../helpers/per-file.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';

/*
 * Every HTML answer carries a content-security policy, whether Gatehouse renders
 * it (sign-in, account, forgot-password, error pages) or oidc-provider does
 * (its error page, logout, post-logout and the form_post auto-submit page), and
 * no page needs inline styles or inline scripts.
 */

const server = serverPerFile(test, { MFA_REQUIRED_ROLES: '' });
const client = perFile(test, () => server.createClient());

interface Answer {
  url: string;
  status: number;
  headers: Headers;
  html: string;
  leftTo?: URL;
}

/** Follows redirects on the server like Browser.open, keeping the last answer's headers. */
async function follow(browser: Browser, url: string, init: RequestInit = {}): Promise<Answer> {
  let current = new URL(url, server.url);
  let res = await browser.fetch(current.toString(), init);
  for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
    if (hops > 20) throw new Error('too many redirects');
    const next = new URL(res.headers.get('location')!, current);
    await res.arrayBuffer();
    if (next.origin !== server.url)
      return { url: current.toString(), status: res.status, headers: res.headers, html: '', leftTo: next };
    current = next;
    res = await browser.fetch(current.toString());
  }
  return { url: current.toString(), status: res.status, headers: res.headers, html: await res.text() };
}

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );

/** The page is HTML under a policy with no inline style or script, framed by nobody. */
function assertPagePolicy(t: ExecutionContext, answer: Answer, what: string) {
  t.regex(answer.headers.get('content-type') ?? '', /^text\/html/, `${what}: HTML`);
  const csp = answer.headers.get('content-security-policy');
  t.truthy(csp, `${what}: has a Content-Security-Policy`);
  const d = directives(csp ?? '');
  t.deepEqual(d.get('style-src'), ["'self'"], `${what}: style-src 'self' only`);
  t.false((d.get('script-src') ?? ["'unsafe-inline'"]).includes("'unsafe-inline'"), `${what}: no inline scripts`);
  t.false((d.get('default-src') ?? []).includes("'unsafe-inline'"), `${what}: default-src without 'unsafe-inline'`);
  t.deepEqual(d.get('frame-ancestors'), ["'none'"], `${what}: never framed`);
  t.notRegex(answer.html, /<style\b|\sstyle\s*=/i, `${what}: no inline style in the markup`);
}

async function signedInBrowser(user: { email: string }) {
  const rp = await relyingParty(server, client);
  const { browser } = await rp.signIn({ username: user.email, password: PASSWORD });
  return browser;
}

test('the sign-in page, its refusal and the forgot-password page carry the policy', async (t) => {
  const browser = new Browser(server.url);
  const rp = await relyingParty(server, client);
  const { url } = await rp.authorizationUrl();
  const login = await follow(browser, url.toString());
  t.regex(login.url, /\/interaction\//);
  assertPagePolicy(t, login, 'sign-in page');

  const form = browser.form({ url: login.url, status: login.status, html: login.html }, '/login');
  const refused = await follow(browser, new URL(form.action, login.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...form.fields,
      username: 'nobody@example.com',
      password: 'wrong-password-here',
    }).toString(),
  });
  t.is(refused.status, 401);
  assertPagePolicy(t, refused, 'refused sign-in');

  assertPagePolicy(t, await follow(browser, '/forgot-password'), 'forgot-password page');
  assertPagePolicy(
    t,
    await follow(browser, '/reset-password?token=not-a-token'),
    'reset-password page with a bad link',
  );
});

test("oidc-provider's error page carries the policy", async (t) => {
  const answer = await follow(
    new Browser(server.url),
    '/auth?client_id=no-such-client&response_type=code&scope=openid',
  );
  t.is(answer.status, 400);
  assertPagePolicy(t, answer, 'provider error page');
});

test("Gatehouse's own error page carries the policy", async (t) => {
  const answer = await follow(new Browser(server.url), '/interaction/no-such-interaction');
  t.true(answer.status >= 400);
  assertPagePolicy(t, answer, 'page error');
});

test('the account pages carry the policy', async (t) => {
  const user = await server.createUser();
  const browser = await signedInBrowser(user);
  for (const path of ['/account/security', '/account/password']) {
    const answer = await follow(browser, path);
    t.is(answer.status, 200, `${path}: ${answer.url}`);
    t.is(new URL(answer.url).pathname, path);
    assertPagePolicy(t, answer, path);
  }
});

test('the logout and signed-out pages carry the policy', async (t) => {
  const user = await server.createUser();
  const browser = await signedInBrowser(user);
  const logout = await follow(browser, `/session/end?client_id=${client.clientId}`);
  t.is(logout.status, 200);
  t.regex(logout.html, /Sign out/);
  assertPagePolicy(t, logout, 'logout page');

  const form = browser.form({ url: logout.url, status: logout.status, html: logout.html });
  const done = await follow(browser, new URL(form.action, logout.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, logout: 'yes' }).toString(),
  });
  t.is(done.status, 200, done.url);
  assertPagePolicy(t, done, 'signed-out page');
});

test("form_post: the auto-submit page's policy allows exactly its own inline script", async (t) => {
  const user = await server.createUser();
  const browser = new Browser(server.url);
  const rp = await relyingParty(server, client);
  const { url, state } = await rp.authorizationUrl({ response_mode: 'form_post' });
  const login = await follow(browser, url.toString());
  const form = browser.form({ url: login.url, status: login.status, html: login.html }, '/login');
  const answer = await follow(browser, new URL(form.action, login.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, username: user.email, password: PASSWORD }).toString(),
  });
  t.is(answer.status, 200);
  t.regex(answer.html, new RegExp(`<form method="post" action="${client.redirectUri}">`));
  t.regex(answer.html, new RegExp(`name="state" value="${state}"`));
  t.regex(answer.html, /name="code" value="[^"]+"/);

  const csp = answer.headers.get('content-security-policy');
  t.truthy(csp, 'form_post page has a Content-Security-Policy');
  const d = directives(csp ?? '');
  t.deepEqual(d.get('style-src'), ["'self'"]);
  const script = /<script>([\s\S]*?)<\/script>/.exec(answer.html)?.[1];
  t.truthy(script);
  const hash = `'sha256-${createHash('sha256').update(script!).digest('base64')}'`;
  t.deepEqual(d.get('script-src'), ["'self'", hash], 'only our scripts and this inline one');
});

test('the stylesheet is served with the other assets, cached for a year under its versioned URL', async (t) => {
  const browser = new Browser(server.url);
  const rp = await relyingParty(server, client);
  const login = await follow(browser, (await rp.authorizationUrl()).url.toString());
  const href = /<link rel="stylesheet" href="([^"]+)">/.exec(login.html)?.[1];
  t.regex(href ?? '', /^\/assets\/gatehouse\.css\?v=[\w-]+$/);
  const res = await fetch(new URL(href!, server.url));
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/css/);
  t.regex(res.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
  t.regex(await res.text(), /button \{/);
});
