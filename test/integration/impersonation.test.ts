import test from 'ava';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { auditEvents } from '../helpers/audit.js';
import { Browser, type Page } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, startServer, type TestServer } from '../helpers/server.js';
import type { Role, Status } from '../../src/domain/user.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, USER_ID_TOKEN_TYPE } from '../../src/oidc/token-exchange.js';

/**
 * SPEC "Impersonation", end to end: token exchange (RFC 8693) at the token
 * endpoint, and interactive impersonation started from the admin API.
 */

const TTL = 900;
const API = 'https://api.gatehouse.test';
const API_TTL = 300;
const GENERIC = 'You may not impersonate this user.';

type Rp = Awaited<ReturnType<typeof relyingParty>>;
let server: TestServer;
/** The admin console: signs admins in and exchanges their tokens. */
let consoleRp: Rp;
/** A relying application, used while an admin acts as someone interactively. */
let appRp: Rp;

test.before(async () => {
  // No role needs MFA here (empty = none); MFA is tested on its own server below.
  server = await startServer({ MFA_REQUIRED_ROLES: '', IMPERSONATION_TTL: String(TTL) });
  await server.repos.resources.create({
    indicator: API,
    scopes: ['courses:read', 'courses:write'],
    accessTokenTtl: API_TTL,
    firstPartyOnly: false,
  });
  consoleRp = await relyingParty(
    server,
    await server.createClient({ grantTypes: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE] }),
  );
  appRp = await relyingParty(server, await server.createClient());
});
test.after.always(() => server?.close());

const adminApi = () => `${server.url}/admin/api`;
const user = (role: Role = 'individual', status: Status = 'active') => server.createUser({ role, status });
const signIn = (rp: Rp, who: { email: string }, params: Record<string, string> = {}, browser?: Browser) =>
  rp.signIn({ username: who.email, password: PASSWORD }, { scope: 'openid roles', ...params }, browser);
const actorToken = async (who: { email: string }, params: Record<string, string> = {}) =>
  (await signIn(consoleRp, who, params)).tokens.access_token;

function exchange(actor: string, subject: string, params: Record<string, string> = {}, rp = consoleRp) {
  return oidc.genericGrantRequest(rp.config, TOKEN_EXCHANGE, {
    actor_token: actor,
    actor_token_type: ACCESS_TOKEN_TYPE,
    subject_token: subject,
    subject_token_type: USER_ID_TOKEN_TYPE,
    ...params,
  });
}
/** The OAuth error of a refused exchange. */
async function refused(t: { throwsAsync: (p: Promise<unknown>) => Promise<unknown> }, request: Promise<unknown>) {
  const err = (await t.throwsAsync(request)) as oidc.ResponseBodyError;
  return { error: err.error, description: err.error_description };
}
const introspect = (token: string) => oidc.tokenIntrospection(consoleRp.config, token);
const audit = (action: string, targetId: string) => auditEvents(server, { action, target_id: targetId }).orderBy('id');

// ---------------------------------------------------------------------------
// Token exchange

test('discovery lists the token exchange grant', async (t) => {
  const doc = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as {
    grant_types_supported: string[];
  };
  t.true(doc.grant_types_supported.includes(TOKEN_EXCHANGE));
});

