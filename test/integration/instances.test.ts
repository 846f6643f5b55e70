import test, { type ExecutionContext } from 'ava';
import { decodeProtectedHeader } from 'jose';
import { adminServerPerFile, signedInPerFile } from '../helpers/admin.js';
import { Browser, type Page } from '../helpers/browser.js';
import { perFile } from '../helpers/per-file.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, startServer } from '../helpers/server.js';

/**
 * Two instances on one database, behind one issuer (as behind a load balancer):
 * what is changed on the first applies on the second within the poll's deadline,
 * shorter than every timed refresh (clients and resource servers 10 s, settings
 * 30 s, keys a minute), so only the change notices can make these pass.
 * TRUST_PROXY: each test signs in from addresses of its own.
 */
const ENV = {
  TRUST_PROXY: 'true',
  LOCKOUT_MAX_ATTEMPTS: '4',
  RATE_LIMIT_SIGNIN_IP: '4/15m',
  RATE_LIMIT_SIGNIN_IDENTIFIER: '1000/15m',
};
const a = adminServerPerFile(test, ENV);
const admin = signedInPerFile(test, a, 'super_admin');
const b = perFile(
  test,
  () => startServer({ ...ENV, MFA_REQUIRED_ROLES: '', ISSUER: a.server.url }, { sameDatabaseAs: a.server }),
  (s) => s.close(),
);

/** Probes until `done` holds, at most 5 s; fails the test with the last answer otherwise. */
async function eventually<T>(t: ExecutionContext, what: string, probe: () => Promise<T>, done: (v: T) => boolean) {
  const deadline = performance.now() + 5000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (performance.now() > deadline) {
      t.fail(`${what}: still ${JSON.stringify(value)} after 5 s`);
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A client credentials grant at `base`: the status and the answer. */
async function token(base: string, client: { id: string; secret: string }, params: Record<string, string> = {}) {
  const res = await fetch(`${base}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function serviceClient(clientId: string) {
  const made = await admin.api<{ client_secret: string }>('POST', '/clients', {
    clientId,
    grantTypes: ['client_credentials'],
    firstParty: true,
  });
  return { id: clientId, secret: made.body.client_secret };
}

test('a setting changed on one instance applies on the other: the password policy', async (t) => {
  const create = async () =>
    (
      await fetch(`${b.url}/admin/api/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `policy-${crypto.randomUUID()}@example.com`,
          givenName: 'Policy',
          familyName: 'Probe',
          password: 'amber-falcon-93-quay',
        }),
      })
    ).status;
  t.is(await create(), 201, 'a 20-character password is long enough on the second instance');
  const changed = await admin.api('PUT', '/settings', { passwordPolicy: { minLength: 22 } });
  t.is(changed.status, 200);
  t.is(await eventually(t, 'the short password', create, (status) => status === 400), 400);
});

let tokenOfAdmin: Promise<string> | undefined;
/** The super admin's bearer token, for the second instance's admin API (one issuer: A's tokens hold there). */
const adminToken = () => (tokenOfAdmin ??= a.tokenOf(admin));

test('a client created, changed and deleted on one instance is usable, refused, usable and gone on the other', async (t) => {
  const client = await serviceClient('two-instances-client');
  t.is((await token(b.url, client)).status, 200, 'created on A: B issues it a token');
  const refused = await admin.api('PATCH', '/clients/two-instances-client', {
    grantTypes: ['authorization_code'],
    redirectUris: ['https://rp.example.test/cb'],
  });
  t.is(refused.status, 200);
  const unauthorized = await eventually(
    t,
    'the grant type taken away',
    () => token(b.url, client),
    (r) => r.status === 400,
  );
  t.is(unauthorized.body.error_description, 'requested grant type is not allowed for this client');
  t.is((await admin.api('PATCH', '/clients/two-instances-client', { grantTypes: ['client_credentials'] })).status, 200);
  await eventually(
    t,
    'the grant type given back',
    () => token(b.url, client),
    (r) => r.status === 200,
  );
  t.is((await admin.api('DELETE', '/clients/two-instances-client')).status, 200);
  const gone = await eventually(
    t,
    'the deleted client',
    () => token(b.url, client),
    (r) => r.status === 401,
  );
  t.is(gone.body.error, 'invalid_client');
});

