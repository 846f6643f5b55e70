import { SamlStatusError } from '@node-saml/node-saml';
import type { SamlProviderConfig } from '../domain/saml-provider.js';
import type { UpstreamIdentity } from '../domain/upstream-identity.js';
import type { Executor } from '../db/database.js';
import { AppError } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { SamlAssertionsSeenRepository } from '../repositories/saml-assertions-seen.js';
import type { SamlRequestsRepository } from '../repositories/saml-requests.js';
import type { Clock } from '../util/clock.js';
import { parseXmlDocument } from '../util/xml-document.js';
import { SAML_CLOCK_SKEW_MS, samlClient } from './saml-client.js';
import { samlIdentity, type SamlAssertionFacts } from './saml-identity.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface SamlSignIn {
  identity: UpstreamIdentity;
  /** The RelayState stored with the AuthnRequest this answers (not the one posted back). */
  relayState: string;
}

const invalid = (problem: string) => fail('federation.upstream_invalid', { problem });

/** node-saml's refusals (plain Errors) as our codes; its messages are stable across 5.x. */
function refusal(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof SamlStatusError)
    return fail('federation.upstream_denied', { status: err.message.replace(/^SAML provider returned /, '') });
  const message = err instanceof Error ? err.message : String(err);
  if (/signature|signed data/i.test(message)) return fail('federation.upstream_signature');
  if (/audience/i.test(message)) return fail('federation.upstream_audience');
  if (/expired|not yet valid/i.test(message)) return fail('federation.upstream_expired');
  return invalid(message);
}

const directChildren = (parent: Element, name: string): Element[] =>
  Array.from(parent.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === SAML && (n as Element).localName === name,
  );
const child = (parent: Element | undefined, name: string): Element | undefined =>
  parent && directChildren(parent, name)[0];
const text = (el: Element | undefined) => el?.textContent?.trim() || undefined;
const attribute = (el: Element | undefined, name: string) => el?.getAttribute(name) || undefined;
const time = (value: string | undefined) => (value === undefined ? undefined : Date.parse(value));

/** What Gatehouse checks itself in the signed assertion, besides what node-saml checked. */
interface Confirmation {
  assertionId: string;
  issuer?: string;
  /** Bearer SubjectConfirmationData: Recipient, InResponseTo and times. */
  confirmations: { recipient?: string; inResponseTo?: string; notBefore?: number; notOnOrAfter?: number }[];
  conditionsNotOnOrAfter?: number;
}

/** The signed assertion (its XML as node-saml verified it) read as facts; nested (Advice) assertions are ignored. */
function readAssertion(xml: string): SamlAssertionFacts & Confirmation {
  const assertion = parseXmlDocument(xml, invalid).documentElement;
  const subject = child(assertion, 'Subject');
  const nameId = child(subject, 'NameID');
  const attributes: Record<string, string[]> = {};
  for (const statement of directChildren(assertion, 'AttributeStatement'))
    for (const a of directChildren(statement, 'Attribute')) {
      const name = attribute(a, 'Name');
      const values = directChildren(a, 'AttributeValue').flatMap((v) => text(v) ?? []);
      if (name) attributes[name] = [...(attributes[name] ?? []), ...values];
    }
  const authn = directChildren(assertion, 'AuthnStatement');
  const subjectValue = text(nameId);
  if (!subjectValue) throw invalid('the assertion has no NameID');
  const assertionId = attribute(assertion, 'ID');
  if (!assertionId) throw invalid('the assertion has no ID');
  return {
    assertionId,
    issuer: text(child(assertion, 'Issuer')),
    nameId: subjectValue,
    nameIdFormat: attribute(nameId, 'Format'),
    sessionIndex: authn.map((s) => attribute(s, 'SessionIndex')).find(Boolean),
    attributes,
    authnContexts: authn.flatMap((s) => text(child(child(s, 'AuthnContext'), 'AuthnContextClassRef')) ?? []),
    confirmations: (subject ? directChildren(subject, 'SubjectConfirmation') : [])
      .filter((c) => attribute(c, 'Method') === BEARER)
      .map((c) => child(c, 'SubjectConfirmationData'))
      .map((d) => ({
        recipient: attribute(d, 'Recipient'),
        inResponseTo: attribute(d, 'InResponseTo'),
        notBefore: time(attribute(d, 'NotBefore')),
        notOnOrAfter: time(attribute(d, 'NotOnOrAfter')),
      })),
    conditionsNotOnOrAfter: time(attribute(child(assertion, 'Conditions'), 'NotOnOrAfter')),
  };
}

