import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

/*
 * A real SAML 2.0 identity provider for tests, on 127.0.0.1: it serves its metadata,
 * takes an AuthnRequest by the HTTP-Redirect binding (GET /sso) and answers with
 * an auto-submitting form that posts a Response to the request's ACS URL, the
 * assertion (or the whole response) signed with xml-crypto by an RSA key made at
 * start. Switches bend one answer at a time: tampered after signing, unsigned,
 * wrapped, another audience, recipient or issuer, issued at another time.
 */

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const VALIDITY_MS = 5 * 60_000;

export interface SamlUser {
  nameId: string;
  nameIdFormat?: string;
  /** Attribute name → values. */
  attributes?: Record<string, string[]>;
  authnContext?: string;
  sessionIndex?: string;
}

export interface AnswerSwitches {
  /** Who signed in (default: the IdP's `state.user`). */
  user?: SamlUser;
  /** When the IdP issues the assertion (NotBefore; NotOnOrAfter is 5 minutes later). Default: the IdP's clock. */
  issuedAt?: Date;
  /** What to sign: the assertion (default), the whole response, or nothing. */
  sign?: 'assertion' | 'response' | 'none';
  /** Change the NameID after signing. */
  tamper?: boolean;
  /** XML signature wrapping: a forged assertion carries the real signature, the signed one hidden inside it or beside it. */
  wrap?: 'nested' | 'sibling';
  audience?: string;
  recipient?: string;
  destination?: string;
  issuer?: string;
  /** InResponseTo to put instead of the request's id. */
  inResponseTo?: string;
  assertionId?: string;
  /** Answer with this status instead of Success (no assertion). */
  status?: string;
}

export interface SamlAnswer {
  acsUrl: string;
  SAMLResponse: string;
  RelayState: string;
  /** The AuthnRequest's id. */
  requestId: string;
}

interface Key {
  privateKeyPem: string;
  cert: string;
}

/** A 2048-bit RSA key and its self-signed certificate, made by the openssl command (Node makes keys, not certificates). */
async function newKey(): Promise<Key> {
  const { stdout } = await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=Test IdP',
    '-days',
    '36500',
    '-keyout',
    '-',
    '-out',
    '-',
  ]);
  const privateKeyPem = /-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/.exec(stdout)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(stdout)?.[1];
  if (!privateKeyPem || !cert) throw new Error(`openssl made no key and certificate: ${stdout}`);
  return { privateKeyPem, cert: cert.replace(/\s+/g, '') };
}

const xmlText = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

