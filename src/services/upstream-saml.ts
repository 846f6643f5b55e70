import type { IdentityProvider } from '../domain/identity-provider.js';
import type { UpstreamIdentity } from '../domain/upstream-identity.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { OutboundHttpService } from './outbound-http.js';
import type { SamlMetadataParser } from './identity-providers.js';
import type { SamlAuthnRequestService } from './saml-authn-request.js';
import { fetchSamlIdpMetadata, parseSamlIdpMetadata } from './saml-idp-metadata.js';
import { samlProviderConfig } from './saml-provider-config.js';

/**
 * Upstream SAML 2.0 as the federated sign-in uses it: the provider's SAML
 * configuration, the start (an AuthnRequest whose RelayState, stored with it,
 * names the waiting sign-in), the identity an answer gives as Gatehouse trusts it
 * (an email counts as verified only in one of the provider's verified domains,
 * as for OIDC), and the metadata reader of `idp create`.
 */
export function createUpstreamSamlService(deps: {
  authnRequests: SamlAuthnRequestService;
  acsUrl: (name: string) => string;
  outbound: OutboundHttpService;
}) {
  const configOf = (provider: IdentityProvider) => samlProviderConfig(provider, deps.acsUrl(provider.name));

  const metadata: SamlMetadataParser = async (source) => {
    const read =
      'xml' in source ? parseSamlIdpMetadata(source.xml) : await fetchSamlIdpMetadata(deps.outbound, source.url);
    return { entityId: read.idpEntityId, ssoUrl: read.ssoUrl, certificates: read.signingCerts };
  };

  return {
    configOf,
    metadata,

    /** The URL of the AuthnRequest that starts the sign-in `relayState` names. */
    async start(provider: IdentityProvider, relayState: string): Promise<string> {
      const config = configOf(provider);
      assertThat(config, () => fail('federation.unknown_provider'));
      return deps.authnRequests.redirect(config, relayState);
    },

    /** `identity` with its email vouched for only inside the provider's verified domains. */
    trusted(provider: IdentityProvider, identity: UpstreamIdentity): UpstreamIdentity {
      const email = identity.email?.toLowerCase();
      const inVerifiedDomain = provider.domains.some((d) => d.verified && email?.endsWith(`@${d.domain}`));
      return { ...identity, email, emailVerified: Boolean(identity.emailVerified) && inVerifiedDomain };
    },
  };
}
export type UpstreamSamlService = ReturnType<typeof createUpstreamSamlService>;
