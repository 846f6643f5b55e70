import test from 'ava';
import { samlIdentity, type SamlAssertionFacts } from '../../src/services/saml-identity.js';

/* What the usual IdPs send, mapped to an UpstreamIdentity (pure: a table of assertions). */

const AC = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';
const facts = (f: Partial<SamlAssertionFacts>): SamlAssertionFacts => ({
  nameId: 'subject-1',
  attributes: {},
  authnContexts: [],
  ...f,
});

test('Entra ID / ADFS claim URIs give email, names and groups', (t) => {
  const claims = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';
  const identity = samlIdentity(
    facts({
      attributes: {
        [`${claims}emailaddress`]: ['ada@customer.example'],
        [`${claims}givenname`]: ['Ada'],
        [`${claims}surname`]: ['Lovelace'],
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['g1', 'g2'],
        'http://schemas.xmlsoap.org/claims/Group': ['g2', 'Domain Users'],
      },
      authnContexts: [`${AC}PasswordProtectedTransport`],
      sessionIndex: '_s1',
    }),
    true,
  );
  t.deepEqual(identity, {
    subject: 'subject-1',
    email: 'ada@customer.example',
    emailVerified: true,
    givenName: 'Ada',
    familyName: 'Lovelace',
    groups: ['g1', 'g2', 'Domain Users'],
    amr: ['pwd'],
    sessionId: '_s1',
  });
});

test('Okta-style plain attribute names and LDAP OIDs are read too', (t) => {
  const okta = samlIdentity(
    facts({ attributes: { email: ['b@x.example'], firstName: ['Bo'], lastName: ['Bell'], groups: ['Everyone'] } }),
    true,
  );
  t.like(okta, { email: 'b@x.example', givenName: 'Bo', familyName: 'Bell', groups: ['Everyone'] });
  const oids = samlIdentity(
    facts({
      attributes: {
        'urn:oid:0.9.2342.19200300.100.1.3': ['c@x.example'],
        'urn:oid:2.5.4.42': ['Cy'],
        'urn:oid:2.5.4.4': ['Cole'],
      },
    }),
    true,
  );
  t.like(oids, { email: 'c@x.example', givenName: 'Cy', familyName: 'Cole' });
});

test('an emailAddress NameID is the email when no attribute gives one; it is vouched for only when the provider is trusted', (t) => {
  const f = facts({ nameId: 'd@x.example', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' });
  t.like(samlIdentity(f, true), { email: 'd@x.example', emailVerified: true });
  t.like(samlIdentity(f, false), { email: 'd@x.example', emailVerified: false });
  const persistent = samlIdentity(
    facts({ nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' }),
    true,
  );
  t.false('email' in persistent);
  t.false('emailVerified' in persistent);
});

test('empty attribute values are ignored', (t) => {
  const identity = samlIdentity(
    facts({ attributes: { email: [' '], mail: ['e@x.example'], groups: ['', 'g'] } }),
    true,
  );
  t.like(identity, { email: 'e@x.example', groups: ['g'] });
});

test('AuthnContextClassRef and authentication-method claims map to amr; mfa only for an MFA context or a second factor', (t) => {
  const amr = (authnContexts: string[], methods: string[] = []) =>
    samlIdentity(
      facts({
        authnContexts,
        attributes: methods.length ? { 'http://schemas.microsoft.com/claims/authnmethodsreferences': methods } : {},
      }),
      true,
    ).amr;
  t.deepEqual(amr([`${AC}Password`]), ['pwd']);
  t.deepEqual(amr([`${AC}X509`]), ['swk']);
  t.deepEqual(amr(['urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified']), []);
  t.deepEqual(amr(['https://refeds.org/profile/mfa']), ['mfa']);
  t.deepEqual(amr([`${AC}MobileTwoFactorContract`]), ['mfa']);
  // Entra ID: the class says password, the methods claim says a second factor was used.
  t.deepEqual(amr([`${AC}PasswordProtectedTransport`], ['http://schemas.microsoft.com/claims/multipleauthn']), [
    'pwd',
    'mfa',
  ]);
  t.deepEqual(
    amr(
      [],
      [
        'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
        'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/otp',
      ],
    ),
    ['pwd', 'otp', 'mfa'],
  );
  t.deepEqual(amr([`${AC}TimeSyncToken`]), ['otp']);
});
