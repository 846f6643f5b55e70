import type { IdentityProvider } from '../domain/identity-provider.js';
import type { SamlProviderConfig } from '../domain/saml-provider.js';

/**
 * A SAML identity provider as the SAML modules use it (`services/saml-*.ts`):
 * undefined for another kind, or while its IdP side (entity id, SSO URL, a
 * signing certificate) is not known yet.
 */
export function samlProviderConfig(provider: IdentityProvider, acsUrl: string): SamlProviderConfig | undefined {
  const saml = provider.saml;
  if (provider.type !== 'saml' || !saml?.idpEntityId || !saml.ssoUrl || saml.certificates.length === 0)
    return undefined;
  return {
    name: provider.name,
    idpEntityId: saml.idpEntityId,
    ssoUrl: saml.ssoUrl,
    signingCerts: saml.certificates,
    spEntityId: saml.spEntityId,
    acsUrl,
    trustEmail: provider.mapping.trustEmail,
  };
}
