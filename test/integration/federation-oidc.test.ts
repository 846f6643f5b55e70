import test from 'ava';
import { exportJWK, generateKeyPair } from 'jose';
import { Browser, alertText } from '../helpers/browser.js';
import { relyingParty } from '../helpers/rp.js';
import { PASSWORD, startServer, type TestServer } from '../helpers/server.js';
import { startUpstreamIdp, viaUpstream, type UpstreamIdp } from '../helpers/upstream-idp.js';
import { auditEvents } from '../helpers/audit.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import type { Operator } from '../../src/domain/operator.js';
import type { IdentityProviderInput } from '../../src/services/identity-providers.js';

const SUPER: Operator = { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } };

let server: TestServer;
let upstream: UpstreamIdp;
let rp: Awaited<ReturnType<typeof relyingParty>>;
/** Gatehouse's private key as the upstream's private_key_jwt client. */
let clientKey: Record<string, unknown>;

/** A provider of the test's upstream, with its domain. */
const addProvider = (name: string, domain: string, more: Partial<IdentityProviderInput> = {}) =>
  server.container.federation.identityProviders.create(
    {
      type: 'oidc',
      name,
      domains: [domain],
      oidc: { issuer: upstream.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret },
      ...more,
    },
    SUPER,
  );

test.before(async () => {
  server = await startServer({ OUTBOUND_ALLOW_PRIVATE: '1' });
  // One upstream client, registered with each provider's callback (`/federation/<name>/callback`).
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  clientKey = { ...(await exportJWK(privateKey)), kid: 'gatehouse-1', alg: 'ES256' };
  upstream = await startUpstreamIdp({
    redirectUris: ['acme', 'beta', 'pkjwt'].map((name) => `${server.url}/federation/${name}/callback`),
    privateKeyJwtKeys: [{ ...(await exportJWK(publicKey)), kid: 'gatehouse-1', alg: 'ES256', use: 'sig' }],
  });
  await addProvider('acme', 'acme.example', { jit: { enabled: true, role: 'manager' } });
  rp = await relyingParty(server, await server.createClient());
});
test.after.always(async () => {
  await upstream?.close();
  await server?.close();
});

/** Opens the client's authorization and submits the sign-in form with `username` and `password`. */
async function signInForm(username: string, password = '') {
  const browser = new Browser(server.url);
  const auth = await rp.authorizationUrl();
  const form = await browser.open(auth.url.toString());
  const page = await browser.submit(form, { username, password }, '/login');
  return { browser, auth, page };
}

/** Home-realm discovery, the upstream's sign-in, back to the client: the tokens' claims. */
async function federatedSignIn(email: string) {
  const { browser, auth, page } = await signInForm(email);
  const back = await viaUpstream(browser, page);
  const tokens = await rp.exchange(back, auth);
  return tokens.claims()!;
}

const failures = (reason: string) =>
  auditEvents(server, { action: 'signin.failed' }).whereRaw("details->>'reason' = ?", [reason]).orderBy('id');
const failureCount = async (reason: string) => (await failures(reason)).length;

test.serial('an email of a provider’s domain with no password goes to the provider with login_hint', async (t) => {
  const { page } = await signInForm('carol@acme.example');
  t.is(page.leftTo?.origin, upstream.issuer);
  const q = page.leftTo!.searchParams;
  t.is(q.get('login_hint'), 'carol@acme.example');
  t.is(q.get('redirect_uri'), `${server.url}/federation/acme/callback`);
  t.is(q.get('code_challenge_method'), 'S256');
  t.truthy(q.get('state'));
  t.truthy(q.get('nonce'));
});

test.serial('JIT on: a first sign-in creates the user; tokens carry amr fed and the idp claim', async (t) => {
  upstream.person('dana@acme.example', { email: 'dana@acme.example', email_verified: true, given_name: 'Dana' });
  const claims = await federatedSignIn('dana@acme.example');
  t.deepEqual(claims.amr, ['fed']);
  t.is(claims.idp, 'acme');
  const user = await server.repos.users.findById(claims.sub);
  t.is(user?.email, 'dana@acme.example');
  t.is(user?.givenName, 'Dana');
  t.is(user?.mainRole, 'manager');
  // The second sign-in finds the stored link.
  const again = await federatedSignIn('dana@acme.example');
  t.is(again.sub, claims.sub);
});

