import { randomBytes } from 'node:crypto';
import test from 'ava';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { adminServerPerFile, PASSWORD, type SignedIn } from '../helpers/admin.js';
import { auditEvents } from '../helpers/audit.js';
import { alertText, Browser } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';

/**
 * Licences in sign-in and tokens. Here a licence type `staff` is required to
 * sign in, so every user who signs in is given one first (the admin included).
 */
const s = adminServerPerFile(test);
const API = 'https://courses.licences.test';
const STAFF = 'staff';
const INTRANET = 'intranet';
let admin: SignedIn;

test.before(async () => {
  admin = await s.as('admin');
  for (const [key, name] of [
    [STAFF, 'Staff'],
    [INTRANET, 'Intranet'],
  ])
    await admin.api('POST', '/licences', { key, name });
  await admin.api('POST', `/users/${admin.id}/licences`, { key: STAFF });
  const required = await admin.api('PATCH', `/licences/${STAFF}`, { requiredToSignIn: true });
  if (required.status !== 200) throw new Error(JSON.stringify(required.body));
  await s.server.repos.resources.create({
    indicator: API,
    scopes: ['courses:read'],
    accessTokenTtl: 600,
    firstPartyOnly: false,
  });
});

const licensed = async (...keys: string[]) => {
  const user = await s.server.createUser();
  for (const key of keys) {
    const res = await admin.api('POST', `/users/${user.id}/licences`, { key });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  }
  return user;
};
const rpOf = async () => relyingParty(s.server, await s.server.createClient());

async function attempt(username: string, password: string) {
  const rp = await rpOf();
  const browser = new Browser(s.server.url);
  const form = await browser.open((await rp.authorizationUrl()).url.toString());
  return browser.submit(form, { username, password }, '/login');
}

test('with the roles scope, tokens carry the licences and the role assignments scoped to accounts', async (t) => {
  const user = await licensed(STAFF, INTRANET);
  const account = (
    await admin.api('POST', '/accounts', { name: `Shop ${randomBytes(3).toString('hex')}`, kind: 'customer' })
  ).body.id as string;
  const group = (await admin.api('POST', '/account-groups', { name: `Region ${randomBytes(3).toString('hex')}` })).body
    .id as string;
  const roles = await admin.api('PUT', `/users/${user.id}/roles`, {
    mainRole: 'individual',
    assignments: [{ role: 'manager', accountId: account }, { role: 'manager', accountGroupId: group }, { role: 'hr' }],
  });
  t.is(roles.status, 200, JSON.stringify(roles.body));
  const expected = [
    { role: 'manager', account_id: account },
    { role: 'manager', account_group_id: group },
  ];
  const sameAssignments = (actual: unknown) =>
    t.deepEqual(
      [...(actual as object[])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [...expected].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );

  const rp = await rpOf();
  const { tokens } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid roles courses:read', resource: API },
  );
  const claims = tokens.claims()!;
  t.deepEqual(claims.licences, [INTRANET, STAFF]);
  sameAssignments(claims.role_assignments);
  t.deepEqual([...(claims.roles as string[])].sort(), ['hr', 'individual', 'manager']);

  const jwks = createRemoteJWKSet(new URL(`${s.server.url}/jwks`));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: s.server.url, audience: API });
  t.deepEqual(payload.licences, [INTRANET, STAFF], 'the access token for an API too');
  sameAssignments(payload.role_assignments);

  const plain = await rpOf();
  const signedIn = await plain.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid roles' });
  const info = await oidc.fetchUserInfo(plain.config, signedIn.tokens.access_token, user.id);
  t.deepEqual(info.licences, [INTRANET, STAFF], 'and userinfo');
  sameAssignments(info.role_assignments);

  const without = await plain.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid email' });
  t.is(without.tokens.claims()!.licences, undefined, 'not without the roles scope');
  t.is(without.tokens.claims()!.role_assignments, undefined);
});

test('a user without any scoped assignment or licence but the required one gets those claims, as lists', async (t) => {
  const user = await licensed(STAFF);
  const rp = await rpOf();
  const { tokens } = await rp.signIn({ username: user.email, password: PASSWORD }, { scope: 'openid roles' });
  t.deepEqual(tokens.claims()!.role_assignments, []);
  t.deepEqual(tokens.claims()!.licences, [STAFF]);
});

