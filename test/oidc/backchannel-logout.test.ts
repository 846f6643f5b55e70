import test from 'ava';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { execute } from '../../src/cli/execute.js';
import { cliServices } from '../../src/container.js';
import { adminServerPerFile, PASSWORD, signedInPerFile } from '../helpers/admin.js';
import { eventually, startReceiver } from '../helpers/receiver.js';
import { perFile } from '../helpers/per-file.js';
import { relyingParty } from '../helpers/rp.js';
import { scimClient, scimToken } from '../helpers/scim.js';
import { startServer, type TestServer } from '../helpers/server.js';

const ENV = {
  OUTBOUND_ALLOW_PRIVATE: '1',
  OUTBOUND_RETRY_DELAY_SECONDS: '1',
  OUTBOUND_POLL_SECONDS: '0.5',
};
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const REDIRECT_URI = 'http://rp.test/callback';

// Serial: the tests share the application's receiver, and the last one stops this server's workers.
const s = adminServerPerFile(test, ENV);
const admin = signedInPerFile(test, s, 'super_admin');
const receiver = perFile(
  test,
  () => startReceiver(),
  (r) => r.down(),
);

let app: { clientId: string; clientSecret: string; redirectUri: string } | undefined;
/** The application: a confidential client told of logouts at the receiver's /logout. */
async function application() {
  if (app) return app;
  const res = await admin.api('POST', '/clients', {
    clientId: 'bcl-app',
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: ['http://rp.test/bye'],
    firstParty: true,
    backchannelLogoutUri: `${receiver.url}/logout`,
    backchannelLogoutSessionRequired: true,
  });
  if (res.status !== 201) throw new Error(`client create: ${res.status} ${JSON.stringify(res.body)}`);
  app = { clientId: 'bcl-app', clientSecret: res.body.client_secret, redirectUri: REDIRECT_URI };
  return app;
}

/** A user signed in to the application: their id, the ID token's `sid`, the browser holding the session. */
async function signedInUser(server: TestServer = s.server) {
  const user = await server.createUser();
  const rp = await relyingParty(server, await application());
  const { tokens, browser } = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid' });
  const idToken = decodeJwt(String(tokens.id_token));
  if (typeof idToken.sid !== 'string') throw new Error('the ID token has no sid');
  return { ...user, sid: idToken.sid, idToken: String(tokens.id_token), browser };
}

/** The logout token the application was sent for `sid`. */
const logoutTokenFor = (sid: string) =>
  eventually(() => {
    for (const r of receiver.received) {
      const token = new URLSearchParams(r.body).get('logout_token');
      if (r.path === '/logout' && token && decodeJwt(token).sid === sid) return { token, request: r };
    }
    return undefined;
  }, `a logout token for session ${sid}`);

/** What OIDC Back-Channel Logout 1.0 §2.4 asks of a logout token, checked against the issuer's JWKS. */
async function assertLogoutToken(
  t: import('ava').ExecutionContext,
  token: string,
  expected: { issuer: string; clientId: string; sub: string; sid: string },
) {
  const jwks = createRemoteJWKSet(new URL(`${expected.issuer}/jwks`));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: expected.issuer,
    audience: expected.clientId,
  });
  t.is(protectedHeader.typ, 'logout+jwt');
  t.deepEqual(payload.events, { [EVENT]: {} });
  t.is(payload.sub, expected.sub);
  t.is(payload.sid, expected.sid);
  t.false('nonce' in payload);
  t.truthy(payload.jti);
  t.is(typeof payload.iat, 'number');
}