/**
 * Validates a SAMLResponse posted to a provider's ACS URL and gives the person's
 * UpstreamIdentity. node-saml verifies the XML signature (of the assertion or of
 * the whole response, by one of the provider's certificates, refusing signature
 * wrapping), the Conditions' times and the audience; this service then checks,
 * in the signed assertion, the Issuer, a bearer confirmation whose Recipient is
 * our ACS URL, still valid (two minutes of skew) and answering a request we sent
 * (consumed: it answers once), the response's Destination, and that the assertion
 * id was never accepted before. Refusals are `federation.upstream_*`:
 *
 *   upstream_invalid          not a SAML response, no assertion, no NameID
 *   upstream_denied           the IdP answered with an error status
 *   upstream_signature        unsigned, signed by another key, tampered, wrapped
 *   upstream_issuer           issued by another IdP than the provider's entity id
 *   upstream_audience         meant for another SP
 *   upstream_recipient        Recipient or Destination is not our ACS URL
 *   upstream_expired          outside NotBefore / NotOnOrAfter (± 2 minutes)
 *   upstream_replay           this assertion id was already accepted
 *   upstream_unknown_request  InResponseTo names no waiting request of this provider
 */
export function createSamlResponseService(deps: {
  requests: SamlRequestsRepository;
  assertionsSeen: SamlAssertionsSeenRepository;
  transact: <T>(fn: (trx: Executor) => Promise<T>) => Promise<T>;
  clock: Clock;
}) {
  return {
    async signIn(config: SamlProviderConfig, samlResponse: string): Promise<SamlSignIn> {
      if (!/^[A-Za-z0-9+/=\s]+$/.test(samlResponse)) throw invalid('SAMLResponse is not base64');
      const validated = await samlClient(config, deps.clock)
        .validatePostResponseAsync({ SAMLResponse: samlResponse })
        .catch((err: unknown) => {
          throw refusal(err);
        });
      const profile = validated.profile;
      if (!profile?.getAssertionXml || !profile.getSamlResponseXml) throw invalid('the response holds no assertion');
      const facts = readAssertion(profile.getAssertionXml());

      if (facts.issuer !== config.idpEntityId) throw fail('federation.upstream_issuer');
      const destination = attribute(
        parseXmlDocument(profile.getSamlResponseXml(), invalid).documentElement,
        'Destination',
      );
      if (destination !== undefined && destination !== config.acsUrl) throw fail('federation.upstream_recipient');
      const ours = facts.confirmations.filter((c) => c.recipient === config.acsUrl);
      if (ours.length === 0) throw fail('federation.upstream_recipient');
      const now = deps.clock.now().getTime();
      const current = ours.find(
        (c) =>
          c.notOnOrAfter !== undefined &&
          now - SAML_CLOCK_SKEW_MS < c.notOnOrAfter &&
          (c.notBefore === undefined || c.notBefore <= now + SAML_CLOCK_SKEW_MS),
      );
      if (!current) throw fail('federation.upstream_expired');
      const requestId = current.inResponseTo;
      const responseInResponseTo = profile.inResponseTo as string | undefined;
      if (!requestId || (responseInResponseTo !== undefined && responseInResponseTo !== requestId))
        throw fail('federation.upstream_unknown_request');

      const expiresAt = Math.max(current.notOnOrAfter ?? now, facts.conditionsNotOnOrAfter ?? now) + SAML_CLOCK_SKEW_MS;
      const relayState = await deps.transact(async (trx) => {
        const fresh = await deps.assertionsSeen.record(
          { provider: config.name, assertionId: facts.assertionId, expiresAt: new Date(expiresAt) },
          trx,
        );
        if (!fresh) throw fail('federation.upstream_replay');
        const waiting = await deps.requests.consume(config.name, requestId, new Date(now), trx);
        if (waiting === undefined) throw fail('federation.upstream_unknown_request');
        return waiting;
      });
      return { identity: samlIdentity(facts, config.trustEmail), relayState };
    },
  };
}
export type SamlResponseService = ReturnType<typeof createSamlResponseService>;
