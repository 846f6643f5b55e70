import test from 'ava';
import { AppError } from '../../src/errors/app-error.js';
import { createOutboundHttpService } from '../../src/services/outbound-http.js';
import { fetchSamlIdpMetadata, parseSamlIdpMetadata } from '../../src/services/saml-idp-metadata.js';
import { samlSpMetadata } from '../../src/services/saml-sp-metadata.js';
import { parseXmlDocument } from '../../src/util/xml-document.js';
import { perFile } from '../helpers/per-file.js';
import { startSamlIdp, type SamlIdp } from '../helpers/saml-idp.js';

/* IdP metadata read into a provider's configuration (from XML or fetched by URL), and our SP metadata. */

const close = (i: SamlIdp) => i.close();
const idp = perFile(test, () => startSamlIdp(), close);
const other = perFile(test, () => startSamlIdp(), close);

const MD = 'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const keyDescriptor = (cert: string, use?: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${cert.match(/.{1,64}/g)?.join('\n')}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const entity = (id: string, inside: string) =>
  `<md:EntityDescriptor ${MD} entityID="${id}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${inside}</md:IDPSSODescriptor></md:EntityDescriptor>`;
const sso = (binding: string, location: string) =>
  `<md:SingleSignOnService Binding="${binding}" Location="${location}"/>`;

function refusedWith(t: import('ava').ExecutionContext, xml: string, problem: RegExp) {
  const err = t.throws(() => parseSamlIdpMetadata(xml), { instanceOf: AppError });
  t.is(err?.code, 'federation.metadata_invalid');
  t.regex(err?.message ?? '', problem);
}

test("the IdP's metadata gives its entity id, its HTTP-Redirect SSO URL and its signing certificate", (t) => {
  t.deepEqual(parseSamlIdpMetadata(idp.metadata()), {
    idpEntityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    signingCerts: idp.certs(),
  });
});

test('every signing certificate is kept (rotation), encryption keys are not, repeats are dropped', (t) => {
  const [a] = idp.certs() as [string];
  const [b] = other.certs() as [string];
  const xml = entity(
    'https://idp.example/e',
    keyDescriptor(a, 'signing') +
      keyDescriptor(a) +
      keyDescriptor(b, 'encryption') +
      sso(REDIRECT, 'https://idp.example/sso'),
  );
  t.deepEqual(parseSamlIdpMetadata(xml).signingCerts, [a]);
});

test('an EntitiesDescriptor holding one IdP is read; one holding two is refused', (t) => {
  const [cert] = idp.certs() as [string];
  const one = entity('https://idp.example/one', keyDescriptor(cert) + sso(REDIRECT, 'https://idp.example/sso'));
  const two = entity('https://idp.example/two', keyDescriptor(cert) + sso(REDIRECT, 'https://idp.example/sso2'));
  const sp = `<md:EntityDescriptor ${MD} entityID="https://sp.example"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`;
  t.is(
    parseSamlIdpMetadata(`<md:EntitiesDescriptor ${MD}>${sp}${one}</md:EntitiesDescriptor>`).idpEntityId,
    'https://idp.example/one',
  );
  refusedWith(t, `<md:EntitiesDescriptor ${MD}>${one}${two}</md:EntitiesDescriptor>`, /several identity providers/);
});

test('metadata without an IdP, a redirect SSO URL, a certificate, a valid certificate, or XML at all is refused', (t) => {
  const [cert] = idp.certs() as [string];
  const post = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
  refusedWith(t, `<md:EntityDescriptor ${MD} entityID="x"/>`, /no IDPSSODescriptor/);
  refusedWith(t, entity('x', keyDescriptor(cert) + sso(post, 'https://idp.example/sso')), /HTTP-Redirect/);
  refusedWith(t, entity('x', keyDescriptor(cert) + sso(REDIRECT, 'javascript:alert(1)')), /not an http\(s\) URL/);
  refusedWith(t, entity('x', sso(REDIRECT, 'https://idp.example/sso')), /no signing certificate/);
  refusedWith(t, entity('x', keyDescriptor('bm90IGEgY2VydA==') + sso(REDIRECT, 'https://idp.example/sso')), /X\.509/);
  refusedWith(t, entity('', keyDescriptor(cert) + sso(REDIRECT, 'https://idp.example/sso')), /entityID/);
  refusedWith(t, '<md:EntityDescriptor', /metadata cannot be used/);
});

test('metadata is fetched by URL through the outbound HTTP service', async (t) => {
  const outbound = createOutboundHttpService({ allowPrivate: true, timeoutMs: 5000 });
  t.is((await fetchSamlIdpMetadata(outbound, idp.metadataUrl)).idpEntityId, idp.entityId);
  const missing = await t.throwsAsync(fetchSamlIdpMetadata(outbound, `${idp.url}/nothing-here`), {
    instanceOf: AppError,
  });
  t.is(missing?.code, 'federation.metadata_invalid');
  t.regex(missing?.message ?? '', /answered 404/);
  const notHttp = await t.throwsAsync(fetchSamlIdpMetadata(outbound, 'file:///etc/passwd'), { instanceOf: AppError });
  t.is(notHttp?.code, 'federation.metadata_invalid');
});

test('a metadata URL on a private or loopback address is refused (SSRF guard)', async (t) => {
  const outbound = createOutboundHttpService({ allowPrivate: false, timeoutMs: 5000 });
  const err = await t.throwsAsync(fetchSamlIdpMetadata(outbound, idp.metadataUrl), { instanceOf: AppError });
  t.is(err?.code, 'outbound.address_refused');
  const named = await t.throwsAsync(fetchSamlIdpMetadata(outbound, 'http://localhost:1/metadata'), {
    instanceOf: AppError,
  });
  t.is(named?.code, 'outbound.address_refused');
});

test('our SP metadata names our entity id and the ACS URL (HTTP-POST) and asks for signed assertions', (t) => {
  const xml = samlSpMetadata({
    name: 'acme',
    ...parseSamlIdpMetadata(idp.metadata()),
    spEntityId: 'https://gatehouse.test/federation/acme/metadata',
    acsUrl: 'https://gatehouse.test/federation/acme/acs',
    trustEmail: false,
  });
  const root = parseXmlDocument(xml, (p) => new Error(p)).documentElement;
  t.is(root.getAttribute('entityID'), 'https://gatehouse.test/federation/acme/metadata');
  const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
  const sp = root.getElementsByTagNameNS(md, 'SPSSODescriptor')[0];
  t.is(sp?.getAttribute('WantAssertionsSigned'), 'true');
  const acs = root.getElementsByTagNameNS(md, 'AssertionConsumerService')[0];
  t.is(acs?.getAttribute('Location'), 'https://gatehouse.test/federation/acme/acs');
  t.is(acs?.getAttribute('Binding'), 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
});
