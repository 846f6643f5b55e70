import test from 'ava';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, serverPerFile } from '../helpers/server.js';

const server = serverPerFile(test);
const API = 'https://api.gatehouse.test';

test.before(async () => {
  await server.repos.resources.create({
    indicator: API,
    scopes: ['courses:read', 'courses:write'],
    accessTokenTtl: 600,
    firstPartyOnly: false,
  });
});

const introspect = async (rp: Awaited<ReturnType<typeof relyingParty>>, token: string) =>
  oidc.tokenIntrospection(rp.config, token);

test('code + PKCE sign-in gives an ID token and userinfo with the role claims', async (t) => {
  const user = await server.createUser({ role: 'manager' });
  await server.db('role_assignments').insert({ user_id: user.id, role: 'hr' });
  const rp = await relyingParty(server, await server.createClient());
  const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD });

  const claims = tokens.claims()!;
  t.is(claims.sub, user.id);
  t.deepEqual([...(claims.roles as string[])].sort(), ['hr', 'manager']);
  t.is(claims.main_role, 'manager');
  t.is(claims.main_account_id, '00000000-0000-4000-8000-000000000001');
  t.is(claims.email, user.email);
  t.deepEqual(claims.amr, ['pwd']);

  const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, user.id);
  t.deepEqual([...(info.roles as string[])].sort(), ['hr', 'manager']);
  t.is(info.main_role, 'manager');
});

test('without the roles scope no role claims are released', async (t) => {
  const user = await server.createUser({ role: 'hr' });
  const rp = await relyingParty(server, await server.createClient());
  const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid email' });
  t.is(tokens.claims()!.roles, undefined);
  t.is(tokens.claims()!.main_role, undefined);
});

test('an access token for a resource server is an RFC 9068 JWT for that audience, with roles', async (t) => {
  const user = await server.createUser({ role: 'hr' });
  const rp = await relyingParty(server, await server.createClient());
  const { tokens } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid roles courses:read', resource: API },
  );

  t.is(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
  const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.url, audience: API });
  t.is(payload.sub, user.id);
  t.is(payload.scope, 'courses:read');
  t.deepEqual(payload.roles, ['hr']);
  t.is(payload.main_role, 'hr');
  t.is(payload.exp! - payload.iat!, 600, "the resource server's own lifetime overrides TTL_API_ACCESS_TOKEN");
});

test('refresh tokens rotate, and reusing an old one revokes the whole grant', async (t) => {
  const user = await server.createUser();
  const rp = await relyingParty(server, await server.createClient());
  const { tokens } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid roles offline_access' },
  );
  t.truthy(
    tokens.refresh_token,
    'offline_access gives a refresh token without prompt=consent for a first-party client',
  );

  const second = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
  t.truthy(second.refresh_token);
  t.not(second.refresh_token, tokens.refresh_token);
  t.deepEqual(second.claims()!.roles, ['individual']);

  const reuse = await t.throwsAsync(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!));
  t.is((reuse as oidc.ResponseBodyError).error, 'invalid_grant');
  // The reuse revoked the grant: the newest refresh token and access token are dead too.
  const after = await t.throwsAsync(oidc.refreshTokenGrant(rp.config, second.refresh_token!));
  t.is((after as oidc.ResponseBodyError).error, 'invalid_grant');
  t.false((await introspect(rp, second.access_token)).active);
});

test('introspection and revocation', async (t) => {
  const user = await server.createUser();
  const rp = await relyingParty(server, await server.createClient());
  const { tokens } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid roles offline_access' },
  );

  const active = await introspect(rp, tokens.access_token);
  t.true(active.active);
  t.is(active.sub, user.id);
  t.deepEqual(active.roles, ['individual']);

  await oidc.tokenRevocation(rp.config, tokens.refresh_token!);
  await t.throwsAsync(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!));
  await oidc.tokenRevocation(rp.config, tokens.access_token);
  t.false((await introspect(rp, tokens.access_token)).active);
});

test('client credentials: opaque for the client, a JWT for a resource server', async (t) => {
  const client = await server.createClient({ grantTypes: ['client_credentials'] });
  const rp = await relyingParty(server, client);
  const opaque = await oidc.clientCredentialsGrant(rp.config, {});
  t.is(opaque.access_token.split('.').length, 1);
  t.true((await introspect(rp, opaque.access_token)).active);

  const jwt = await oidc.clientCredentialsGrant(rp.config, { resource: API, scope: 'courses:read' });
  const { payload } = await jwtVerify(jwt.access_token, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
    audience: API,
    issuer: server.url,
  });
  t.is(payload.client_id, client.clientId);
  t.is(payload.scope, 'courses:read');

  const wrong = await t.throwsAsync(oidc.clientCredentialsGrant(rp.config, { resource: 'https://unknown.test' }));
  t.is((wrong as oidc.ResponseBodyError).error, 'invalid_target');
});

test('a wrong client secret is refused', async (t) => {
  const client = await server.createClient({ grantTypes: ['client_credentials'] });
  const rp = await relyingParty(server, { ...client, clientSecret: 'not-the-secret' });
  const err = await t.throwsAsync(oidc.clientCredentialsGrant(rp.config, {}));
  t.is((err as oidc.ResponseBodyError).error, 'invalid_client');
});

test('public clients must use PKCE', async (t) => {
  const client = await server.createClient({ isPublic: true });
  const browser = new Browser(server.url);
  const url = new URL(`${server.url}/auth`);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: client.redirectUri,
    state: 's',
  }).toString();
  const page = await browser.open(url.toString());
  t.is(page.leftTo?.searchParams.get('error'), 'invalid_request');
  t.regex(page.leftTo?.searchParams.get('error_description') ?? '', /PKCE/);

  const user = await server.createUser();
  const rp = await relyingParty(server, client);
  const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD });
  t.is(tokens.claims()!.sub, user.id);
});