test('an admin exchanges their (opaque) token for a token of an individual: sub, act, roles, no refresh token, audited', async (t) => {
  const admin = await user('admin');
  const target = await user('individual');
  const actor = await actorToken(admin, { scope: 'openid roles offline_access' });
  const actorInfo = await introspect(actor);
  t.deepEqual(actorInfo.amr, ['pwd'], 'access tokens carry amr');
  t.truthy(actorInfo.acr);

  const result = await exchange(actor, target.id, { scope: 'openid roles offline_access' }).catch((e) => e);
  t.is(
    (result as oidc.ResponseBodyError).error,
    'invalid_scope',
    'offline_access is refused: impersonation tokens are never refreshed',
  );

  const tokens = await exchange(actor, target.id, { scope: 'openid roles' });
  t.is(tokens.issued_token_type, ACCESS_TOKEN_TYPE);
  t.is(tokens.token_type.toLowerCase(), 'bearer');
  t.is(tokens.refresh_token, undefined);
  t.is(tokens.id_token, undefined);
  t.is(tokens.scope, 'openid roles');
  t.true(
    tokens.expires_in! <= TTL && tokens.expires_in! > TTL - 10,
    `expires_in ${tokens.expires_in} is the impersonation TTL`,
  );
  t.true(
    tokens.expires_in! <= actorInfo.exp! - Math.floor(Date.now() / 1000) + 1,
    'and no longer than the actor token',
  );

  const info = await introspect(tokens.access_token);
  t.true(info.active);
  t.is(info.sub, target.id);
  t.deepEqual(info.act, { sub: admin.id });
  t.deepEqual(info.roles, ['individual']);
  t.is(info.main_role, 'individual');
  t.deepEqual(info.amr, ['pwd'], "the admin's sign-in");

  const claims = await oidc.fetchUserInfo(consoleRp.config, tokens.access_token, target.id);
  t.is(claims.sub, target.id);
  t.deepEqual(claims.act, { sub: admin.id });
  t.deepEqual(claims.roles, ['individual']);

  const [row] = await audit('impersonation.token_exchanged', target.id);
  t.is(row.actor_type, 'user');
  t.is(row.actor_id, admin.id);
  t.is(row.details.clientId, consoleRp.config.clientMetadata().client_id);
  t.is(row.details.kind, 'exchange');
  t.truthy(row.ip);
  const record = await server.db('impersonations').where({ id: row.details.impersonationId }).first();
  t.is(record.actor_id, admin.id);
  t.is(record.target_id, target.id);
  t.truthy(record.grant_id);
  t.truthy(record.session_uid, "the actor token's session");
});

test("a JWT actor token (the admin's token for an API) works too; with `resource` the result is a JWT for that API", async (t) => {
  const admin = await user('admin');
  const target = await user('manager');
  const actor = await actorToken(admin, { scope: 'openid roles courses:read', resource: API });
  t.is(actor.split('.').length, 3);
  const actorExp = decodeJwt(actor).exp!;

  const tokens = await exchange(actor, target.id, { resource: API, scope: 'courses:read roles' });
  t.is(tokens.scope, 'courses:read');
  const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
    issuer: server.url,
    audience: API,
    typ: 'at+jwt',
  });
  t.is(payload.sub, target.id);
  t.deepEqual(payload.act, { sub: admin.id });
  t.deepEqual(payload.roles, ['manager']);
  t.deepEqual(payload.amr, ['pwd']);
  t.true(payload.exp! <= actorExp, 'the exchanged token ends no later than the actor token');
  t.true(tokens.expires_in! <= API_TTL);

  const unknown = await refused(t, exchange(actor, target.id, { resource: 'https://unknown.test' }));
  t.is(unknown.error, 'invalid_target');
});

test("without `scope`, the exchanged token carries the target's roles for an API, and for userinfo when the actor token had `roles`", async (t) => {
  const admin = await user('admin');
  const target = await user('manager');
  const verify = async (token: string) =>
    (await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: API }))
      .payload;

  const withRoles = await actorToken(admin, { scope: 'openid roles' });
  const opaque = await exchange(withRoles, target.id);
  t.is(opaque.scope, 'openid roles');
  const info = await introspect(opaque.access_token);
  t.deepEqual(info.act, { sub: admin.id });
  t.deepEqual(info.roles, ['manager']);
  t.deepEqual((await oidc.fetchUserInfo(consoleRp.config, opaque.access_token, target.id)).roles, ['manager']);
  t.deepEqual((await verify((await exchange(withRoles, target.id, { resource: API })).access_token)).roles, [
    'manager',
  ]);

  const withoutRoles = await actorToken(admin, { scope: 'openid' });
  const plain = await exchange(withoutRoles, target.id);
  t.is(plain.scope, 'openid');
  t.is((await introspect(plain.access_token)).roles, undefined, 'no roles scope anywhere: no role claims');
  const forApi = await verify((await exchange(withoutRoles, target.id, { resource: API })).access_token);
  t.is(forApi.sub, target.id);
  t.deepEqual(forApi.act, { sub: admin.id });
  t.deepEqual(forApi.roles, ['manager'], 'an API authorizes by role: it always gets them');
  t.is(forApi.main_role, 'manager');
});

