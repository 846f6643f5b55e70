/**
 * What a customer's identity provider says of the person who just signed in
 * there (an OpenID Connect ID token and userinfo, or a SAML assertion), already
 * validated and before it is linked to a Gatehouse user. Both federation kinds
 * produce it; the federated sign-in links, provisions and signs in from it alone.
 */
export interface UpstreamIdentity {
  /** The upstream's immutable subject: OIDC `sub`, SAML `NameID`. */
  subject: string;
  email?: string;
  /** Whether the upstream vouches for the email (OIDC `email_verified`; SAML: the provider's setting). */
  emailVerified?: boolean;
  givenName?: string;
  familyName?: string;
  /** Group names as the upstream sends them, before mapping to Gatehouse groups or roles. */
  groups: string[];
  /** How the person authenticated upstream (OIDC `amr`; SAML `AuthnContextClassRef` mapped to RFC 8176 values). */
  amr: string[];
  /** The upstream session, for logout at the upstream (OIDC `sid`, SAML `SessionIndex`). */
  sessionId?: string;
}
