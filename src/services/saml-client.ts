import { SAML, ValidateInResponseTo, type SamlConfig } from '@node-saml/node-saml';
import type { SamlProviderConfig } from '../domain/saml-provider.js';
import type { Clock } from '../util/clock.js';

/** The most an IdP's clock may differ from ours: assertion times are judged with this much leeway. */
export const SAML_CLOCK_SKEW_MS = 2 * 60_000;

/** NameIDPolicy: let the IdP choose (Entra ID, Okta and ADFS each have their own default); the subject must be stable. */
export const NAME_ID_UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/**
 * node-saml judging time by the injected clock: every NotBefore / NotOnOrAfter
 * check it makes (Conditions, SubjectConfirmationData) goes through this one method.
 */
class ClockedSaml extends SAML {
  constructor(
    options: SamlConfig,
    private readonly clock: Clock,
  ) {
    super(options);
  }

  protected override checkTimestampsValidityError(
    _nowMs: number,
    notBefore: string,
    notOnOrAfter: string,
    maxTimeLimitMs?: number,
  ): Error | null {
    return super.checkTimestampsValidityError(this.clock.now().getTime(), notBefore, notOnOrAfter, maxTimeLimitMs);
  }
}

/**
 * node-saml set up for one provider, as Gatehouse uses it: an unsigned AuthnRequest
 * over HTTP-Redirect; answers by HTTP-POST with the assertion or the whole response
 * signed by one of the IdP's certificates; audience = our entity id; two minutes of
 * clock skew. InResponseTo, Recipient, Issuer and replay are checked by
 * `saml-response.ts` against the database (node-saml's in-memory request cache stays unused).
 */
export function samlClient(config: SamlProviderConfig, clock: Clock, requestId?: string): SAML {
  return new ClockedSaml(
    {
      entryPoint: config.ssoUrl,
      issuer: config.spEntityId,
      audience: config.spEntityId,
      callbackUrl: config.acsUrl,
      idpCert: config.signingCerts,
      wantAssertionsSigned: false,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
      validateInResponseTo: ValidateInResponseTo.never,
      identifierFormat: NAME_ID_UNSPECIFIED,
      disableRequestedAuthnContext: true,
      ...(requestId ? { generateUniqueId: () => requestId } : {}),
    },
    clock,
  );
}