test('who may act as whom, through token exchange', async (t) => {
  const admin = await user('admin');
  const superAdmin = await user('super_admin');
  const targets = Object.fromEntries(
    await Promise.all(
      (['individual', 'manager', 'hr', 'admin', 'super_admin'] as const).map(async (r) => [r, await user(r)] as const),
    ),
  );
  const [adminToken, superToken] = await Promise.all([actorToken(admin), actorToken(superAdmin)]);

  const expect: [string, string, Role, 'ok' | 'access_denied'][] = [
    ['admin', adminToken, 'individual', 'ok'],
    ['admin', adminToken, 'manager', 'ok'],
    ['admin', adminToken, 'hr', 'access_denied'],
    ['admin', adminToken, 'admin', 'access_denied'],
    ['admin', adminToken, 'super_admin', 'access_denied'],
    ['super_admin', superToken, 'individual', 'ok'],
    ['super_admin', superToken, 'manager', 'ok'],
    ['super_admin', superToken, 'hr', 'ok'],
    ['super_admin', superToken, 'admin', 'ok'],
    ['super_admin', superToken, 'super_admin', 'access_denied'],
  ];
  for (const [who, token, role, outcome] of expect) {
    const result = await exchange(token, targets[role]!.id).then(
      async (r) => (await introspect(r.access_token)).sub,
      (e: oidc.ResponseBodyError) => e.error,
    );
    t.is(result, outcome === 'ok' ? targets[role]!.id : outcome, `${who} acting as ${role}`);
  }

  const self = await refused(t, exchange(adminToken, admin.id));
  t.is(self.error, 'access_denied');
  t.regex(self.description!, /yourself/);
  const inactive = await user('individual', 'inactive');
  const cannot = await refused(t, exchange(adminToken, inactive.id));
  t.is(cannot.error, 'access_denied');
  t.regex(cannot.description!, /may not sign in/);
  const unknown = await refused(t, exchange(adminToken, '3f1b9e0e-0000-4000-8000-000000000000'));
  t.is(unknown.error, 'invalid_grant');
});

test('hr, managers and individuals may not impersonate, and learn nothing about the target', async (t) => {
  const targets = [
    (await user('individual')).id,
    (await user('super_admin')).id,
    (await user('individual', 'locked')).id,
    '3f1b9e0e-0000-4000-8000-00000000dead',
    'not-a-uuid',
  ];
  for (const role of ['hr', 'manager', 'individual'] as const) {
    const who = await user(role);
    const token = await actorToken(who);
    const answers = await Promise.all([...targets, who.id].map((id) => refused(t, exchange(token, id))));
    t.deepEqual(
      new Set(answers.map((a) => `${a.error}: ${a.description}`)),
      new Set([`access_denied: ${GENERIC}`]),
      role,
    );
  }
});

test('an impersonation token cannot be the actor token of another exchange (no chaining)', async (t) => {
  const superAdmin = await user('super_admin');
  const admin = await user('admin');
  const target = await user('individual');
  const asAdmin = await exchange(await actorToken(superAdmin), admin.id);
  const chained = await refused(t, exchange(asAdmin.access_token, target.id));
  t.is(chained.error, 'invalid_grant');
  t.regex(chained.description!, /already acts for someone/);
});

