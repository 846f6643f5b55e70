import test from 'ava';
import { adminServerPerFile, signedInPerFile, type AdminFetch } from '../helpers/admin.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD } from '../helpers/server.js';

/*
 * Machines administer too: a confidential client made a service account gets a
 * client-credentials token for the admin API and acts with exactly its role's
 * powers, named as the client in the audit log. Each refusal says what is wrong.
 */

const s = adminServerPerFile(test);
const superAdmin = signedInPerFile(test, s, 'super_admin');

type Made = { clientId: string; secret: string };

/** A service account (or a plain client) registered through the admin API. */
async function register(clientId: string, extra: Record<string, unknown> = {}): Promise<Made> {
  const res = await superAdmin.api('POST', '/clients', { clientId, grantTypes: ['client_credentials'], ...extra });
  if (res.status !== 201) throw new Error(`register ${clientId}: ${res.status} ${JSON.stringify(res.body)}`);
  return { clientId, secret: res.body.client_secret as string };
}

/** The token endpoint's answer to a client-credentials request. */
async function tokenRequest(client: Made, params: Record<string, string>) {
  const res = await fetch(`${s.server.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function adminApiAs(client: Made, params: Record<string, string> = {}): Promise<AdminFetch> {
  const res = await tokenRequest(client, { resource: s.base, scope: 'admin', ...params });
  if (res.status !== 200) throw new Error(`token for ${client.clientId}: ${res.status} ${JSON.stringify(res.body)}`);
  return s.client(res.body.access_token);
}

test('an hr service account administers with hr powers, and is refused above them', async (t) => {
  const hrSync = await register('hr-sync', { serviceAccount: { role: 'hr' } });
  const api = await adminApiAs(hrSync);
  const worker = await s.server.createUser();

  const listed = await api('GET', `/users?q=${encodeURIComponent(worker.email)}`);
  t.is(listed.status, 200, JSON.stringify(listed.body));
  t.is((listed.body.items as { id: string }[])[0]?.id, worker.id);
  const deactivated = await api('POST', `/users/${worker.id}/status`, { status: 'inactive' });
  t.is(deactivated.status, 200, JSON.stringify(deactivated.body));
  t.is(deactivated.body.status, 'inactive');

  const create = await api('POST', '/users', { email: 'made-by-hr-sync@example.com' });
  t.is(create.status, 403, 'creating users is for admins');
  t.is(create.body.error, 'admin_api.forbidden');
  t.regex(create.body.message as string, /hr.*users\.create.*admin/);
  const clients = await api('GET', '/clients');
  t.is(clients.status, 403);
  t.regex(clients.body.message as string, /needs super_admin/);

  // The audit log names the client as the actor.
  const audit = await superAdmin.api('GET', `/audit?userId=${worker.id}&action=user.status_changed`);
  t.is(audit.status, 200, JSON.stringify(audit.body));
  const event = (audit.body.items as { action: string; actor: Record<string, unknown> }[])[0];
  t.like(event?.actor, { type: 'client', id: 'hr-sync' });
});

test('a manager service account reaches the users of the accounts it manages, no others', async (t) => {
  const account = await superAdmin.api('POST', '/accounts', { name: 'Acme Training', kind: 'customer' });
  t.is(account.status, 201, JSON.stringify(account.body));
  const inside = await superAdmin.api('POST', '/users', {
    email: 'inside@example.com',
    givenName: 'In',
    mainAccountId: account.body.id,
  });
  const outside = await superAdmin.api('POST', '/users', { email: 'outside@example.com', givenName: 'Out' });
  const unscoped = await superAdmin.api('POST', '/clients', {
    clientId: 'lms-manager-none',
    grantTypes: ['client_credentials'],
    serviceAccount: { role: 'manager' },
  });
  t.is(unscoped.status, 400, 'a manager names what it manages');
  t.is(unscoped.body.error, 'client.invalid');
  const missing = await superAdmin.api('POST', '/clients', {
    clientId: 'lms-manager-ghost',
    grantTypes: ['client_credentials'],
    serviceAccount: { role: 'manager', accountIds: ['11111111-1111-4111-8111-111111111111'] },
  });
  t.is(missing.status, 404);
  t.is(missing.body.error, 'account.not_found');

  const manager = await register('lms-manager', {
    serviceAccount: { role: 'manager', accountIds: [account.body.id] },
  });
  const api = await adminApiAs(manager);
  t.is((await api('GET', `/users/${inside.body.id}`)).status, 200);
  t.is((await api('GET', `/users/${outside.body.id}`)).status, 404, 'out of reach is not found');
  const all = await api('GET', '/users?limit=100');
  t.deepEqual(
    (all.body.items as { id: string }[]).map((u) => u.id),
    [inside.body.id],
  );
  t.is((await api('POST', `/users/${inside.body.id}/status`, { status: 'inactive' })).status, 403);
});

test('who may be a service account: not individual, not a public client, only with client_credentials', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { grantTypes: ['client_credentials'], serviceAccount: { role: 'individual' } },
      /manager, hr, admin or super_admin/,
    ],
    [
      {
        grantTypes: ['authorization_code'],
        redirectUris: ['https://app.example/cb'],
        serviceAccount: { role: 'hr' },
      },
      /needs the client_credentials grant/,
    ],
    [
      {
        grantTypes: ['authorization_code'],
        redirectUris: ['https://app.example/cb'],
        isPublic: true,
        serviceAccount: { role: 'hr' },
      },
      /public client cannot be a service account/,
    ],
    [
      {
        grantTypes: ['client_credentials'],
        serviceAccount: { role: 'hr', accountIds: ['11111111-1111-4111-8111-111111111111'] },
      },
      /Only a manager/,
    ],
  ];
  for (const [i, [body, message]] of cases.entries()) {
    const res = await superAdmin.api('POST', '/clients', { clientId: `refused-${i}`, ...body });
    t.is(res.status, 400, JSON.stringify(res.body));
    t.is(res.body.error, 'client.invalid');
    t.regex(res.body.message as string, message);
  }
});

test('a super_admin service account manages clients; changing or removing the role counts at once', async (t) => {
  const robot = await register('ops-robot', { serviceAccount: { role: 'super_admin' } });
  const api = await adminApiAs(robot);
  t.is((await api('GET', '/clients')).status, 200);
  t.is((await api('GET', '/me')).body.error, 'admin_api.person_only', '/me is for people');
  const someone = await s.server.createUser();
  const impersonate = await api('POST', '/impersonation', { userId: someone.id });
  t.is(impersonate.status, 403);
  t.is(impersonate.body.error, 'admin_api.person_only', 'a client has no browser to act in');

  t.is((await superAdmin.api('PATCH', '/clients/ops-robot', { serviceAccount: { role: 'admin' } })).status, 200);
  t.is((await api('GET', '/clients')).status, 403, 'the same token now has admin powers');
  t.is((await api('GET', '/audit')).status, 200);

  const cleared = await superAdmin.api('PATCH', '/clients/ops-robot', { serviceAccount: null });
  t.is(cleared.body.serviceAccount, null);
  const refused = await api('GET', '/users');
  t.is(refused.status, 403);
  t.is(refused.body.error, 'admin_api.not_service_account');
  t.regex(refused.body.message as string, /"ops-robot" is not a service account/);

  t.is((await superAdmin.api('DELETE', '/clients/ops-robot')).status, 200);
  const gone = await api('GET', '/users');
  t.is(gone.status, 401, 'the token of a deleted client is no good');
  t.is(gone.body.error, 'admin_api.invalid_token');
  t.regex(gone.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('each 401 and 403 says what is wrong, with the right WWW-Authenticate', async (t) => {
  const none = await s.client(undefined)('GET', '/users');
  t.is(none.status, 401);
  t.is(none.body.error, 'admin_api.unauthorized');
  t.is(none.headers.get('www-authenticate'), 'Bearer realm="admin"');

  const garbage = await s.client('not-a-token')('GET', '/users');
  t.is(garbage.status, 401);
  t.is(garbage.body.error, 'admin_api.invalid_token');
  t.is(garbage.headers.get('www-authenticate'), 'Bearer realm="admin", error="invalid_token"');

  // A first-party client that is no service account: tokens for another API, without the scope, or its own.
  const api = 'https://reports.api.test';
  await s.server.repos.resources.create({
    indicator: api,
    scopes: ['read'],
    accessTokenTtl: null,
    firstPartyOnly: false,
  });
  const plain = await s.server.createClient({ grantTypes: ['client_credentials'], firstParty: true });
  const caller = { clientId: plain.clientId, secret: plain.clientSecret! };

  const other = await tokenRequest(caller, { resource: api, scope: 'read' });
  const wrongAudience = await s.client(other.body.access_token)('GET', '/users');
  t.is(wrongAudience.status, 401);
  t.is(wrongAudience.body.error, 'admin_api.wrong_audience');
  t.true((wrongAudience.body.message as string).includes(`resource=${s.base}`));
  t.regex(wrongAudience.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

  // A person's token for the admin API without the admin scope.
  const person = await s.server.createUser({ role: 'admin' });
  const rp = await relyingParty(s.server, await s.server.createClient({ firstParty: true }));
  const { tokens } = await rp.signIn(
    { username: person.email, password: PASSWORD },
    { scope: 'openid', resource: s.base },
  );
  const noScope = await s.client(tokens.access_token)('GET', '/users');
  t.is(noScope.status, 403);
  t.is(noScope.body.error, 'admin_api.missing_scope');
  t.is(noScope.headers.get('www-authenticate'), 'Bearer realm="admin", error="insufficient_scope", scope="admin"');

  const own = await s.client((await tokenRequest(caller, { resource: s.base, scope: 'admin' })).body.access_token)(
    'GET',
    '/users',
  );
  t.is(own.status, 403);
  t.is(own.body.error, 'admin_api.not_service_account');
  t.is(own.headers.get('www-authenticate'), null);

  const individual = await s.as('individual');
  const low = await individual.api('GET', '/users');
  t.is(low.status, 403);
  t.is(low.body.error, 'admin_api.forbidden');
  t.regex(low.body.message as string, /Your role \(individual\) may not do this \(users\.read, which needs manager\)/);
});

test('a third-party client reaches the admin API only as a service account', async (t) => {
  const thirdParty = await s.server.createClient({ grantTypes: ['client_credentials'], firstParty: false });
  const refused = await tokenRequest(
    { clientId: thirdParty.clientId, secret: thirdParty.clientSecret! },
    { resource: s.base, scope: 'admin' },
  );
  t.is(refused.status, 400);
  t.is(refused.body.error, 'invalid_target');
  const made = await superAdmin.api('PATCH', `/clients/${thirdParty.clientId}`, { serviceAccount: { role: 'hr' } });
  t.is(made.status, 200, JSON.stringify(made.body));
  t.false(made.body.firstParty);
  const api = await adminApiAs({ clientId: thirdParty.clientId, secret: thirdParty.clientSecret! });
  t.is((await api('GET', '/users')).status, 200);
});