test.serial('JIT off: someone no user is linked to is refused, and audited', async (t) => {
  await addProvider('beta', 'beta.example');
  upstream.person('erin@beta.example', { email: 'erin@beta.example', email_verified: true });
  const { browser, page } = await signInForm('erin@beta.example');
  const refused = await viaUpstream(browser, page);
  t.is(refused.status, 403);
  t.regex(alertText(refused.html) ?? '', /no account here belongs to you/);
  t.is(await failureCount('upstream_unknown_user'), 1);
});

test.serial('an existing user is linked by the email the upstream vouches for', async (t) => {
  const bob = await server.createUser({ email: 'bob@acme.example' });
  upstream.person('bob@acme.example', { email: 'bob@acme.example', email_verified: true });
  const claims = await federatedSignIn('bob@acme.example');
  t.is(claims.sub, bob.id);
  t.deepEqual(claims.amr, ['fed']);
});

test.serial('an email the upstream does not vouch for links nobody (JIT needs it too)', async (t) => {
  await server.createUser({ email: 'frank@acme.example' });
  upstream.person('frank@acme.example', { email: 'frank@acme.example', email_verified: false });
  const { browser, page } = await signInForm('frank@acme.example');
  const refused = await viaUpstream(browser, page);
  t.is(refused.status, 403);
  t.is(await failureCount('upstream_unknown_user'), 2);
});

test.serial('an inactive user cannot get in through the provider', async (t) => {
  const gina = await server.createUser({ email: 'gina@acme.example', status: 'inactive' });
  upstream.person('gina@acme.example', { email: 'gina@acme.example', email_verified: true });
  const { browser, page } = await signInForm('gina@acme.example');
  const refused = await viaUpstream(browser, page);
  t.is(refused.status, 403);
  t.regex(alertText(refused.html) ?? '', /deactivated/);
  const [event] = await failures('status_inactive');
  t.is(event.target_id, gina.id);
  t.is(event.details.factor, 'federation');
});

test.serial('a required provider refuses the password of its people, pointing to it', async (t) => {
  const user = await server.createUser({ email: 'hank@acme.example' });
  // Not required yet: the password still works.
  const { page: ok } = await signInForm(user.email, PASSWORD);
  t.truthy(ok.leftTo?.href.startsWith('http://rp.test/callback'));
  await server.container.federation.identityProviders.update('acme', { required: true }, SUPER);
  const { page } = await signInForm(user.email, PASSWORD);
  t.is(page.status, 403);
  t.regex(alertText(page.html) ?? '', /Your organisation signs you in with its own sign-in page/);
  t.true(page.html.includes('href="/interaction/'), 'the provider’s button');
  t.true(page.html.includes('Continue with acme'));
  const [event] = await failures('federation_required');
  t.is(event.details.identifier, user.email);
  await server.container.federation.identityProviders.update('acme', { required: false }, SUPER);
});

test.serial(
  'a required provider attached to the user’s account refuses their password after it is checked',
  async (t) => {
    const [account] = await server.db('accounts').insert({ name: 'Zeta GmbH', kind: 'customer' }).returning('id');
    await addProvider('zeta', 'zeta.example', { required: true, accountIds: [account.id] });
    const user = await server.createUser({ email: 'quentin@elsewhere.example' });
    await server.db('users').where({ id: user.id }).update({ main_account_id: account.id });
    const wrong = await signInForm(user.email, 'not-the-password-0');
    t.is(wrong.page.status, 401, 'a wrong password is told as always');
    const { page } = await signInForm(user.email, PASSWORD);
    t.is(page.status, 403);
    t.regex(alertText(page.html) ?? '', /Your organisation signs you in with its own sign-in page/);
    const [event] = await failures('federation_required').where('target_id', user.id);
    t.is(event.details.factor, 'password');
  },
);

test.serial('a new upstream signing key is followed (key rotation)', async (t) => {
  upstream.person('ivy@acme.example', { email: 'ivy@acme.example', email_verified: true });
  const first = await federatedSignIn('ivy@acme.example');
  await upstream.rotateKeys();
  const second = await federatedSignIn('ivy@acme.example');
  t.is(second.sub, first.sub);
});