test('malformed exchanges', async (t) => {
  const admin = await user('admin');
  const target = await user('individual');
  const actor = await actorToken(admin);
  const missing = await refused(
    t,
    oidc.genericGrantRequest(consoleRp.config, TOKEN_EXCHANGE, {
      subject_token: target.id,
      subject_token_type: USER_ID_TOKEN_TYPE,
    }),
  );
  t.is(missing.error, 'invalid_request');
  t.is(
    (await refused(t, exchange(actor, target.id, { subject_token_type: ACCESS_TOKEN_TYPE }))).error,
    'invalid_request',
  );
  t.is(
    (await refused(t, exchange(actor, target.id, { actor_token_type: 'urn:ietf:params:oauth:token-type:id_token' })))
      .error,
    'invalid_request',
  );
  t.is(
    (
      await refused(
        t,
        exchange(actor, target.id, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }),
      )
    ).error,
    'invalid_request',
  );
  t.is((await refused(t, exchange('not-a-token', target.id))).error, 'invalid_grant');
  t.is((await refused(t, exchange(`${actor}x`, target.id))).error, 'invalid_grant');

  // Client credentials stand for a client, not a person.
  const machine = await relyingParty(
    server,
    await server.createClient({ grantTypes: ['client_credentials', TOKEN_EXCHANGE] }),
  );
  const cc = await oidc.clientCredentialsGrant(machine.config, {});
  t.is((await refused(t, exchange(cc.access_token, target.id, {}, machine))).error, 'invalid_grant');
  // A token issued to another client.
  t.is(
    (await refused(t, exchange(actor, target.id, {}, machine))).description,
    'the actor token was issued to another client',
  );
  // A client without the grant type.
  t.is((await refused(t, exchange(actor, target.id, {}, appRp))).error, 'invalid_request');
});

test('first-party-only resources stay first-party: a third-party client cannot exchange for them', async (t) => {
  const admin = await user('admin');
  const target = await user('individual');
  const thirdParty = await relyingParty(
    server,
    await server.createClient({ firstParty: false, grantTypes: ['authorization_code', TOKEN_EXCHANGE] }),
  );
  const browser = new Browser(server.url);
  const auth = await thirdParty.authorizationUrl({ scope: 'openid' });
  const consent = await browser.submit(
    await browser.open(auth.url.toString()),
    { username: admin.email, password: PASSWORD },
    '/login',
  );
  const tokens = await thirdParty.exchange(await browser.submit(consent, {}, '/confirm'), auth);
  const denied = await refused(
    t,
    exchange(tokens.access_token, target.id, { resource: adminApi(), scope: 'admin' }, thirdParty),
  );
  t.is(denied.error, 'invalid_target');
  const allowed = await exchange(tokens.access_token, target.id, {}, thirdParty);
  t.deepEqual((await oidc.tokenIntrospection(thirdParty.config, allowed.access_token)).act, { sub: admin.id });
});

test('deactivating the admin revokes the tokens they exchanged', async (t) => {
  const admin = await user('admin');
  const target = await user('individual');
  const tokens = await exchange(await actorToken(admin), target.id);
  t.true((await introspect(tokens.access_token)).active);
  await server.container.identity.setStatus(admin.id, 'inactive', { type: 'cli' });
  t.false((await introspect(tokens.access_token)).active);
  const record = await server.db('impersonations').where({ actor_id: admin.id }).first();
  t.is(record.ended_reason, 'account_ended');
  t.true(
    Number((await server.db('oidc_payloads').where({ account_id: target.id }).count({ n: '*' }).first())!.n) === 0,
  );
});

test("the admin signing out revokes what their session's tokens were exchanged for", async (t) => {
  const admin = await user('admin');
  const target = await user('individual');
  const { tokens: own, browser } = await signIn(consoleRp, admin);
  const tokens = await exchange(own.access_token, target.id);
  t.true((await introspect(tokens.access_token)).active);

  await logout(browser, consoleRp, own.id_token!);
  t.false((await introspect(tokens.access_token)).active);
  const [stopped] = await audit('impersonation.stopped', target.id);
  t.is(stopped.actor_id, admin.id);
  t.is(stopped.details.reason, 'signed_out');
});

async function logout(browser: Browser, rp: Rp, idToken: string): Promise<Page> {
  const endUrl = oidc.buildEndSessionUrl(rp.config, {
    id_token_hint: idToken,
    post_logout_redirect_uri: 'http://rp.test/bye',
  });
  return browser.submit(await browser.open(endUrl.toString()), { logout: 'yes' });
}

