import test, { type ExecutionContext } from 'ava';
import { retryingTransaction } from '../../src/db/database.js';
import type { SamlProviderConfig } from '../../src/domain/saml-provider.js';
import { AppError } from '../../src/errors/app-error.js';
import { createSamlAssertionsSeenRepository } from '../../src/repositories/saml-assertions-seen.js';
import { createSamlRequestsRepository } from '../../src/repositories/saml-requests.js';
import { SAML_REQUEST_TTL_MS, createSamlAuthnRequestService } from '../../src/services/saml-authn-request.js';
import { parseSamlIdpMetadata } from '../../src/services/saml-idp-metadata.js';
import { createSamlResponseService } from '../../src/services/saml-response.js';
import type { Clock } from '../../src/util/clock.js';
import { useMigratedDatabase } from '../helpers/database.js';
import { perFile } from '../helpers/per-file.js';
import { readAuthnRequest, startSamlIdp, type AnswerSwitches } from '../helpers/saml-idp.js';

/*
 * Upstream SAML against a real IdP (test/helpers/saml-idp.ts, signing with
 * xml-crypto) and a real database: each test sends an AuthnRequest, lets the IdP
 * answer (bent by a switch) and validates the answer. The clock is fixed; the IdP
 * issues at the time a test chooses.
 */

const NOW = new Date('2026-12-11T10:00:00Z');
const at = (ms: number): Clock => ({ now: () => new Date(NOW.getTime() + ms) });
const MINUTE = 60_000;

const database = useMigratedDatabase(test);
const idp = perFile(
  test,
  () => startSamlIdp({ clock: at(0) }),
  (i) => i.close(),
);
const rotating = perFile(
  test,
  () => startSamlIdp({ clock: at(0) }),
  (i) => i.close(),
);

function configOf(metadataXml: string, name = 'acme'): SamlProviderConfig {
  return {
    name,
    ...parseSamlIdpMetadata(metadataXml),
    spEntityId: `https://gatehouse.test/federation/${name}/metadata`,
    acsUrl: `https://gatehouse.test/federation/${name}/acs`,
    trustEmail: true,
  };
}

async function services(clock: Clock = at(0)) {
  const db = await database();
  const requests = createSamlRequestsRepository(db);
  const assertionsSeen = createSamlAssertionsSeenRepository(db);
  return {
    requests,
    start: createSamlAuthnRequestService({ requests, assertionsSeen, clock }),
    responses: createSamlResponseService({
      requests,
      assertionsSeen,
      transact: retryingTransaction(db),
      clock,
    }),
  };
}

/** Starts a sign-in at the IdP and posts its answer (bent by `switches`) back; the config defaults to the IdP's. */
async function signIn(switches: AnswerSwitches = {}, config = configOf(idp.metadata())) {
  const s = await services();
  const answer = await idp.answer(await s.start.redirect(config, 'interaction-1'), switches);
  return { ...s, answer, result: () => s.responses.signIn(config, answer.SAMLResponse) };
}

async function refused(t: ExecutionContext, run: () => Promise<unknown>, code: string) {
  const err = await t.throwsAsync(run, { instanceOf: AppError });
  t.is(err?.code, code, err?.message);
}

test('an assertion signed by the IdP gives the UpstreamIdentity and the RelayState stored with the request', async (t) => {
  const user = {
    nameId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    attributes: {
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': ['ada@customer.example'],
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': ['Ada'],
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': ['Lovelace'],
      'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['engineers', 'admins'],
    },
    authnContext: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    sessionIndex: '_sess42',
  };
  const { result } = await signIn({ user });
  t.deepEqual(await result(), {
    identity: {
      subject: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
      email: 'ada@customer.example',
      emailVerified: true,
      givenName: 'Ada',
      familyName: 'Lovelace',
      groups: ['engineers', 'admins'],
      amr: ['pwd'],
      sessionId: '_sess42',
    },
    relayState: 'interaction-1',
  });
});

test('the AuthnRequest names our entity id and ACS URL and goes to the IdP with the RelayState', async (t) => {
  const config = configOf(idp.metadata());
  const url = await (await services()).start.redirect(config, 'interaction-7');
  t.true(url.startsWith(`${idp.ssoUrl}?`));
  const request = await readAuthnRequest(url);
  t.is(request.issuer, config.spEntityId);
  t.is(request.acsUrl, config.acsUrl);
  t.is(request.relayState, 'interaction-7');
  t.regex(request.id, /^_[0-9a-f]{40}$/);
});

test('a response signed as a whole (the assertion unsigned) is accepted', async (t) => {
  const { result } = await signIn({ sign: 'response' });
  t.is((await result()).identity.subject, 'ada@customer.example');
});

test('an unsigned response is refused: upstream_signature', async (t) => {
  await refused(t, (await signIn({ sign: 'none' })).result, 'federation.upstream_signature');
});

test('an assertion changed after signing is refused: upstream_signature', async (t) => {
  await refused(t, (await signIn({ tamper: true })).result, 'federation.upstream_signature');
});

test('a response signed as a whole, then changed, is refused: upstream_signature', async (t) => {
  await refused(t, (await signIn({ sign: 'response', tamper: true })).result, 'federation.upstream_signature');
});

test('XML signature wrapping (the signed assertion hidden inside a forged one) is refused: upstream_signature', async (t) => {
  await refused(t, (await signIn({ wrap: 'nested' })).result, 'federation.upstream_signature');
});