function sign(xml: string, key: Key, what: 'Assertion' | 'Response'): string {
  const target = `/*[local-name(.)='Response']${what === 'Assertion' ? "/*[local-name(.)='Assertion']" : ''}`;
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  sig.addReference({
    xpath: target,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

/** The signed assertion's signature moved onto a forged copy (another subject), the signed one kept nested in it or beside it. */
function wrap(xml: string, how: 'nested' | 'sibling'): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const response = doc.documentElement as Element;
  const signed = response.getElementsByTagNameNS(SAML, 'Assertion')[0] as Element;
  const forged = signed.cloneNode(true) as Element;
  forged.setAttribute('ID', `_forged${randomBytes(8).toString('hex')}`);
  const nameId = forged.getElementsByTagNameNS(SAML, 'NameID')[0] as Element;
  nameId.textContent = 'admin@victim.example';
  if (how === 'nested') {
    // The forged assertion carries the real signature; the signed one hides in it (in an Advice).
    const signature = signed.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as Element;
    const forgedSignature = forged.getElementsByTagNameNS(
      'http://www.w3.org/2000/09/xmldsig#',
      'Signature',
    )[0] as Element;
    signed.removeChild(signature);
    forged.replaceChild(signature, forgedSignature);
    const advice = doc.createElementNS(SAML, 'saml:Advice');
    advice.appendChild(signed.cloneNode(true));
    forged.appendChild(advice);
    response.replaceChild(forged, signed);
  } else {
    response.insertBefore(forged, signed);
  }
  return new XMLSerializer().serializeToString(doc);
}

/** The AuthnRequest of a redirect URL (HTTP-Redirect binding: deflated, base64, in SAMLRequest). */
export async function readAuthnRequest(
  url: string,
): Promise<{ id: string; acsUrl: string; issuer: string; relayState: string }> {
  const query = new URL(url).searchParams;
  const xml = (await promisify(inflateRaw)(Buffer.from(query.get('SAMLRequest') ?? '', 'base64'))).toString('utf8');
  const request = new DOMParser().parseFromString(xml, 'text/xml').documentElement as Element;
  return {
    id: request.getAttribute('ID') ?? '',
    acsUrl: request.getAttribute('AssertionConsumerServiceURL') ?? '',
    issuer: request.getElementsByTagNameNS(SAML, 'Issuer')[0]?.textContent ?? '',
    relayState: query.get('RelayState') ?? '',
  };
}

export async function startSamlIdp(options: { clock?: { now(): Date }; user?: SamlUser } = {}) {
  const clock = options.clock ?? { now: () => new Date() };
  let keys: Key[] = [await newKey()];
  const state: { user: SamlUser; next: AnswerSwitches } = {
    user: options.user ?? { nameId: 'ada@customer.example' },
    next: {},
  };
  let base = '';

  const metadata = () => `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${base}/metadata">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
${keys.map((k) => `    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${k.cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join('\n')}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/sso-post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

  /** The Response answering `request` as the switches say (the signing key is the newest). */
  function responseXml(request: { id: string; acsUrl: string; issuer: string }, s: AnswerSwitches): string {
    const issued = s.issuedAt ?? clock.now();
    const at = (ms: number) => new Date(issued.getTime() + ms).toISOString();
    const user = s.user ?? state.user;
    const issuer = `<saml:Issuer>${xmlText(s.issuer ?? `${base}/metadata`)}</saml:Issuer>`;
    const header = `<samlp:Response xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${at(0)}" Destination="${xmlText(s.destination ?? request.acsUrl)}" InResponseTo="${xmlText(s.inResponseTo ?? request.id)}">${issuer}`;
    if (s.status)
      return `${header}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="${s.status}"/></samlp:StatusCode><samlp:StatusMessage>The user cancelled</samlp:StatusMessage></samlp:Status></samlp:Response>`;
    const attributes = Object.entries(user.attributes ?? {})
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${xmlText(name)}">${values.map((v) => `<saml:AttributeValue>${xmlText(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
      )
      .join('');
    const format = user.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
    return `${header}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
<saml:Assertion ID="${xmlText(s.assertionId ?? `_a${randomBytes(16).toString('hex')}`)}" Version="2.0" IssueInstant="${at(0)}">${issuer}<saml:Subject><saml:NameID Format="${format}">${xmlText(user.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${at(VALIDITY_MS)}" Recipient="${xmlText(s.recipient ?? request.acsUrl)}" InResponseTo="${xmlText(s.inResponseTo ?? request.id)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${at(0)}" NotOnOrAfter="${at(VALIDITY_MS)}"><saml:AudienceRestriction><saml:Audience>${xmlText(s.audience ?? request.issuer)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="${xmlText(user.sessionIndex ?? '_session1')}"><saml:AuthnContext><saml:AuthnContextClassRef>${user.authnContext ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : ''}</saml:Assertion></samlp:Response>`;
  }

  /** The IdP's answer to the AuthnRequest in `redirectUrl`, bent by `switches` (else by `state.next`, used once). */
  async function answer(redirectUrl: string, switches?: AnswerSwitches): Promise<SamlAnswer> {
    const s = switches ?? state.next;
    state.next = {};
    const request = await readAuthnRequest(redirectUrl);
    const key = keys.at(-1) as Key;
    let xml = responseXml(request, s);
    const signWhat = s.sign ?? 'assertion';
    if (!s.status && signWhat !== 'none') xml = sign(xml, key, signWhat === 'assertion' ? 'Assertion' : 'Response');
    if (s.status && signWhat === 'response') xml = sign(xml, key, 'Response');
    if (s.tamper) xml = xml.replace(`>${xmlText((s.user ?? state.user).nameId)}<`, '>admin@victim.example<');
    if (s.wrap) xml = wrap(xml, s.wrap);
    return {
      acsUrl: request.acsUrl,
      SAMLResponse: Buffer.from(xml).toString('base64'),
      RelayState: request.relayState,
      requestId: request.id,
    };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/metadata') {
      res.setHeader('content-type', 'application/samlmetadata+xml');
      return res.end(metadata());
    }
    if (url.pathname === '/sso') {
      answer(url.toString()).then(
        (a) => {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(`<!DOCTYPE html><html><body onload="document.forms[0].submit()">
<form method="post" action="${xmlText(a.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${a.SAMLResponse}"><input type="hidden" name="RelayState" value="${xmlText(a.RelayState)}"><button>Continue</button></form></body></html>`);
        },
        (err: Error) => {
          res.statusCode = 400;
          res.end(err.message);
        },
      );
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    entityId: `${base}/metadata`,
    metadataUrl: `${base}/metadata`,
    ssoUrl: `${base}/sso`,
    metadata,
    /** The signing certificates in the metadata (base64 DER), oldest first. */
    certs: () => keys.map((k) => k.cert),
    /** Key rotation: a new key signs from now on; its certificate joins the metadata (`drop` removes the older ones). */
    async rotate(drop = false): Promise<void> {
      const key = await newKey();
      keys = drop ? [key] : [...keys, key];
    },
    state,
    answer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SamlIdp = Awaited<ReturnType<typeof startSamlIdp>>;