// ---------------------------------------------------------------------------
// Interactive impersonation

/** The admin signed in to the console with a token for the admin API; their browser holds their session. */
async function adminWithApiToken(role: Role = 'admin') {
  const admin = await user(role);
  const { tokens, browser } = await signIn(consoleRp, admin, { scope: 'openid admin', resource: adminApi() });
  return { admin, token: tokens.access_token, idToken: tokens.id_token!, browser };
}

async function requestTicket(token: string, body: unknown) {
  const res = await fetch(`${adminApi()}/impersonation`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      url?: string;
      expiresAt?: string;
      error?: string;
      message?: string;
      requestId?: string;
    },
    requestId: res.headers.get('x-request-id'),
  };
}

/** A relying application signs the browser in (no page: the session is there). */
async function appSignIn(browser: Browser, params: Record<string, string> = {}) {
  const auth = await appRp.authorizationUrl({ scope: 'openid roles', ...params });
  const page = await browser.open(auth.url.toString());
  return appRp.exchange(page, auth);
}

test('interactive: the admin API gives a link; in the admin browser relying apps then sign in the user, with act; stop gives the admin back', async (t) => {
  const { admin, token, browser } = await adminWithApiToken();
  const target = await user('manager');

  const ticket = await requestTicket(token, { userId: target.id });
  t.is(ticket.status, 201);
  t.true(ticket.body.url!.startsWith(`${server.url}/impersonation/start?ticket=`));
  const ticketLife = new Date(ticket.body.expiresAt!).getTime() - Date.now();
  t.true(ticketLife > 60_000 && ticketLife <= 120_000, 'good for two minutes');
  const stored = await server.db('impersonations').where({ actor_id: admin.id }).first();
  t.false(
    JSON.stringify(stored).includes(new URL(ticket.body.url!).searchParams.get('ticket')!),
    'the ticket is stored hashed',
  );

  const started = await browser.open(ticket.body.url!);
  t.is(started.status, 200);
  t.regex(started.html, /You are acting as/);

  const tokens = await appSignIn(browser, { scope: 'openid roles offline_access' });
  const claims = tokens.claims()!;
  t.is(claims.sub, target.id);
  t.deepEqual(claims.act, { sub: admin.id });
  t.deepEqual(claims.roles, ['manager']);
  t.deepEqual(claims.amr, ['pwd'], "the admin's own sign-in");
  t.true(claims.exp! <= Math.floor(Date.now() / 1000) + TTL + 1, 'the ID token ends with the impersonation');
  t.is(tokens.refresh_token, undefined, 'no refresh token while impersonating');
  const info = await oidc.fetchUserInfo(appRp.config, tokens.access_token, target.id);
  t.deepEqual(info.act, { sub: admin.id });
  // Introspected by the app it was issued to (only a token's owner may).
  t.deepEqual((await oidc.tokenIntrospection(appRp.config, tokens.access_token)).act, { sub: admin.id });

  const page = await browser.open('/account/password');
  t.regex(page.html, /You are acting as <strong>[^<]+<\/strong>/);
  t.regex(page.html, /action="\/impersonation\/stop"/);
  const blocked = await browser.submit(
    page,
    {
      current_password: PASSWORD,
      new_password: 'another-long-passphrase-9',
      new_password_confirm: 'another-long-passphrase-9',
    },
    '/account/password',
  );
  t.is(blocked.status, 403, "the user's password cannot be changed while acting as them");
  t.regex(blocked.html, /impersonation\.read_only/);
  t.is((await browser.open('/account/security/totp')).status, 403, 'nor can a second factor be set up');
  t.is((await browser.open('/account/Security/totp')).status, 403, 'in any letter case');

  const stopped = await browser.submit(page, {}, '/impersonation/stop');
  t.regex(stopped.html, /You are not acting as anyone/);
  t.notRegex(stopped.html, /You are acting as/);
  t.false(
    (await oidc.tokenIntrospection(appRp.config, tokens.access_token)).active,
    'what the app got meanwhile is revoked',
  );

  const own = (await appSignIn(browser)).claims()!;
  t.is(own.sub, admin.id);
  t.is(own.act, undefined);

  const actions = (await auditEvents(server, { actor_id: admin.id, target_id: target.id }).orderBy('id')).map(
    (r) => r.action,
  );
  t.deepEqual(actions, [
    'impersonation.requested',
    'impersonation.started',
    'impersonation.token_issued',
    'impersonation.stopped',
  ]);
});