test.serial('the client registers its back-channel logout URI; discovery says it is supported', async (t) => {
  const { clientId } = await application();
  const client = await admin.api('GET', `/clients/${clientId}`);
  t.is(client.body.metadata.backchannel_logout_uri, `${receiver.url}/logout`);
  t.true(client.body.metadata.backchannel_logout_session_required);
  const discovery = (await (await fetch(`${s.server.url}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  t.true(discovery.backchannel_logout_supported);
  t.true(discovery.backchannel_logout_session_supported);
  const bad = await admin.api('PATCH', `/clients/${clientId}`, { backchannelLogoutUri: 'not a url' });
  t.is(bad.status, 400);
});

test.serial('the CLI registers and removes a back-channel logout URI', async (t) => {
  const gatehouse = async (...argv: string[]) =>
    JSON.parse((await execute(cliServices(s.server.container), argv)).stdout) as Record<string, unknown>;
  const made = await gatehouse(
    ...['client', 'create', '--client-id', 'bcl-cli', '--redirect-uri', REDIRECT_URI],
    ...['--backchannel-logout-uri', 'https://cli.example/logout', '--backchannel-logout-session-required'],
  );
  t.is(made.backchannel_logout_uri, 'https://cli.example/logout');
  t.true(made.backchannel_logout_session_required);
  const updated = await gatehouse('client', 'update', 'bcl-cli', '--no-backchannel-logout');
  const metadata = updated.metadata as Record<string, unknown>;
  t.false('backchannel_logout_uri' in metadata);
  t.false('backchannel_logout_session_required' in metadata);
});

test.serial('an administrator ending the sessions: the application gets a signed logout token', async (t) => {
  const user = await signedInUser();
  t.is((await admin.api('DELETE', `/users/${user.id}/sessions`)).status, 204);
  const { token, request } = await logoutTokenFor(user.sid);
  t.is(request.headers['content-type'], 'application/x-www-form-urlencoded');
  await assertLogoutToken(t, token, { issuer: s.server.url, clientId: app!.clientId, sub: user.id, sid: user.sid });
});

test.serial('deactivating or locking the user tells the application', async (t) => {
  const deactivated = await signedInUser();
  const locked = await signedInUser();
  t.is((await admin.api('POST', `/users/${deactivated.id}/status`, { status: 'inactive' })).status, 200);
  t.is((await admin.api('POST', `/users/${locked.id}/status`, { status: 'locked' })).status, 200);
  for (const user of [deactivated, locked]) {
    const { token } = await logoutTokenFor(user.sid);
    await assertLogoutToken(t, token, { issuer: s.server.url, clientId: app!.clientId, sub: user.id, sid: user.sid });
  }
});

test.serial('a SCIM deactivation tells the application', async (t) => {
  const user = await signedInUser();
  const scim = scimClient(s.server, await scimToken(s.server));
  t.is((await scim.patch(`/Users/${user.id}`, [{ op: 'Replace', path: 'active', value: false }])).status, 200);
  const { token } = await logoutTokenFor(user.sid);
  await assertLogoutToken(t, token, { issuer: s.server.url, clientId: app!.clientId, sub: user.id, sid: user.sid });
});

test.serial('signing out at the end-session endpoint tells the application', async (t) => {
  const user = await signedInUser();
  const page = await user.browser.open(`/session/end?id_token_hint=${user.idToken}`);
  t.is(page.status, 200);
  await user.browser.submit(page, { logout: 'yes' });
  const { token } = await logoutTokenFor(user.sid);
  await assertLogoutToken(t, token, { issuer: s.server.url, clientId: app!.clientId, sub: user.id, sid: user.sid });
});

test.serial('a logout queued while no worker runs is sent after a restart', async (t) => {
  const user = await signedInUser();
  // The server stops its workers (as at shutdown), then the user is deleted: the notice waits in the queue.
  await s.server.container.stopWorkers();
  t.is((await admin.api('DELETE', `/users/${user.id}`)).status, 200);
  const restarted = await startServer(ENV, { sameDatabaseAs: s.server });
  t.teardown(() => restarted.close());
  const { token } = await logoutTokenFor(user.sid);
  await assertLogoutToken(t, token, { issuer: restarted.url, clientId: app!.clientId, sub: user.id, sid: user.sid });
});
