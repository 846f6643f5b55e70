import test from 'ava';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { adminServerPerFile } from '../helpers/admin.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD } from '../helpers/server.js';

/*
 * Tokens are only for their owners: a client introspects the tokens issued to it,
 * and a client registered as a resource server those whose audience it is; JWT
 * access tokens for APIs live 300 s unless the API says otherwise.
 */

const API_X = 'https://x.api.test';
const API_Y = 'https://y.api.test';

const admin = adminServerPerFile(test);

test.before(async () => {
  for (const indicator of [API_X, API_Y]) {
    await admin.server.repos.resources.create({
      indicator,
      scopes: ['read'],
      accessTokenTtl: null,
      firstPartyOnly: false,
    });
  }
});

/** POSTs RFC 7662 introspection as `caller` (client_secret_basic). */
async function introspect(
  caller: { clientId: string; clientSecret: string },
  token: string,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${admin.server.url}/token/introspection`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${caller.clientId}:${caller.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }),
  });
  if (res.status !== 200) throw new Error(`introspection answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** An opaque token issued to `clientId` for `audience`, as oidc-provider stores one. */
async function opaqueTokenFor(clientId: string, audience: string): Promise<string> {
  const provider = admin.server.oidc.provider();
  const client = await provider.Client.find(clientId);
  const token = new provider.ClientCredentials({ client: client!, scope: 'read' });
  token.setAudience(audience);
  return token.save();
}

async function registerViaAdminApi(body: Record<string, unknown>) {
  const superAdmin = await admin.as('super_admin');
  return superAdmin.api('POST', '/clients', body);
}

test("a client cannot introspect another client's token: it learns nothing, not even the user", async (t) => {
  const user = await admin.server.createUser();
  const a = await admin.server.createClient();
  const b = await admin.server.createClient({ grantTypes: ['client_credentials'] });
  const { tokens } = await (await relyingParty(admin.server, a)).signIn({ username: user.email, password: PASSWORD });

  const own = await introspect({ clientId: a.clientId, clientSecret: a.clientSecret! }, tokens.access_token);
  t.true(own.active);
  t.is(own.sub, user.id);

  t.deepEqual(await introspect({ clientId: b.clientId, clientSecret: b.clientSecret! }, tokens.access_token), {
    active: false,
  });
});

test('a client registered (admin API) as the resource server of API X introspects tokens for X, not those for Y', async (t) => {
  const a = await admin.server.createClient({ grantTypes: ['client_credentials'] });
  const created = await registerViaAdminApi({
    clientId: `api-x-${Date.now()}`,
    grantTypes: ['client_credentials'],
    resourceServer: API_X,
  });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.is(created.body.resource_server, API_X);
  const rs = { clientId: created.body.client_id as string, clientSecret: created.body.client_secret as string };

  const forX = await opaqueTokenFor(a.clientId, API_X);
  const forY = await opaqueTokenFor(a.clientId, API_Y);
  const x = await introspect(rs, forX);
  t.true(x.active);
  t.is(x.client_id, a.clientId);
  t.is(x.aud, API_X);
  t.deepEqual(await introspect(rs, forY), { active: false });
  t.true(
    (await introspect({ clientId: a.clientId, clientSecret: a.clientSecret! }, forY)).active,
    'the owner still introspects its token',
  );

  const superAdmin = await admin.as('super_admin');
  const listed = await superAdmin.api('GET', '/clients');
  t.is(
    listed.body.items.find((c: { clientId: string }) => c.clientId === rs.clientId)?.resourceServer,
    API_X,
    'the list shows it',
  );
  t.is(listed.body.items.find((c: { clientId: string }) => c.clientId === a.clientId)?.resourceServer, null);
});

test('the admin API refuses a resource server that is not registered, or a public client as one', async (t) => {
  const unknown = await registerViaAdminApi({
    clientId: `api-z-${Date.now()}`,
    grantTypes: ['client_credentials'],
    resourceServer: 'https://z.api.test',
  });
  t.is(unknown.status, 400);
  t.is(unknown.body.error, 'client.invalid', JSON.stringify(unknown.body));
  t.regex(unknown.body.message, /No resource server "https:\/\/z\.api\.test"/);
  const isPublic = await registerViaAdminApi({
    clientId: `spa-${Date.now()}`,
    redirectUris: ['https://spa.test/cb'],
    isPublic: true,
    resourceServer: API_X,
  });
  t.is(isPublic.status, 400);
  t.is(isPublic.body.error, 'client.invalid');
});

test('JWT access tokens for an API live 300 s by default, user and client-credentials alike; opaque ones keep TTL_ACCESS_TOKEN', async (t) => {
  const jwks = createRemoteJWKSet(new URL(`${admin.server.url}/jwks`));
  const user = await admin.server.createUser();
  const rp = await relyingParty(admin.server, await admin.server.createClient());
  const { tokens } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid read', resource: API_X },
  );
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: admin.server.url, audience: API_X });
  t.is(payload.exp! - payload.iat!, 300);
  t.is(tokens.expires_in, 300);

  const machine = await relyingParty(
    admin.server,
    await admin.server.createClient({ grantTypes: ['client_credentials'] }),
  );
  const cc = await oidc.clientCredentialsGrant(machine.config, { resource: API_X, scope: 'read' });
  const ccClaims = (await jwtVerify(cc.access_token, jwks, { issuer: admin.server.url, audience: API_X })).payload;
  t.is(ccClaims.exp! - ccClaims.iat!, 300);

  const opaque = await rp.signIn({ username: user.email, password: PASSWORD });
  const info = await oidc.tokenIntrospection(rp.config, opaque.tokens.access_token);
  t.is((info.exp as number) - (info.iat as number), 3600, 'an opaque token for userinfo keeps TTL_ACCESS_TOKEN');
});
