import test from 'ava';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD } from '../helpers/server.js';
import { Browser } from '../helpers/browser.js';

/*
 * Clients and resource servers through the admin API: read, change, delete
 * (which revokes what was issued), rotate a secret with a grace period; the
 * provider of this instance sees each change at its next request.
 */

// The grace-period test moves the server's clock: the tests of this file run one at a time.
let offset = 0;
const clock = { now: () => new Date(Date.now() + offset) };
const s = adminServerPerFile(test, {}, { clock });
const superAdmin = signedInPerFile(test, s, 'super_admin');

const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

/** A client-credentials token request; `resource` and `scope` when given. */
async function clientCredentials(clientId: string, secret: string, params: Record<string, string> = {}) {
  const res = await fetch(`${s.server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const jwtPayload = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

test.serial('list, read and update a client; the provider sees the change at once', async (t) => {
  const made = await superAdmin.api('POST', '/clients', {
    clientId: 'portal',
    name: 'Portal',
    redirectUris: ['https://portal.example/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    firstParty: true,
  });
  t.is(made.status, 201, JSON.stringify(made.body));
  const listed = await superAdmin.api('GET', '/clients');
  const row = (listed.body.items as { clientId: string }[]).find((c) => c.clientId === 'portal');
  t.like(row, { clientId: 'portal', firstParty: true, hasSecret: true, serviceAccount: null });
  t.false(JSON.stringify(listed.body).includes(made.body.client_secret as string), 'no secret is listed');

  const read = await superAdmin.api('GET', '/clients/portal');
  t.is(read.status, 200);
  t.deepEqual(read.body.metadata.redirect_uris, ['https://portal.example/cb']);
  t.is((await superAdmin.api('GET', '/clients/nobody')).body.error, 'client.not_found');

  const authorize = (redirectUri: string) => {
    const url = new URL(`${s.server.url}/auth`);
    url.search = new URLSearchParams({
      client_id: 'portal',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }).toString();
    return fetch(url, { redirect: 'manual' });
  };
  t.is((await authorize('https://portal.example/cb')).status, 303);

  const changed = await superAdmin.api('PATCH', '/clients/portal', {
    name: 'Portal 2',
    redirectUris: ['https://portal2.example/cb'],
    postLogoutRedirectUris: ['https://portal2.example/bye'],
    firstParty: false,
  });
  t.is(changed.status, 200, JSON.stringify(changed.body));
  t.like(changed.body, { firstParty: false });
  t.like(changed.body.metadata, {
    client_name: 'Portal 2',
    redirect_uris: ['https://portal2.example/cb'],
    post_logout_redirect_uris: ['https://portal2.example/bye'],
  });
  t.is((await authorize('https://portal.example/cb')).status, 400, 'the old redirect URI is refused at once');
  t.is((await authorize('https://portal2.example/cb')).status, 303);

  const bad = await superAdmin.api('PATCH', '/clients/portal', { grantTypes: ['client_credentials', 'password'] });
  t.is(bad.status, 400);
  t.is(bad.body.error, 'client.invalid');
  t.is((await superAdmin.api('PATCH', '/clients/portal', { isPublic: true })).status, 400, 'unknown fields refused');
  const noUri = await superAdmin.api('PATCH', '/clients/portal', { redirectUris: [] });
  t.regex(noUri.body.message as string, /needs a redirect URI/);

  const audit = await superAdmin.api('GET', '/audit?action=client.updated');
  const event = (audit.body.items as { targetId: string; changes: Record<string, unknown> }[])[0];
  t.is(event?.targetId, 'portal');
  t.deepEqual(event?.changes.name, ['Portal', 'Portal 2']);
  t.deepEqual(event?.changes.firstParty, [true, false]);
});

test.serial('rotate a secret: the new one is shown once; the old one works only during the grace period', async (t) => {
  const made = await superAdmin.api('POST', '/clients', {
    clientId: 'nightly-job',
    grantTypes: ['client_credentials'],
  });
  const first = made.body.client_secret as string;
  t.is((await clientCredentials('nightly-job', first)).status, 200);

  const rotated = await superAdmin.api('POST', '/clients/nightly-job/secret', { graceSeconds: 3600 });
  t.is(rotated.status, 200, JSON.stringify(rotated.body));
  const second = rotated.body.client_secret as string;
  t.not(second, first);
  t.is(new Date(rotated.body.previous_secret_expires_at as string).getTime() - clock.now().getTime() <= 3600_000, true);
  t.is((await clientCredentials('nightly-job', second)).status, 200, 'the new secret works');
  t.is((await clientCredentials('nightly-job', first)).status, 200, 'the old one too, within the grace period');
  t.is((await clientCredentials('nightly-job', 'a-wrong-secret')).status, 401);
  const shown = await superAdmin.api('GET', '/clients/nightly-job');
  t.is(shown.body.previousSecretExpiresAt, rotated.body.previous_secret_expires_at);
  t.false(JSON.stringify(shown.body).includes(second));

  offset = 3601_000;
  try {
    const late = await clientCredentials('nightly-job', first);
    t.is(late.status, 401, 'not after it');
    t.is(late.body.error, 'invalid_client');
    t.is((await clientCredentials('nightly-job', second)).status, 200);
  } finally {
    offset = 0;
  }

  // The default grace is none: the secret before stops at once.
  const third = (await superAdmin.api('POST', '/clients/nightly-job/secret', {})).body;
  t.is(third.previous_secret_expires_at, null);
  t.is((await clientCredentials('nightly-job', second)).status, 401);
  t.is((await clientCredentials('nightly-job', third.client_secret as string)).status, 200);

  const audit = await superAdmin.api('GET', '/audit?action=client.secret_rotated');
  t.is((audit.body.items as unknown[]).length, 2);
  for (const secret of [first, second, third.client_secret as string])
    t.false(JSON.stringify(audit.body).includes(secret), 'no secret in the audit log');

  const pub = await superAdmin.api('POST', '/clients', {
    clientId: 'spa',
    isPublic: true,
    redirectUris: ['http://localhost:5173/cb'],
  });
  t.is(pub.status, 201);
  t.regex((await superAdmin.api('POST', '/clients/spa/secret', {})).body.message as string, /no secret to rotate/);
  t.is((await superAdmin.api('POST', '/clients/spa/secret', { graceSeconds: -1 })).status, 400);
});

test.serial('delete a client: its grants, refresh and access tokens are revoked', async (t) => {
  const app = await s.server.createClient({ clientId: 'doomed-app' });
  const user = await s.server.createUser();
  const rp = await relyingParty(s.server, app);
  const { tokens } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid offline_access' },
    new Browser(s.server.url),
  );
  const userinfo = () =>
    fetch(`${s.server.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }).then((r) => r.status);
  t.is(await userinfo(), 200);
  const held = await s.server
    .db('oidc_payloads')
    .whereRaw("payload->>'clientId' = ?", ['doomed-app'])
    .count({ n: '*' });
  t.true(Number(held[0]!.n) >= 3, 'a grant, an access token and a refresh token');

  const deleted = await superAdmin.api('DELETE', '/clients/doomed-app');
  t.is(deleted.status, 200, JSON.stringify(deleted.body));
  t.is(deleted.body.clientId, 'doomed-app');
  t.true((deleted.body.revoked as number) >= 3);
  t.is(await userinfo(), 401, 'the access token no longer works');
  const left = await s.server
    .db('oidc_payloads')
    .whereRaw("payload->>'clientId' = ?", ['doomed-app'])
    .count({ n: '*' });
  t.is(Number(left[0]!.n), 0);
  const refresh = await fetch(`${s.server.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic('doomed-app', app.clientSecret!),
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
  });
  t.is(refresh.status, 401, 'the client itself is unknown');

  t.is((await superAdmin.api('GET', '/clients/doomed-app')).status, 404);
  t.is((await superAdmin.api('DELETE', '/clients/doomed-app')).status, 404);
  const own = await superAdmin.api('DELETE', '/clients/gatehouse-account');
  t.is(own.status, 409);
  t.is(own.body.error, 'client.built_in');
  const redirected = await superAdmin.api('PATCH', '/clients/gatehouse-account', {
    redirectUris: ['https://attacker.example/cb'],
  });
  t.is(redirected.body.error, 'client.built_in', "Gatehouse's own client is not changed either");
  const audit = await superAdmin.api('GET', '/audit?action=client.deleted');
  t.like((audit.body.items as Record<string, unknown>[])[0], { targetId: 'doomed-app' });
});

test.serial('resource servers: list, create, change scopes and lifetime, delete', async (t) => {
  const listed = await superAdmin.api('GET', '/resources');
  t.true(
    (listed.body.items as { indicator: string }[]).some((r) => r.indicator === s.base),
    'the admin API is one',
  );

  const api = 'https://courses.api.test';
  const made = await superAdmin.api('POST', '/resources', { indicator: api, scopes: ['courses:read'] });
  t.is(made.status, 201, JSON.stringify(made.body));
  t.deepEqual(made.body, { indicator: api, scopes: ['courses:read'], accessTokenTtl: null, firstPartyOnly: false });
  t.is((await superAdmin.api('POST', '/resources', { indicator: api })).body.error, 'resource.exists');
  t.is((await superAdmin.api('POST', '/resources', { indicator: 'not a url' })).body.error, 'resource.invalid');
  const encoded = `/resources/${encodeURIComponent(api)}`;
  t.is((await superAdmin.api('GET', encoded)).body.indicator, api);

  const caller = await s.server.createClient({ grantTypes: ['client_credentials'] });
  const token = async (scope: string) =>
    clientCredentials(caller.clientId, caller.clientSecret!, { resource: api, scope });
  const early = await token('courses:write');
  t.false(
    String(early.body.access_token ? jwtPayload(early.body.access_token as string).scope : '').includes(
      'courses:write',
    ),
    'not a scope of the API yet',
  );

  const changed = await superAdmin.api('PATCH', encoded, {
    scopes: ['courses:read', 'courses:write'],
    accessTokenTtl: 120,
  });
  t.is(changed.status, 200, JSON.stringify(changed.body));
  t.deepEqual(changed.body.scopes, ['courses:read', 'courses:write']);
  const issued = await token('courses:write');
  t.is(issued.status, 200, JSON.stringify(issued.body));
  const claims = jwtPayload(issued.body.access_token as string);
  t.is(claims.scope, 'courses:write');
  t.is((claims.exp as number) - (claims.iat as number), 120, 'the new lifetime');
  t.is((await superAdmin.api('PATCH', encoded, { accessTokenTtl: 5 })).body.error, 'resource.invalid');

  const registered = await superAdmin.api('POST', '/clients', {
    clientId: 'courses-api',
    grantTypes: ['client_credentials'],
    resourceServer: api,
  });
  t.is(registered.status, 201);
  const inUse = await superAdmin.api('DELETE', encoded);
  t.is(inUse.status, 409);
  t.is(inUse.body.error, 'resource.in_use');
  t.is((await superAdmin.api('DELETE', '/clients/courses-api')).status, 200);
  t.is((await superAdmin.api('DELETE', encoded)).status, 204);
  t.is((await token('courses:read')).body.error, 'invalid_target', 'no tokens for a deleted API');
  t.is((await superAdmin.api('DELETE', encoded)).status, 404);
  t.is((await superAdmin.api('DELETE', `/resources/${encodeURIComponent(s.base)}`)).body.error, 'resource.built_in');
  const opened = await superAdmin.api('PATCH', `/resources/${encodeURIComponent(s.base)}`, { firstPartyOnly: false });
  t.is(opened.body.error, 'resource.built_in', 'the admin API stays first-party only');

  const audit = await superAdmin.api('GET', `/audit?action=resource.*`);
  t.deepEqual(
    (audit.body.items as { action: string }[]).map((e) => e.action),
    ['resource.deleted', 'resource.updated', 'resource.created'],
  );
});

test.serial('clients and resources are for super admins only', async (t) => {
  const admin = await s.as('admin');
  for (const [method, path] of [
    ['GET', '/clients'],
    ['GET', '/clients/portal'],
    ['PATCH', '/clients/portal'],
    ['DELETE', '/clients/portal'],
    ['POST', '/clients/portal/secret'],
    ['GET', '/resources'],
    ['POST', '/resources'],
    ['DELETE', `/resources/${encodeURIComponent(s.base)}`],
  ] as const) {
    const res = await admin.api(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
    t.is(res.status, 403, `${method} ${path}`);
  }
});

test.serial("Gatehouse's own clients and APIs are marked built-in (read-only); others are not", async (t) => {
  await superAdmin.api('POST', '/clients', { clientId: 'plain-app', redirectUris: ['https://plain.example/cb'] });
  const clients = (await superAdmin.api('GET', '/clients')).body.items as { clientId: string; builtIn: boolean }[];
  const builtIn = (id: string) => clients.find((c) => c.clientId === id)?.builtIn;
  t.true(builtIn('gatehouse-account'));
  t.true(builtIn('gatehouse-console'));
  t.false(builtIn('plain-app'));
  t.true((await superAdmin.api('GET', '/clients/gatehouse-console')).body.builtIn);
  t.false((await superAdmin.api('GET', '/clients/plain-app')).body.builtIn);

  await superAdmin.api('POST', '/resources', { indicator: 'https://plain.api.test' });
  const resources = (await superAdmin.api('GET', '/resources')).body.items as { indicator: string; builtIn: boolean }[];
  t.deepEqual(
    resources
      .filter((r) => r.builtIn)
      .map((r) => r.indicator)
      .sort(),
    [s.base, `${s.server.url}/scim/v2`].sort(),
  );
  t.false((await superAdmin.api('GET', `/resources/${encodeURIComponent('https://plain.api.test')}`)).body.builtIn);
  t.true((await superAdmin.api('GET', `/resources/${encodeURIComponent(s.base)}`)).body.builtIn);
});