test('interactive: a session saved back on the user after "stop" (a request racing it) returns to the admin at the next request', async (t) => {
  const { admin, token, browser } = await adminWithApiToken();
  const target = await user('individual');
  await browser.open((await requestTicket(token, { userId: target.id })).body.url!);
  const payloads = server.db('oidc_payloads').where({ kind: 'Session', account_id: target.id });
  const stale = await payloads.clone().first();
  t.truthy(stale, 'the session acts as the user');
  await browser.submit(await browser.open('/account/password'), {}, '/impersonation/stop');
  // What an /auth request running alongside "stop" does when it ends: it saves the session it loaded.
  await server
    .db('oidc_payloads')
    .where({ kind: 'Session', id: stale.id })
    .update({ payload: stale.payload, account_id: target.id });

  const page = await browser.open('/account/password');
  t.notRegex(page.html, /You are acting as/);
  t.is(
    (await server.db('oidc_payloads').where({ kind: 'Session', id: stale.id }).first()).account_id,
    admin.id,
    "the session is the admin's again",
  );
  t.is((await appSignIn(browser)).claims()!.sub, admin.id);
});

test("interactive: a link works once, only in its admin's browser", async (t) => {
  const { token, browser } = await adminWithApiToken();
  const target = await user('individual');
  const { body } = await requestTicket(token, { userId: target.id });

  const nobody = await new Browser(server.url).open(body.url!);
  t.is(nobody.status, 401);
  t.regex(nobody.html, /impersonation\.no_session/);
  const someone = await signIn(consoleRp, await user('admin'));
  const other = await someone.browser.open(body.url!);
  t.is(other.status, 403);
  t.regex(other.html, /impersonation\.wrong_session/);
  t.regex((await someone.browser.open('/impersonation')).html, /You are not acting as anyone/);

  t.is((await browser.open(body.url!)).status, 200, 'the failed attempts did not use the link up');
  const again = await browser.open(body.url!);
  t.is(again.status, 400);
  t.regex(again.html, /impersonation\.invalid_ticket/);
});

test('interactive: past its end, the next authorization gives the session back to the admin', async (t) => {
  const { admin, token, browser } = await adminWithApiToken();
  const target = await user('individual');
  await browser.open((await requestTicket(token, { userId: target.id })).body.url!);
  t.is((await appSignIn(browser)).claims()!.sub, target.id);

  await server
    .db('impersonations')
    .where({ actor_id: admin.id, target_id: target.id })
    .update({ expires_at: new Date(Date.now() - 1000) });
  const after = (await appSignIn(browser)).claims()!;
  t.is(after.sub, admin.id);
  t.is(after.act, undefined);
  t.is((await server.db('impersonations').where({ actor_id: admin.id }).first()).ended_reason, 'expired');
});

test('interactive: deactivating the admin ends it, with the session acting as the user', async (t) => {
  const { admin, token, browser } = await adminWithApiToken();
  const target = await user('individual');
  await browser.open((await requestTicket(token, { userId: target.id })).body.url!);
  const tokens = await appSignIn(browser);
  t.true((await oidc.tokenIntrospection(appRp.config, tokens.access_token)).active);
  await server.container.identity.setStatus(admin.id, 'locked', { type: 'cli' });
  t.false((await oidc.tokenIntrospection(appRp.config, tokens.access_token)).active);
  const next = await browser.open((await appRp.authorizationUrl()).url.toString());
  t.regex(next.html, /name="password"/, 'the browser has no session any more');
});

