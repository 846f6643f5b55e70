import test from 'ava';
import * as oidc from 'openid-client';
import { relyingParty } from '../helpers/rp.js';
import { SCIM, scimClient, scimToken, type ScimClient } from '../helpers/scim.js';
import { PASSWORD, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let scim: ScimClient;

test.before(async () => {
  server = await startServer();
  scim = scimClient(server, await scimToken(server));
});
test.after.always(() => server?.close());

/** A user provisioned over SCIM, signed in to a relying application with a refresh token and a browser session. */
async function signedInUser(userName: string) {
  const created = await scim.post('/Users', {
    schemas: [SCIM.user],
    userName,
    emails: [{ value: userName, primary: true }],
    password: PASSWORD,
  });
  const rp = await relyingParty(server, await server.createClient());
  const { tokens, browser } = await rp.signIn(
    { username: userName, password: PASSWORD },
    { scope: 'openid offline_access' },
  );
  const active = await oidc.tokenIntrospection(rp.config, tokens.access_token);
  if (!active.active) throw new Error('the access token should be active before deactivation');
  return { id: created.body.id as string, rp, tokens, browser };
}

for (const [client, deactivate] of [
  [
    'Entra (PATCH active "False")',
    (id: string) => scim.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }]),
  ],
  [
    'Okta (PUT active false)',
    async (id: string) => scim.put(`/Users/${id}`, { ...(await scim.get(`/Users/${id}`)).body, active: false }),
  ],
  ['DELETE', (id: string) => scim.delete(`/Users/${id}`)],
] as const) {
  test(`${client} ends the user's tokens and browser session at once`, async (t) => {
    const { id, rp, tokens, browser } = await signedInUser(
      `deactivate.${client.split(' ')[0]!.toLowerCase()}@example.com`,
    );
    const res = await deactivate(id);
    t.true(res.status === 200 || res.status === 204);

    t.false((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active, 'introspection says inactive');
    await t.throwsAsync(oidc.fetchUserInfo(rp.config, tokens.access_token, id), undefined, 'userinfo refuses');
    await t.throwsAsync(
      oidc.refreshTokenGrant(rp.config, tokens.refresh_token!),
      undefined,
      'the refresh token is revoked',
    );
    // The browser session is gone: the next authorization asks for the password again.
    const next = await browser.open((await rp.authorizationUrl()).url.toString());
    t.regex(next.html, /name="password"/);
  });
}
