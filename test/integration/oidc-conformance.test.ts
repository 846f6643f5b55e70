import { createHash, randomBytes } from 'node:crypto';
import test from 'ava';
import { Browser, type Page } from '../helpers/browser.js';
import { PASSWORD, serverPerFile, startServer } from '../helpers/server.js';

/*
 * What an OpenID certification run found missing (issue 17): POST at the
 * authorization and end-session endpoints behind an https issuer, redirect_uri
 * required at /auth, and revocation of another client's token refused.
 */

const server = serverPerFile(test);
const HTTPS_ISSUER = 'https://idp.gatehouse.test';

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};
const authorizationParams = (client: { clientId: string; redirectUri: string }, challenge: string) => ({
  client_id: client.clientId,
  response_type: 'code',
  scope: 'openid',
  redirect_uri: client.redirectUri,
  code_challenge: challenge,
  code_challenge_method: 'S256',
  state: 'st4te',
});
const form = (params: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});
/** The attributes of the Set-Cookie lines of a response, by cookie name. */
const cookieAttributes = (res: Response) =>
  new Map(
    res.headers.getSetCookie().map((line) => {
      const [pair, ...attrs] = line.split(';');
      return [pair!.split('=')[0]!.trim(), attrs.map((a) => a.trim().toLowerCase())];
    }),
  );

test('behind an https issuer, POST /auth signs in and POST /session/end signs out; cookies are SameSite=None; Secure', async (t) => {
  // The server listens on http behind a TLS-terminating proxy, as in production: TRUST_PROXY and X-Forwarded-Proto.
  const https = await startServer({ ISSUER: HTTPS_ISSUER, TRUST_PROXY: 'true' });
  t.teardown(() => https.close());
  const user = await https.createUser();
  const client = await https.createClient();
  const browser = new Browser(https.url, {
    'x-forwarded-proto': 'https',
    'x-forwarded-host': new URL(HTTPS_ISSUER).host,
  });
  /** The provider's absolute URLs name the issuer's origin: the proxy would bring them back here. */
  const viaProxy = (url: URL) => new URL(`${url.pathname}${url.search}`, https.url).toString();

  const { verifier, challenge } = pkce();
  const started = await browser.fetch('/auth', form(authorizationParams(client, challenge)));
  t.is(started.status, 303, 'POST /auth is served');
  const interaction = cookieAttributes(started).get('_interaction');
  t.truthy(interaction);
  t.true(interaction!.includes('samesite=none'));
  t.true(interaction!.includes('secure'));
  t.true(interaction!.includes('httponly'));

  /** Follows the redirects that stay at the issuer (the test browser takes them for another origin). */
  const follow = async (page: Page) => {
    for (let hops = 0; page.leftTo?.origin === HTTPS_ISSUER && hops < 5; hops++)
      page = await browser.open(viaProxy(page.leftTo));
    return page;
  };

  const login = await browser.open(new URL(started.headers.get('location')!, https.url).toString());
  const page = await follow(await browser.submit(login, { username: user.email, password: PASSWORD }, '/login'));
  t.is(page.leftTo?.origin, new URL(client.redirectUri).origin, page.html.slice(0, 300));
  const code = page.leftTo!.searchParams.get('code')!;
  t.is(page.leftTo!.searchParams.get('iss'), HTTPS_ISSUER);

  const tokens = await fetch(`${https.url}/token`, {
    ...form({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier }),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
  });
  t.is(tokens.status, 200);
  const { id_token: idToken } = (await tokens.json()) as { id_token: string };

  const session = [...browser.cookies.keys()].find((name) => name === '_session');
  t.truthy(session, 'the session cookie is kept');
  const logout = await browser.open('/session/end', form({ id_token_hint: idToken }));
  t.is(logout.status, 200, 'POST /session/end is served');
  t.regex(logout.html, /session\/end\/confirm/);
  const confirm = browser.form(logout, '/session/end/confirm');
  const done = await follow(
    await browser.open(viaProxy(new URL(confirm.action)), form({ ...confirm.fields, logout: 'yes' })),
  );
  t.is(done.status, 200);
  t.regex(done.html, /signed out/i);
  t.false(browser.cookies.has('_session'), 'the session cookie is gone');
});

test('on a plain http issuer (development) only GET is served, and cookies stay SameSite=Lax', async (t) => {
  const client = await server.createClient();
  const browser = new Browser(server.url);
  const params = authorizationParams(client, pkce().challenge);
  t.is((await browser.fetch('/auth', form(params))).status, 404);
  t.is((await browser.fetch('/session/end', form({}))).status, 404);

  const started = await browser.fetch(`/auth?${new URLSearchParams(params)}`);
  t.is(started.status, 303);
  const interaction = cookieAttributes(started).get('_interaction')!;
  t.true(interaction.includes('samesite=lax'));
  t.false(interaction.includes('secure'));
});

test('redirect_uri is required at /auth even when the client has one registered URI', async (t) => {
  const client = await server.createClient();
  const { redirect_uri: _omitted, ...params } = authorizationParams(client, pkce().challenge);
  const res = await fetch(`${server.url}/auth?${new URLSearchParams(params)}`, { redirect: 'manual' });
  t.is(res.status, 400, 'an error page: there is no redirect_uri to send the error to');
  t.is(res.headers.get('location'), null);
  // A plain page for the person; the protocol error for the application's developers.
  t.regex(await res.text(), /This sign-in request cannot be used[\s\S]*<code>invalid_request<\/code>/);
  const withIt = await fetch(
    `${server.url}/auth?${new URLSearchParams({ ...params, redirect_uri: client.redirectUri })}`,
    {
      redirect: 'manual',
    },
  );
  t.is(withIt.status, 303);
});

test("revoking another client's token is refused (RFC 7009 §2.1) and the token stays valid", async (t) => {
  const owner = await server.createClient({ grantTypes: ['client_credentials'] });
  const other = await server.createClient({ grantTypes: ['client_credentials'] });
  const basic = (c: typeof owner) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
  const call = (path: string, c: typeof owner, params: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      ...form(params),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c) },
    });
  const issued = (await (await call('/token', owner, { grant_type: 'client_credentials' })).json()) as {
    access_token: string;
  };
  const active = async () =>
    ((await (await call('/token/introspection', owner, { token: issued.access_token })).json()) as { active: boolean })
      .active;

  const refused = await call('/token/revocation', other, { token: issued.access_token });
  t.is(refused.status, 400);
  t.is(((await refused.json()) as { error: string }).error, 'unauthorized_client');
  t.true(await active(), 'the token was not revoked');

  const revoked = await call('/token/revocation', owner, { token: issued.access_token });
  t.is(revoked.status, 200);
  t.false(await active());
  t.is(
    (await call('/token/revocation', other, { token: 'no-such-token' })).status,
    200,
    'an unknown token: nothing to tell',
  );
});
