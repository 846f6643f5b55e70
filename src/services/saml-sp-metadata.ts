import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import type { SamlProviderConfig } from '../domain/saml-provider.js';
import { NAME_ID_UNSPECIFIED } from './saml-client.js';

/**
 * Gatehouse's SP metadata for one provider, for its administrator to load in the
 * IdP: our entity id, the ACS URL (HTTP-POST), and that assertions must be signed.
 */
export function samlSpMetadata(config: SamlProviderConfig): string {
  return generateServiceProviderMetadata({
    issuer: config.spEntityId,
    callbackUrl: config.acsUrl,
    identifierFormat: NAME_ID_UNSPECIFIED,
    wantAssertionsSigned: true,
  });
}