test('a resource server changed and deleted on one instance: the other issues and refuses accordingly', async (t) => {
  const indicator = 'https://orders.example.test/api';
  t.is((await admin.api('POST', '/resources', { indicator, scopes: ['orders:read'] })).status, 201);
  const client = await serviceClient('orders-reader');
  const read = () => token(b.url, client, { resource: indicator, scope: 'orders:read' });
  const issued = await read();
  t.is(issued.status, 200);
  t.is(issued.body.scope, 'orders:read');
  t.is(
    (await admin.api('PATCH', `/resources/${encodeURIComponent(indicator)}`, { scopes: ['orders:write'] })).status,
    200,
  );
  await eventually(t, 'the scope taken away', read, (r) => r.status !== 200 || r.body.scope !== 'orders:read');
  const write = await token(b.url, client, { resource: indicator, scope: 'orders:write' });
  t.is(write.status, 200);
  t.is(write.body.scope, 'orders:write');
  t.is((await admin.api('DELETE', `/resources/${encodeURIComponent(indicator)}`)).status, 204);
  const gone = await eventually(
    t,
    'the deleted resource server',
    () => token(b.url, client, { resource: indicator, scope: 'orders:write' }),
    (r) => r.status === 400,
  );
  t.is(gone.body.error, 'invalid_target');
});

test('a SCIM token revoked on one instance is refused on the other', async (t) => {
  const made = await admin.api<{ id: string; token: string }>('POST', '/scim-tokens', { name: 'hr-two-instances' });
  t.is(made.status, 201);
  const users = async () =>
    (await fetch(`${b.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${made.body.token}` } })).status;
  t.is(await users(), 200);
  t.is((await admin.api('DELETE', `/scim-tokens/${made.body.id}`)).status, 200);
  t.is(await eventually(t, 'the revoked token', users, (status) => status === 401), 401);
});

test("a key rotation on one instance is in the other's JWKS, and the other signs with the new key", async (t) => {
  const indicator = 'https://keys.example.test/api';
  t.is((await admin.api('POST', '/resources', { indicator, scopes: ['keys:read'] })).status, 201);
  const client = await serviceClient('key-rotation-client');
  const kids = async () =>
    ((await (await fetch(`${b.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const before = await kids();
  // What `gatehouse keys rotate` does (a process of its own on PostgreSQL).
  const { created, retired } = await a.server.container.signingKeys.rotate(3600);
  t.deepEqual(retired.sort(), before.sort());
  const after = await eventually(t, 'the new keys in JWKS', kids, (k) => created.every((kid) => k.includes(kid)));
  t.true(
    before.every((kid) => after.includes(kid)),
    'the retired keys stay published',
  );
  const issued = await token(b.url, client, { resource: indicator, scope: 'keys:read' });
  t.is(issued.status, 200);
  t.is(decodeProtectedHeader(issued.body.access_token!).kid, created[1], 'signed with the new ES256 key');
});

/** The sign-in form of a relying party at `base`, posted from `ip`. */
async function signIn(base: string, ip: string, username: string, password: string): Promise<Page> {
  const rp = await relyingParty(a.server, rpClient);
  const { url } = await rp.authorizationUrl();
  const browser = new Browser(base, { 'x-forwarded-for': ip });
  const form = await browser.open(`${base}${url.pathname}${url.search}`);
  return browser.submit(form, { username, password }, '/login');
}
const rpClient = perFile(test, () => a.server.createClient({ clientId: 'two-instances-rp' }));

test('the lockout counts failures on both instances', async (t) => {
  const user = await a.server.createUser();
  for (const [i, base] of [a.server.url, b.url, a.server.url].entries())
    t.is((await signIn(base, `10.20.0.${i + 1}`, user.email, 'wrong-password-000')).status, 401);
  t.is((await signIn(b.url, '10.20.0.4', user.email, 'wrong-password-000')).status, 401, 'the fourth failure in all');
  const locked = await signIn(b.url, '10.20.0.5', user.email, PASSWORD);
  t.is(locked.status, 401, 'two failures on each instance: even the right password is not evaluated');
  t.falsy(locked.leftTo);
  t.like(await b.db('users').where({ id: user.id }).first(), { status: 'locked', failed_attempts: 4 });
  t.falsy((await signIn(a.server.url, '10.20.0.6', user.email, PASSWORD)).leftTo);
});

test('the sign-in rate limit counts failures on both instances (it is kept in PostgreSQL)', async (t) => {
  const ip = '10.30.0.1';
  for (const base of [a.server.url, a.server.url, b.url])
    t.is((await signIn(base, ip, 'nobody@example.com', 'wrong-password-000')).status, 401);
  t.is((await signIn(b.url, ip, 'nobody@example.com', 'wrong-password-000')).status, 401, 'the limit of 4 spent');
  const user = await a.server.createUser();
  const refused = await signIn(b.url, ip, user.email, PASSWORD);
  t.is(refused.status, 429, 'B saw two failures of this address, A two: the limit of 4 holds across both');
  t.is((await signIn(b.url, '10.30.0.2', user.email, PASSWORD)).leftTo?.searchParams.has('code'), true);
});
