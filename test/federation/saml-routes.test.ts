import type { AddressInfo } from 'node:net';
import test from 'ava';
import Koa, { type Context } from 'koa';
import { pino } from 'pino';
import { retryingTransaction } from '../../src/db/database.js';
import type { SamlProviderConfig } from '../../src/domain/saml-provider.js';
import { DEFAULT_BRANDING } from '../../src/domain/settings.js';
import type { UpstreamIdentity } from '../../src/domain/upstream-identity.js';
import type { AppError } from '../../src/errors/app-error.js';
import { pageErrors } from '../../src/http/middleware/page-errors.js';
import { createRenderer } from '../../src/http/render.js';
import { samlFederationRoutes } from '../../src/http/routes/federation-saml.js';
import { routerMiddleware } from '../../src/http/router-middleware.js';
import { createSamlAssertionsSeenRepository } from '../../src/repositories/saml-assertions-seen.js';
import { createSamlRequestsRepository } from '../../src/repositories/saml-requests.js';
import { createSamlAuthnRequestService } from '../../src/services/saml-authn-request.js';
import { parseSamlIdpMetadata } from '../../src/services/saml-idp-metadata.js';
import { createSamlResponseService } from '../../src/services/saml-response.js';
import { systemClock } from '../../src/util/clock.js';
import { useMigratedDatabase } from '../helpers/database.js';
import { perFile } from '../helpers/per-file.js';
import { startSamlIdp, type AnswerSwitches } from '../helpers/saml-idp.js';

/*
 * The SAML routes over HTTP, between a real IdP and a Koa app that mounts them with
 * the page error handler: the browser's part is played by following the IdP's
 * auto-submitting form. `completeSignIn` and `signInFailed` stand for the federated
 * sign-in they will be wired to and record what they are given.
 */

const database = useMigratedDatabase(test);
const idp = perFile(
  test,
  () => startSamlIdp(),
  (i) => i.close(),
);
const completed: { provider: string; identity: UpstreamIdentity; relayState: string }[] = [];
const failed: { provider: string; code: string }[] = [];

const sp = perFile(
  test,
  async () => {
    const db = await database();
    const requests = createSamlRequestsRepository(db);
    const assertionsSeen = createSamlAssertionsSeenRepository(db);
    const providers = new Map<string, SamlProviderConfig>();
    const app = new Koa();
    const routes = samlFederationRoutes({
      findSamlProvider: async (name) => providers.get(name),
      responses: createSamlResponseService({
        requests,
        assertionsSeen,
        transact: retryingTransaction(db),
        clock: systemClock,
      }),
      completeSignIn: async (provider, identity, ctx: Context, relayState) => {
        completed.push({ provider: provider.name, identity, relayState });
        ctx.body = { signedIn: identity.subject };
      },
      signInFailed: async (provider, error: AppError) => {
        failed.push({ provider: provider.name, code: error.code });
      },
    });
    app.use(
      pageErrors(
        createRenderer({ branding: () => DEFAULT_BRANDING, defaultLanguage: () => 'en', cache: true }),
        pino({ level: 'silent' }),
      ),
    );
    app.use(routerMiddleware(routes.routes()));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const acme: SamlProviderConfig = {
      name: 'acme',
      ...parseSamlIdpMetadata(idp.metadata()),
      spEntityId: `${base}/federation/acme/metadata`,
      acsUrl: `${base}/federation/acme/acs`,
      trustEmail: true,
    };
    providers.set('acme', acme);
    return {
      base,
      acme,
      start: createSamlAuthnRequestService({ requests, assertionsSeen, clock: systemClock }),
      server,
    };
  },
  (s) => new Promise((resolve) => s.server.close(resolve)),
);

const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`)
    .exec(html)?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&') ?? '';

/** The browser's trip: to the IdP with the AuthnRequest, then its form posted back to our ACS. */
async function browserSignIn(relayState: string, switches?: AnswerSwitches) {
  if (switches) idp.state.next = switches;
  const page = await (await fetch(await sp.start.redirect(sp.acme, relayState))).text();
  const action = /action="([^"]+)"/.exec(page)?.[1] ?? '';
  const body = new URLSearchParams({
    SAMLResponse: field(page, 'SAMLResponse'),
    RelayState: field(page, 'RelayState'),
  });
  const post = () => fetch(action, { method: 'POST', body });
  return { action, post };
}

test.serial(
  'the IdP posts its answer to the ACS URL and the sign-in completes with the identity and the RelayState',
  async (t) => {
    const { action, post } = await browserSignIn('interaction-abc');
    t.is(action, sp.acme.acsUrl);
    const res = await post();
    t.is(res.status, 200);
    t.deepEqual(await res.json(), { signedIn: 'ada@customer.example' });
    t.like(completed.at(-1), {
      provider: 'acme',
      relayState: 'interaction-abc',
      identity: { subject: 'ada@customer.example' },
    });
  },
);

test.serial(
  'the same answer posted again is refused with the error page (401) and audited as upstream_replay',
  async (t) => {
    const { post } = await browserSignIn('interaction-def');
    t.is((await post()).status, 200);
    const count = completed.length;
    const again = await post();
    t.is(again.status, 401);
    const html = await again.text();
    t.regex(html, /This assertion was already used/);
    t.regex(html, /federation\.upstream_replay/);
    t.is(completed.length, count);
    t.deepEqual(failed.at(-1), { provider: 'acme', code: 'federation.upstream_replay' });
  },
);

test.serial('a tampered answer and one for another audience are refused (401) and audited', async (t) => {
  const tampered = await (await browserSignIn('x', { tamper: true })).post();
  t.is(tampered.status, 401);
  t.deepEqual(failed.at(-1), { provider: 'acme', code: 'federation.upstream_signature' });
  const elsewhere = await (await browserSignIn('y', { audience: 'https://other.example' })).post();
  t.is(elsewhere.status, 401);
  t.deepEqual(failed.at(-1), { provider: 'acme', code: 'federation.upstream_audience' });
});

test('the SP metadata is served per provider', async (t) => {
  const res = await fetch(`${sp.base}/federation/acme/metadata`);
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'application/samlmetadata+xml');
  const xml = await res.text();
  t.true(xml.includes(`entityID="${sp.acme.spEntityId}"`));
  t.true(xml.includes(`Location="${sp.acme.acsUrl}"`));
});

test('an unknown provider answers 404 on both routes', async (t) => {
  t.is((await fetch(`${sp.base}/federation/nobody/metadata`)).status, 404);
  const res = await fetch(`${sp.base}/federation/nobody/acs`, {
    method: 'POST',
    body: new URLSearchParams({ SAMLResponse: 'x' }),
  });
  t.is(res.status, 404);
});

test('an ACS post that is not a form, or has no SAMLResponse, is refused without reaching the sign-in', async (t) => {
  const count = completed.length;
  const json = await fetch(sp.acme.acsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  t.is(json.status, 415);
  const empty = await fetch(sp.acme.acsUrl, { method: 'POST', body: new URLSearchParams({ RelayState: 'x' }) });
  t.is(empty.status, 400);
  t.regex(await empty.text(), /federation\.upstream_invalid/);
  t.is(completed.length, count);
});