test('XML signature wrapping (a forged assertion beside the signed one) is refused: upstream_signature', async (t) => {
  await refused(t, (await signIn({ wrap: 'sibling' })).result, 'federation.upstream_signature');
});

test('an assertion signed by another key than the registered ones is refused: upstream_signature', async (t) => {
  const other = await startSamlIdp({ clock: at(0) });
  t.teardown(() => other.close());
  const config = { ...configOf(idp.metadata()), signingCerts: other.certs() };
  await refused(t, (await signIn({}, config)).result, 'federation.upstream_signature');
});

test('the same assertion posted twice is refused the second time: upstream_replay', async (t) => {
  const { result } = await signIn();
  await result();
  await refused(t, result, 'federation.upstream_replay');
});

test('an assertion for another audience is refused: upstream_audience', async (t) => {
  const { result } = await signIn({ audience: 'https://other-sp.example/metadata' });
  await refused(t, result, 'federation.upstream_audience');
});

test('an assertion for another Recipient, or a response for another Destination, is refused: upstream_recipient', async (t) => {
  await refused(t, (await signIn({ recipient: 'https://evil.example/acs' })).result, 'federation.upstream_recipient');
  const { result } = await signIn({ destination: 'https://evil.example/acs' });
  await refused(t, result, 'federation.upstream_recipient');
});

test('an assertion issued by another IdP is refused: upstream_issuer', async (t) => {
  await refused(t, (await signIn({ issuer: 'https://other-idp.example' })).result, 'federation.upstream_issuer');
});

test('an assertion that expired more than 2 minutes ago is refused: upstream_expired', async (t) => {
  // Valid 5 minutes from issue: issued 8 minutes ago, it ran out 3 minutes ago.
  await refused(t, (await signIn({ issuedAt: at(-8 * MINUTE).now() })).result, 'federation.upstream_expired');
});

test('clock skew up to 2 minutes is tolerated, beyond it refused: upstream_expired', async (t) => {
  // Ran out 1 minute ago; becomes valid in 90 seconds: both within the skew.
  t.truthy(await (await signIn({ issuedAt: at(-6 * MINUTE).now() })).result());
  t.truthy(await (await signIn({ issuedAt: at(1.5 * MINUTE).now() })).result());
  // Valid only in 3 minutes: the IdP's clock is too far ahead.
  await refused(t, (await signIn({ issuedAt: at(3 * MINUTE).now() })).result, 'federation.upstream_expired');
});

test('an answer to no request we sent is refused: upstream_unknown_request', async (t) => {
  await refused(t, (await signIn({ inResponseTo: '_never-sent' })).result, 'federation.upstream_unknown_request');
});

test("an answer to another provider's request is refused: upstream_unknown_request", async (t) => {
  const s = await services();
  const acme = configOf(idp.metadata(), 'acme');
  // The same IdP registered twice: the request of one is not the other's.
  const answer = await idp.answer(await s.start.redirect(acme, 'x'));
  const globex = { ...configOf(idp.metadata(), 'globex'), spEntityId: acme.spEntityId, acsUrl: acme.acsUrl };
  await refused(t, () => s.responses.signIn(globex, answer.SAMLResponse), 'federation.upstream_unknown_request');
});

test('an answer after the request expired is refused: upstream_unknown_request', async (t) => {
  const config = configOf(idp.metadata());
  const url = await (await services()).start.redirect(config, 'x');
  const later = at(SAML_REQUEST_TTL_MS + MINUTE);
  const answer = await idp.answer(url, { issuedAt: later.now() });
  await refused(
    t,
    async () => (await services(later)).responses.signIn(config, answer.SAMLResponse),
    'federation.upstream_unknown_request',
  );
});

test('an IdP error status is refused: upstream_denied, naming it', async (t) => {
  const err = await t.throwsAsync((await signIn({ status: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed' })).result, {
    instanceOf: AppError,
  });
  t.is(err?.code, 'federation.upstream_denied');
  t.regex(err?.message ?? '', /The user cancelled/);
});

test('a SAMLResponse that is not base64 XML is refused: upstream_invalid', async (t) => {
  const s = await services();
  const config = configOf(idp.metadata());
  await refused(t, () => s.responses.signIn(config, 'not base64!'), 'federation.upstream_invalid');
  await refused(
    t,
    () => s.responses.signIn(config, Buffer.from('<nope').toString('base64')),
    'federation.upstream_invalid',
  );
});

test('key rotation: with both certificates registered, answers signed by the old key and the new one are accepted', async (t) => {
  const before = configOf(rotating.metadata());
  const s = await services();
  const old = await rotating.answer(await s.start.redirect(before, 'x'));
  await rotating.rotate();
  const both = configOf(rotating.metadata());
  t.is(both.signingCerts.length, 2);
  const fresh = await rotating.answer(await s.start.redirect(both, 'y'));
  t.is((await s.responses.signIn(both, old.SAMLResponse)).relayState, 'x');
  t.is((await s.responses.signIn(both, fresh.SAMLResponse)).relayState, 'y');
  // The old certificate alone does not verify the new key's signature.
  const stale = await rotating.answer(await s.start.redirect(before, 'z'));
  await refused(t, () => s.responses.signIn(before, stale.SAMLResponse), 'federation.upstream_signature');
});