/** Two sign-ins started in one browser: the upstream URLs of each (the browser holds the second's state). */
async function twoStarts(email: string) {
  const browser = new Browser(server.url);
  const start = async () => {
    const auth = await rp.authorizationUrl();
    const form = await browser.open(auth.url.toString());
    return (await browser.submit(form, { username: email, password: '' }, '/login')).leftTo!;
  };
  return { browser, a: await start(), b: await start() };
}

test.serial('a callback whose state is not the browser’s is refused', async (t) => {
  upstream.person('jack@acme.example', { email: 'jack@acme.example', email_verified: true });
  const { browser, a } = await twoStarts('jack@acme.example');
  const back = await new Browser(upstream.issuer).open(a.toString());
  const refused = await browser.open(back.leftTo!.toString());
  t.is(refused.leftTo, undefined);
  t.is(refused.status, 400);
  t.regex(alertText(refused.html) ?? '', /could not be verified/);
  t.is(await failureCount('upstream_invalid'), 1);
  // Nor may the answer be replayed: the browser's transaction was used up.
  const again = await browser.open(back.leftTo!.toString());
  t.is(again.status, 400);
});

test.serial('an ID token with another sign-in’s nonce is refused', async (t) => {
  upstream.person('kim@acme.example', { email: 'kim@acme.example', email_verified: true });
  const { browser, a, b } = await twoStarts('kim@acme.example');
  // The upstream is asked with b's state and PKCE challenge but a's nonce: only the nonce is wrong.
  const forged = new URL(a);
  forged.searchParams.set('state', b.searchParams.get('state')!);
  forged.searchParams.set('code_challenge', b.searchParams.get('code_challenge')!);
  const back = await new Browser(upstream.issuer).open(forged.toString());
  const refused = await browser.open(back.leftTo!.toString());
  t.is(refused.status, 400);
  t.regex(alertText(refused.html) ?? '', /could not be verified/);
  t.is(await failureCount('upstream_invalid'), 2);
});

test.serial('an error from the upstream is shown plainly and audited', async (t) => {
  const { browser, page } = await signInForm('lee@acme.example');
  const callback = new URL(`${server.url}/federation/acme/callback`);
  callback.searchParams.set('error', 'access_denied');
  callback.searchParams.set('error_description', 'The user is not assigned to this application');
  callback.searchParams.set('state', page.leftTo!.searchParams.get('state')!);
  callback.searchParams.set('iss', upstream.issuer);
  const refused = await browser.open(callback.toString());
  t.is(refused.status, 401);
  t.regex(alertText(refused.html) ?? '', /access_denied \(The user is not assigned to this application\)/);
  t.is(await failureCount('upstream_error'), 1);
});

test.serial('a user whose SCIM externalId is the upstream subject is linked', async (t) => {
  const user = await server.createUser({ email: 'mia@acme.example' });
  await server.db('users').where({ id: user.id }).update({ external_id: 'entra-object-42' });
  // The upstream's subject is the HR system's id; its email here is not one Gatehouse knows.
  upstream.person('entra-object-42', { email: 'mia.old@acme.example', email_verified: true });
  upstream.state.signInAs = 'entra-object-42';
  const browser = new Browser(server.url);
  const auth = await rp.authorizationUrl();
  const form = await browser.open(auth.url.toString());
  t.true(form.html.includes('Continue with') === false, 'acme is not shown publicly');
  const page = await browser.open(`${new URL(form.url).pathname}/federation/acme`);
  const tokens = await rp.exchange(await viaUpstream(browser, page), auth);
  t.is(tokens.claims()!.sub, user.id);
  upstream.state.signInAs = undefined;
});

test.serial('MFA-required roles: the upstream’s mfa counts only when the provider is trusted for it', async (t) => {
  const admin = await server.createUser({ email: 'nora@acme.example', role: 'admin' });
  upstream.person('nora@acme.example', { email: 'nora@acme.example', email_verified: true, amr: ['pwd', 'mfa'] });
  // Not trusted: Gatehouse asks for its own second factor (here, to set one up).
  const { browser, page } = await signInForm(admin.email);
  const step = await viaUpstream(browser, page);
  t.is(step.leftTo, undefined);
  t.true(step.html.includes('/mfa/enrol'));
  // Trusted for MFA: the upstream's mfa is enough.
  await server.container.federation.identityProviders.update('acme', { trustedForMfa: true }, SUPER);
  const claims = await federatedSignIn(admin.email);
  t.is(claims.sub, admin.id);
  t.deepEqual(claims.amr, ['fed', 'mfa']);
  t.is(claims.acr, 'urn:gatehouse:loa:2');
  await server.container.federation.identityProviders.update('acme', { trustedForMfa: false }, SUPER);
});

