import { X509Certificate } from 'node:crypto';
import type { SamlIdpMetadata } from '../domain/saml-provider.js';
import { AppError } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { parseXmlDocument } from '../util/xml-document.js';
import type { OutboundHttpService } from './outbound-http.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

const invalid = (problem: string) => fail('federation.metadata_invalid', { problem });
const children = (parent: Element, ns: string, name: string): Element[] =>
  Array.from(parent.getElementsByTagNameNS(ns, name));

/** A certificate's base64 DER, whitespace out; refused unless it parses as X.509. */
function certificate(text: string): string {
  const base64 = text.replace(/\s+/g, '');
  try {
    new X509Certificate(Buffer.from(base64, 'base64'));
  } catch {
    throw invalid('a signing certificate is not an X.509 certificate');
  }
  return base64;
}

/**
 * The IdP's entity id, its HTTP-Redirect SingleSignOnService and its signing
 * certificates (KeyDescriptors with `use="signing"` or no `use`; several while it
 * rotates keys), from its SAML 2.0 metadata. The document holds one IdP: an
 * EntityDescriptor, or an EntitiesDescriptor with exactly one IDPSSODescriptor.
 */
export function parseSamlIdpMetadata(xml: string): SamlIdpMetadata {
  const doc = parseXmlDocument(xml, invalid);
  const idps = children(doc.documentElement, MD, 'IDPSSODescriptor');
  if (idps.length === 0) throw invalid('it describes no identity provider (no IDPSSODescriptor)');
  if (idps.length > 1) throw invalid('it describes several identity providers: give the metadata of one');
  const idp = idps[0] as Element;
  const entity = idp.parentNode as Element | null;
  const idpEntityId = entity?.localName === 'EntityDescriptor' ? entity.getAttribute('entityID') : null;
  if (!idpEntityId) throw invalid('the EntityDescriptor has no entityID');

  const sso = children(idp, MD, 'SingleSignOnService').find((s) => s.getAttribute('Binding') === REDIRECT);
  const ssoUrl = sso?.getAttribute('Location');
  if (!ssoUrl) throw invalid('it offers no SingleSignOnService with the HTTP-Redirect binding');
  if (!/^https?:\/\//.test(ssoUrl)) throw invalid(`the SingleSignOnService location "${ssoUrl}" is not an http(s) URL`);

  const signing = children(idp, MD, 'KeyDescriptor').filter(
    (k) => (k.getAttribute('use') ?? 'signing') !== 'encryption',
  );
  const signingCerts = [
    ...new Set(signing.flatMap((k) => children(k, DS, 'X509Certificate')).map((c) => certificate(c.textContent ?? ''))),
  ];
  if (signingCerts.length === 0) throw invalid('it gives no signing certificate');
  return { idpEntityId, ssoUrl, signingCerts };
}

/** The IdP metadata at `url`, fetched through the SSRF-guarded outbound HTTP, then parsed. */
export async function fetchSamlIdpMetadata(outbound: OutboundHttpService, url: string): Promise<SamlIdpMetadata> {
  if (!/^https?:\/\//.test(url)) throw invalid(`"${url}" is not an http(s) URL`);
  const answer = await outbound.fetch(url).catch((err: Error) => {
    throw err instanceof AppError ? err : invalid(`${url} could not be read (${err.message})`);
  });
  if (answer.status !== 200) throw invalid(`${url} answered ${answer.status}`);
  return parseSamlIdpMetadata(await answer.text());
}