test('interactive: signing out ends it', async (t) => {
  const { admin, token, browser } = await adminWithApiToken();
  const target = await user('individual');
  await browser.open((await requestTicket(token, { userId: target.id })).body.url!);
  const tokens = await appSignIn(browser);
  t.true((await oidc.tokenIntrospection(appRp.config, tokens.access_token)).active);
  await logout(browser, appRp, tokens.id_token!);
  t.false((await oidc.tokenIntrospection(appRp.config, tokens.access_token)).active);
  const record = await server.db('impersonations').where({ actor_id: admin.id }).first();
  t.is(record.ended_reason, 'signed_out');
});

test('the admin API: bearer token, JSON errors, and the same rules', async (t) => {
  const none = await fetch(`${adminApi()}/impersonation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  t.is(none.status, 401);
  t.deepEqual(((await none.json()) as { error: string }).error, 'admin_api.unauthorized');
  t.truthy(none.headers.get('www-authenticate'));

  const { admin, token } = await adminWithApiToken();
  const opaque = await actorToken(admin);
  t.is((await requestTicket(opaque, { userId: admin.id })).status, 401, 'only tokens for the admin API');
  t.deepEqual((await requestTicket(token, { user: 'x' })).body.error, 'request.invalid_body');
  t.deepEqual((await requestTicket(token, { userId: admin.id })).body.error, 'impersonation.self');
  t.deepEqual(
    (await requestTicket(token, { userId: (await user('hr')).id })).body.error,
    'impersonation.forbidden_target',
  );
  const unknown = await requestTicket(token, { userId: '3f1b9e0e-0000-4000-8000-000000000000' });
  t.is(unknown.status, 404);
  t.is(unknown.body.error, 'impersonation.unknown_target');
  const notFound = await fetch(`${adminApi()}/nothing`, { headers: { authorization: `Bearer ${token}` } });
  t.is(notFound.status, 404);
  t.is(((await notFound.json()) as { error: string }).error, 'admin_api.not_found');

  const hr = await adminWithApiToken('hr');
  const denied = await requestTicket(hr.token, { userId: (await user('individual')).id });
  t.is(denied.status, 403);
  t.deepEqual(denied.body, { error: 'impersonation.not_allowed', message: GENERIC, requestId: denied.requestId });
});

// ---------------------------------------------------------------------------
// MFA_REQUIRED_ROLES at its default (admin, super_admin)

test('an admin who signed in without MFA may not impersonate when their role requires it', async (t) => {
  const mfaServer = await startServer();
  try {
    const rp = await relyingParty(
      mfaServer,
      await mfaServer.createClient({ grantTypes: ['authorization_code', TOKEN_EXCHANGE] }),
    );
    // Signed in with a password while an individual, then made an admin: the token says `pwd` only.
    const promoted = await mfaServer.createUser({ role: 'individual' });
    const target = await mfaServer.createUser({ role: 'individual' });
    const signedIn = await rp.signIn(
      { username: promoted.email, password: PASSWORD },
      { scope: 'openid admin', resource: `${mfaServer.url}/admin/api` },
    );
    await mfaServer.db('users').where({ id: promoted.id }).update({ main_role: 'admin' });

    const err = (await t.throwsAsync(
      oidc.genericGrantRequest(rp.config, TOKEN_EXCHANGE, {
        actor_token: signedIn.tokens.access_token,
        actor_token_type: ACCESS_TOKEN_TYPE,
        subject_token: target.id,
        subject_token_type: USER_ID_TOKEN_TYPE,
      }),
    )) as oidc.ResponseBodyError;
    t.is(err.error, 'access_denied');
    t.regex(err.error_description!, /multi-factor/);

    const res = await fetch(`${mfaServer.url}/admin/api/impersonation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signedIn.tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: target.id }),
    });
    t.is(res.status, 403);
    t.is(((await res.json()) as { error: string }).error, 'impersonation.mfa_required');
  } finally {
    await mfaServer.close();
  }
});
