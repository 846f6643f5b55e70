/**
 * What Gatehouse knows of one upstream SAML 2.0 identity provider, as the SAML
 * modules need it (`services/saml-*.ts`): the IdP's side, usually read from its
 * metadata, and ours (the SP entity id and ACS URL it posts back to).
 */
export interface SamlProviderConfig {
  /** The provider's name in Gatehouse: `/federation/<name>/acs`. */
  name: string;
  /** The IdP's entity id (its `Issuer`). */
  idpEntityId: string;
  /** Where the AuthnRequest goes (the IdP's SingleSignOnService, HTTP-Redirect binding). */
  ssoUrl: string;
  /** The IdP's signing certificates (base64 DER or PEM): several while it rotates its key. */
  signingCerts: string[];
  /** Our entity id as the IdP knows it; assertions must name it as their audience. */
  spEntityId: string;
  /** Our Assertion Consumer Service URL: `<ISSUER>/federation/<name>/acs`. */
  acsUrl: string;
  /** Whether the IdP vouches for the email it sends (UpstreamIdentity.emailVerified). */
  trustEmail: boolean;
}

/** The IdP's side of the configuration, as its metadata describes it. */
export type SamlIdpMetadata = Pick<SamlProviderConfig, 'idpEntityId' | 'ssoUrl' | 'signingCerts'>;
