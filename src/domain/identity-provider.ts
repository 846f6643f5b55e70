import type { Role, Status } from './user.js';

export const IDENTITY_PROVIDER_TYPES = ['oidc', 'saml'] as const;
export type IdentityProviderType = (typeof IDENTITY_PROVIDER_TYPES)[number];

/** A provider's name: the path segment of its URLs (`/federation/<name>/callback`). */
export const IDENTITY_PROVIDER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Roles an upstream group may grant (never admin nor super admin: those are given in Gatehouse only). */
export const MAPPABLE_ROLES = ['individual', 'manager', 'hr'] as const satisfies readonly Role[];
export type MappableRole = (typeof MAPPABLE_ROLES)[number];

/** Upstream OpenID Connect: discovery from the issuer; the client secret is sealed at rest and never read back. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: string[];
  /** PKCE (S256) on the authorization request; on by default. */
  pkce: boolean;
  /** Client authentication at the upstream's token endpoint. */
  tokenAuth: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** Whether a client secret is stored (the secret itself is only read to call the upstream). */
  hasClientSecret: boolean;
  /** Whether a private key (JWK) for `private_key_jwt` is stored. */
  hasPrivateKey: boolean;
}

/** SAML 2.0 (the protocol itself: services/saml-*.ts): the IdP from its metadata, Gatehouse as SP. */
export interface SamlSettings {
  metadataUrl: string | null;
  metadataXml: string | null;
  idpEntityId: string | null;
  ssoUrl: string | null;
  /** The IdP's signing certificates (PEM or base64 DER). */
  certificates: string[];
  /** Gatehouse's entity id as this provider knows it (default `<ISSUER>/federation/<name>/metadata`). */
  spEntityId: string;
}

/** Just-in-time provisioning: off by default; on, who a first sign-in creates. */
export interface JitSettings {
  enabled: boolean;
  role: Role;
  status: Status;
  /** The new user's main account (their employer); null: the guest account. */
  accountId: string | null;
}

/**
 * Which upstream claims (OIDC) or attributes (SAML) fill the profile, and which
 * upstream groups grant Gatehouse roles. The defaults are the standard OIDC
 * claims; groups grant nothing until mapped.
 */
export interface AttributeMapping {
  email: string;
  givenName: string;
  familyName: string;
  groups: string;
  /** Upstream group name → role given at provisioning (only `MAPPABLE_ROLES`). */
  roles: Record<string, MappableRole>;
  /**
   * An email in one of the provider's verified domains counts as verified without
   * `email_verified` (Entra ID sends none); off by default.
   */
  trustEmail: boolean;
}

export const DEFAULT_ATTRIBUTE_MAPPING: AttributeMapping = {
  email: 'email',
  givenName: 'given_name',
  familyName: 'family_name',
  groups: 'groups',
  roles: {},
  trustEmail: false,
};

/**
 * A customer's identity provider: how Gatehouse reaches it (`oidc` or `saml`),
 * who uses it (attached accounts, verified email domains), whether they must
 * (`required`: their password sign-in is refused), how its people are linked or
 * provisioned, and whether its MFA counts as Gatehouse's.
 */
export interface IdentityProvider {
  id: string;
  name: string;
  type: IdentityProviderType;
  displayName: string;
  logoUrl: string | null;
  /** A button on the sign-in page for everyone; otherwise reached by email domain only. */
  shownPublicly: boolean;
  required: boolean;
  /** The upstream's `amr` (e.g. `mfa`) satisfies roles that require MFA. */
  trustedForMfa: boolean;
  enabled: boolean;
  /** Email domains whose people it signs in (home-realm discovery), each verified by a super admin. */
  domains: { domain: string; verified: boolean }[];
  /** Accounts (employers) whose people it signs in. */
  accountIds: string[];
  oidc: OidcSettings | null;
  saml: SamlSettings | null;
  jit: JitSettings;
  mapping: AttributeMapping;
  createdAt: Date;
  updatedAt: Date;
}

/** The secrets of an OIDC provider, opened only to call the upstream. */
export interface OidcSecrets {
  clientSecret: string | null;
  /** A private JWK (JSON) for `private_key_jwt`. */
  privateKey: string | null;
}