test.serial('trustEmail: an email in the provider’s domains counts as verified without email_verified', async (t) => {
  const olga = await server.createUser({ email: 'olga@beta.example' });
  // As Entra ID: no email_verified claim.
  upstream.person('olga@beta.example', { email: 'olga@beta.example' });
  const { browser, page } = await signInForm(olga.email);
  t.is((await viaUpstream(browser, page)).status, 403);
  await server.container.federation.identityProviders.update('beta', { mapping: { trustEmail: true } }, SUPER);
  const claims = await federatedSignIn(olga.email);
  t.is(claims.sub, olga.id);
  t.is(claims.idp, 'beta');
});

test.serial('signing out ends the Gatehouse session and offers the upstream’s own sign-out', async (t) => {
  upstream.person('pia@acme.example', { email: 'pia@acme.example', email_verified: true });
  const { browser, auth, page } = await signInForm('pia@acme.example');
  await rp.exchange(await viaUpstream(browser, page), auth);
  const confirm = await browser.open('/session/end');
  const signedOut = await browser.submit(confirm, { logout: 'yes' }, '/session/end/confirm');
  t.regex(signedOut.html, /You signed in through <strong>acme<\/strong>/);
  const upstreamLogout = await browser.open('/federation/acme/logout');
  t.is(upstreamLogout.leftTo?.origin, upstream.issuer);
  t.is(upstreamLogout.leftTo?.pathname, '/session/end');
  t.is(upstreamLogout.leftTo?.searchParams.get('client_id'), upstream.clientId);
  // The Gatehouse session is over: the next authorization asks to sign in again.
  const again = await browser.open((await rp.authorizationUrl()).url.toString());
  t.regex(again.html, /action="\/interaction\/[^"]+\/login"/);
});

test.serial('/federation/<name>/start sends the browser to its interaction’s start', async (t) => {
  const browser = new Browser(server.url);
  const form = await browser.open((await rp.authorizationUrl()).url.toString());
  const uid = new URL(form.url).pathname.split('/')[2]!;
  const res = await browser.fetch(`/federation/acme/start?interaction=${uid}`);
  t.is(res.headers.get('location'), `/interaction/${uid}/federation/acme`);
  const page = await browser.open(`/federation/acme/start?interaction=${uid}`);
  t.is(page.leftTo?.origin, upstream.issuer);
  // Another browser holds no such interaction: nothing is started for it.
  const stranger = await new Browser(server.url).open(`/federation/acme/start?interaction=${uid}`);
  t.is(stranger.leftTo, undefined);
  t.true(stranger.status >= 400);
});

test.serial('a provider that cannot be reached is said so plainly', async (t) => {
  await addProvider('gone', 'gone.example', {
    oidc: { issuer: 'http://127.0.0.1:9/', clientId: 'x', clientSecret: 'y' },
    displayName: 'Gone Inc.',
  });
  const { page } = await signInForm('someone@gone.example');
  t.is(page.status, 503);
  t.is(page.headers?.get('retry-after'), '30');
  t.regex(alertText(page.html) ?? '', /Gone Inc\. cannot be reached now/);
});

test.serial('private_key_jwt: Gatehouse authenticates at the upstream with its own key', async (t) => {
  await server.container.federation.identityProviders.create(
    {
      type: 'oidc',
      name: 'pkjwt',
      domains: ['pk.example'],
      jit: { enabled: true },
      oidc: {
        issuer: upstream.issuer,
        clientId: 'gatehouse-pkjwt',
        tokenAuth: 'private_key_jwt',
        privateKey: JSON.stringify(clientKey),
      },
    },
    SUPER,
  );
  upstream.person('rita@pk.example', { email: 'rita@pk.example', email_verified: true });
  const claims = await federatedSignIn('rita@pk.example');
  t.is(claims.idp, 'pkjwt');
  const [row] = await server.db('identity_providers').where({ name: 'pkjwt' });
  t.false(String(row.oidc_private_key_sealed).includes(String(clientKey.d)));
});