test('without a licence required to sign in: refused after the right password, with what to do, and recorded', async (t) => {
  const user = await licensed(INTRANET);
  const refused = await attempt(user.email, PASSWORD);
  t.is(refused.status, 403);
  t.falsy(refused.leftTo);
  t.regex(alertText(refused.html) ?? '', /no licence to sign in\. Ask your administrator/);
  const wrong = await attempt(user.email, 'wrong-password-000');
  t.is(wrong.status, 401, 'a wrong password does not reveal it');
  t.is(alertText(wrong.html), 'The email, User ID or password is incorrect.');
  const failed = await auditEvents(s.server, { target_id: user.id, action: 'signin.failed' }).orderBy('id');
  t.deepEqual(
    failed.map((e) => e.details.reason),
    ['no_licence', 'bad_password'],
  );

  await admin.api('POST', `/users/${user.id}/licences`, { key: STAFF });
  t.truthy((await attempt(user.email, PASSWORD)).leftTo, 'with one, they sign in');
});

test("taking away the last licence to sign in ends the user's sessions and tokens; another licence does not", async (t) => {
  const user = await licensed(STAFF, INTRANET);
  const rp = await rpOf();
  const { tokens, browser } = await rp.signIn(
    { username: user.email, password: PASSWORD },
    { scope: 'openid roles offline_access' },
  );
  t.truthy(tokens.refresh_token);

  t.is((await admin.api('DELETE', `/users/${user.id}/licences/${INTRANET}`)).status, 204);
  const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
  t.deepEqual(refreshed.claims()!.licences, [STAFF], 'a licence not required changes the claims only');

  t.is((await admin.api('DELETE', `/users/${user.id}/licences/${STAFF}`)).status, 204);
  const refused = await t.throwsAsync(oidc.refreshTokenGrant(rp.config, refreshed.refresh_token!));
  t.is((refused as oidc.ResponseBodyError).error, 'invalid_grant');
  t.false((await oidc.tokenIntrospection(rp.config, refreshed.access_token)).active);
  t.is(Number((await s.server.db('oidc_payloads').where({ account_id: user.id }).count('* as n'))[0]!.n), 0);
  const again = await browser.open((await rp.authorizationUrl()).url.toString());
  t.falsy(again.leftTo, 'the browser session is gone: the sign-in form again');
  t.regex(again.html, /name="password"/);
});

test("an admin-API token stops working when its holder's last licence to sign in is taken away", async (t) => {
  const hr = await licensed(STAFF);
  await admin.api('PUT', `/users/${hr.id}/roles`, { mainRole: 'hr' });
  const api = s.client(await s.tokenOf(hr));
  t.is((await api('GET', '/licences')).status, 200);
  t.is((await admin.api('DELETE', `/users/${hr.id}/licences/${STAFF}`)).status, 204);
  t.is((await api('GET', '/licences')).status, 401);
});

test('deleting a type required to sign in signs out the holders it leaves without one', async (t) => {
  const other = `branch-${randomBytes(3).toString('hex')}`;
  await admin.api('POST', '/licences', { key: other, name: 'Branch', requiredToSignIn: true });
  const onlyOther = await licensed(other);
  const both = await licensed(other, STAFF);
  const sessions = async (userId: string) =>
    Number((await s.server.db('oidc_payloads').where({ account_id: userId }).count('* as n'))[0]!.n);
  for (const user of [onlyOther, both])
    await (await rpOf()).signIn({ username: user.email, password: PASSWORD }, { scope: 'openid roles' });
  t.true((await sessions(onlyOther.id)) > 0);

  t.is((await admin.api('DELETE', `/licences/${other}`)).status, 204);
  t.is(await sessions(onlyOther.id), 0);
  t.true((await sessions(both.id)) > 0, 'a holder of another required licence stays signed in');
  t.is((await attempt(onlyOther.email, PASSWORD)).status, 403);
});

test('nobody leaves themself without a licence to sign in through the API', async (t) => {
  const own = await admin.api('DELETE', `/users/${admin.id}/licences/${STAFF}`);
  t.is(own.status, 409);
  t.is(own.body.error, 'licence.self_lockout');
  t.is((await admin.api('DELETE', `/licences/${STAFF}`)).body.error, 'licence.self_lockout');
  t.deepEqual(
    ((await admin.api('GET', `/users/${admin.id}/licences`)).body.licences as { key: string }[]).map((l) => l.key),
    [STAFF],
    'nothing was written',
  );
  t.is((await admin.api('GET', `/licences/${STAFF}`)).status, 200);
});