test('third-party clients ask for consent once; first-party clients never do', async (t) => {
  const user = await server.createUser();
  const client = await server.createClient({ firstParty: false });
  const rp = await relyingParty(server, client);
  const browser = new Browser(server.url);
  const auth = await rp.authorizationUrl();
  const consent = await browser.submit(
    await browser.open(auth.url.toString()),
    { username: user.email, password: PASSWORD },
    '/login',
  );
  t.regex(consent.html, /Allow access\?/);
  t.regex(consent.html, /see your roles/);
  const tokens = await rp.exchange(await browser.submit(consent, {}, '/confirm'), auth);
  t.is(tokens.claims()!.sub, user.id);

  // Same browser, same scopes: the session and the grant are reused, no page at all.
  const again = await rp.authorizationUrl();
  const page = await browser.open(again.url.toString());
  t.truthy(page.leftTo?.searchParams.get('code'));
});

test('denying consent returns access_denied to the client', async (t) => {
  const user = await server.createUser();
  const rp = await relyingParty(server, await server.createClient({ firstParty: false }));
  const browser = new Browser(server.url);
  const auth = await rp.authorizationUrl();
  const consent = await browser.submit(
    await browser.open(auth.url.toString()),
    { username: user.email, password: PASSWORD },
    '/login',
  );
  const abortUrl = /href="([^"]*\/abort)"/.exec(consent.html)![1]!;
  const back = await browser.open(abortUrl);
  t.is(back.leftTo?.searchParams.get('error'), 'access_denied');
});

test('RP-initiated logout ends the Gatehouse session', async (t) => {
  const user = await server.createUser();
  const client = await server.createClient();
  const rp = await relyingParty(server, client);
  const { tokens, browser } = await rp.signIn({ username: user.email, password: PASSWORD });

  const endUrl = oidc.buildEndSessionUrl(rp.config, {
    id_token_hint: tokens.id_token!,
    post_logout_redirect_uri: 'http://rp.test/bye',
    state: 'bye',
  });
  const confirm = await browser.open(endUrl.toString());
  t.regex(confirm.html, /Do you want to sign out/);
  const done = await browser.submit(confirm, { logout: 'yes' });
  t.is(done.leftTo?.origin + done.leftTo!.pathname, 'http://rp.test/bye');
  t.is(done.leftTo?.searchParams.get('state'), 'bye');

  // Signed out: the next authorization asks for the password again.
  const next = await browser.open((await rp.authorizationUrl()).url.toString());
  t.falsy(next.leftTo);
  t.regex(next.html, /name="password"/);
});

test('discovery advertises the endpoints, PKCE S256 and the roles scope', async (t) => {
  const doc = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  t.is(doc.issuer, server.url);
  t.deepEqual(doc.code_challenge_methods_supported, ['S256']);
  for (const key of [
    'introspection_endpoint',
    'revocation_endpoint',
    'end_session_endpoint',
    'userinfo_endpoint',
    'jwks_uri',
  ])
    t.truthy(doc[key], key);
  t.true((doc.scopes_supported as string[]).includes('roles'));
  t.true((doc.grant_types_supported as string[]).includes('client_credentials'));
});

test('deactivating a user ends their sessions, refresh tokens and access tokens at once', async (t) => {
  const user = await server.createUser();
  const rp = await relyingParty(server, await server.createClient());
  const { tokens, browser } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid offline_access' },
  );
  await server.container.identity.setStatus(user.id, 'inactive', { type: 'cli' });

  t.false((await introspect(rp, tokens.access_token)).active);
  await t.throwsAsync(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!));
  await t.throwsAsync(oidc.fetchUserInfo(rp.config, tokens.access_token, user.id));
  // The browser session is gone: the next authorization asks for the password.
  const next = await browser.open((await rp.authorizationUrl()).url.toString());
  t.regex(next.html, /name="password"/);
});

// Serial: it changes the signing keys every other test uses.
test.serial('keys rotate: new tokens carry the new key; the old public key stays in JWKS', async (t) => {
  const before = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string; alg: string }[] };
  const oldRs = before.keys.find((k) => k.alg === 'RS256')!.kid;
  const { created, retired } = await server.container.signingKeys.rotate(3600);
  t.true(retired.includes(oldRs));
  // The rotation's change notice has the provider rebuilt; this waits for it (or does it, if the notice is not in yet).
  await server.oidc.refreshKeys();

  const after = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] };
  const kids = after.keys.map((k) => k.kid);
  t.true(kids.includes(oldRs), 'the retired key is still published');
  for (const kid of created) t.true(kids.includes(kid));
  t.false(JSON.stringify(after).includes('"d"'), 'JWKS has no private parts');

  const user = await server.createUser();
  const rp = await relyingParty(server, await server.createClient());
  const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD });
  const kid = decodeProtectedHeader(tokens.id_token!).kid!;
  t.true(created.includes(kid), 'ID tokens are signed with the new RS256 key');
  t.false(await server.oidc.refreshKeys(), 'nothing to reload when nothing changed');
});

test('private signing keys and client secrets are encrypted at rest', async (t) => {
  const client = await server.createClient({ clientId: 'secret-check' });
  const row = await server.db('oidc_clients').where({ client_id: 'secret-check' }).first();
  t.false(JSON.stringify(row).includes(client.clientSecret!));
  const key = await server.db('signing_keys').first();
  t.regex(key.private_jwk_encrypted, /^v1\./);
  t.false('d' in key.public_jwk);
});
