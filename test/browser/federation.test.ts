import test from 'ava';
import { startBrowserFlow, type BrowserFlow } from '../helpers/browser-flow.js';
import { startUpstreamIdp, type UpstreamIdp } from '../helpers/upstream-idp.js';
import { CLI_ACTOR } from '../../src/services/audit.js';

/*
 * Home-realm discovery in a real Chromium: a person types their work email on
 * the sign-in page and nothing else; Gatehouse sends them to their organisation's
 * identity provider (a second oidc-provider on 127.0.0.1; Gatehouse is on
 * `localhost`, so the two keep their cookies apart) and back to the client.
 */

let flow: BrowserFlow;
let upstream: UpstreamIdp;

test.before(async () => {
  flow = await startBrowserFlow({ OUTBOUND_ALLOW_PRIVATE: '1' }, { host: 'localhost' });
  upstream = await startUpstreamIdp({ redirectUris: [`${flow.server.url}/federation/acme/callback`] });
  await flow.server.container.federation.identityProviders.create(
    {
      type: 'oidc',
      name: 'acme',
      displayName: 'Acme Corp',
      shownPublicly: true,
      domains: ['acme.example'],
      jit: { enabled: true },
      oidc: { issuer: upstream.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret },
    },
    { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } },
  );
});
test.after.always(async () => {
  await flow?.close();
  await upstream?.close();
});

test('typing a work email alone signs in at the organisation and lands on the client', async (t) => {
  upstream.person('quinn@acme.example', { email: 'quinn@acme.example', email_verified: true, given_name: 'Quinn' });
  const page = await flow.newPage();
  const { state, verifier } = await flow.openAuthorization(page);
  await page.getByLabel('Email or User ID', { exact: true }).fill('quinn@acme.example');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const landed = await flow.landedOnCallback(page);
  t.is(landed.searchParams.get('state'), state);
  const { status, claims } = await flow.redeem(landed.searchParams.get('code')!, verifier);
  t.is(status, 200);
  t.deepEqual(claims?.amr, ['fed']);
  t.is(claims?.idp, 'acme');
});

test('the button of a provider shown publicly signs in there too', async (t) => {
  upstream.person('ray@acme.example', { email: 'ray@acme.example', email_verified: true });
  upstream.state.signInAs = 'ray@acme.example';
  const page = await flow.newPage();
  const { verifier } = await flow.openAuthorization(page);
  await page.getByRole('link', { name: 'Continue with Acme Corp' }).click();
  const landed = await flow.landedOnCallback(page);
  const { claims } = await flow.redeem(landed.searchParams.get('code')!, verifier);
  t.truthy(claims?.sub);
  t.deepEqual(claims?.amr, ['fed']);
});
