import type { UpstreamIdentity } from '../domain/upstream-identity.js';

/** What a validated assertion says, as `saml-response.ts` reads it from the signed XML. */
export interface SamlAssertionFacts {
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  /** Attribute name → its values (strings only; empty and structured values dropped). */
  attributes: Record<string, string[]>;
  /** Every AuthnContextClassRef of the assertion's AuthnStatements. */
  authnContexts: string[];
}

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';
const MS_CLAIMS = 'http://schemas.microsoft.com/ws/2008/06/identity/';
const AC = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';

/**
 * Where the usual IdPs put each fact, first match wins: plain names (Okta, Google,
 * Shibboleth's friendly names), the WS-Federation claim URIs (Entra ID, ADFS) and
 * the LDAP OIDs (eduPerson, Shibboleth).
 */
const ATTRIBUTE_NAMES = {
  email: ['email', 'mail', 'emailAddress', `${CLAIMS}emailaddress`, 'urn:oid:0.9.2342.19200300.100.1.3'],
  givenName: ['givenName', 'firstName', 'given_name', `${CLAIMS}givenname`, 'urn:oid:2.5.4.42'],
  familyName: ['sn', 'surname', 'lastName', 'family_name', `${CLAIMS}surname`, 'urn:oid:2.5.4.4'],
  groups: [
    'groups',
    'group',
    'memberOf',
    `${MS_CLAIMS}claims/groups`,
    'http://schemas.microsoft.com/claims/groups',
    'http://schemas.xmlsoap.org/claims/Group',
    'urn:oid:1.3.6.1.4.1.5923.1.5.1.1',
  ],
  /** Entra ID and ADFS name the methods used in this claim besides (or instead of) the AuthnContextClassRef. */
  methods: ['http://schemas.microsoft.com/claims/authnmethodsreferences'],
} as const;

/** AuthnContextClassRef and authentication-method URIs → RFC 8176 `amr` values. */
const AMR: Record<string, readonly string[]> = {
  [`${AC}Password`]: ['pwd'],
  [`${AC}PasswordProtectedTransport`]: ['pwd'],
  [`${AC}TimeSyncToken`]: ['otp'],
  [`${AC}Smartcard`]: ['sc'],
  [`${AC}SmartcardPKI`]: ['sc'],
  [`${AC}X509`]: ['swk'],
  [`${AC}TLSClient`]: ['swk'],
  [`${AC}MobileTwoFactorContract`]: ['mfa'],
  [`${AC}MobileTwoFactorUnregistered`]: ['mfa'],
  'https://refeds.org/profile/mfa': ['mfa'],
  'http://schemas.microsoft.com/claims/multipleauthn': ['mfa'],
  [`${MS_CLAIMS}authenticationmethod/password`]: ['pwd'],
  [`${MS_CLAIMS}authenticationmethod/x509`]: ['swk'],
  [`${MS_CLAIMS}authenticationmethod/otp`]: ['otp'],
};
/** Methods that are a second factor when a password came first. */
const SECOND_FACTORS = new Set(['otp', 'sc', 'swk', 'hwk']);
const EMAIL_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

const first = (attributes: Record<string, string[]>, names: readonly string[]) =>
  names.map((n) => attributes[n]?.[0]).find((v) => v !== undefined && v.trim() !== '');
const all = (attributes: Record<string, string[]>, names: readonly string[]) => [
  ...new Set(names.flatMap((n) => attributes[n] ?? []).filter((v) => v.trim() !== '')),
];

/** The amr of these methods: each mapped, and `mfa` when the person also gave a second factor after a password. */
function amrOf(methods: readonly string[]): string[] {
  const amr = new Set(methods.flatMap((m) => AMR[m] ?? []));
  if (amr.has('pwd') && [...amr].some((m) => SECOND_FACTORS.has(m))) amr.add('mfa');
  return [...amr];
}

/**
 * The UpstreamIdentity of a validated assertion: the NameID as subject; email,
 * names and groups from the first attribute that holds them; the email (or an
 * emailAddress NameID) vouched for only when the provider is trusted for it.
 */
export function samlIdentity(facts: SamlAssertionFacts, trustEmail: boolean): UpstreamIdentity {
  const { attributes } = facts;
  const email =
    first(attributes, ATTRIBUTE_NAMES.email) ?? (facts.nameIdFormat === EMAIL_NAME_ID ? facts.nameId : undefined);
  const givenName = first(attributes, ATTRIBUTE_NAMES.givenName);
  const familyName = first(attributes, ATTRIBUTE_NAMES.familyName);
  return {
    subject: facts.nameId,
    ...(email === undefined ? {} : { email, emailVerified: trustEmail }),
    ...(givenName === undefined ? {} : { givenName }),
    ...(familyName === undefined ? {} : { familyName }),
    groups: all(attributes, ATTRIBUTE_NAMES.groups),
    amr: amrOf([...facts.authnContexts, ...all(attributes, ATTRIBUTE_NAMES.methods)]),
    ...(facts.sessionIndex === undefined ? {} : { sessionId: facts.sessionIndex }),
  };
}
