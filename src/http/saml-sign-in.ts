import type { UpstreamFailure } from '../domain/sign-in-attempt.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { FederatedSignInService } from '../services/federated-sign-in.js';
import type { HomeRealmService } from '../services/home-realm.js';
import type { UpstreamSamlService } from '../services/upstream-saml.js';
import type { SamlResponseService } from '../services/saml-response.js';
import type { federatedCompletion } from './routes/federation.js';
import type { SamlFederationDeps } from './routes/federation-saml.js';
import { attemptContext } from './sign-in.js';

/**
 * The SAML ACS's sign-in (routes/federation-saml.ts) as the federated sign-in:
 * the answer names the waiting sign-in by the RelayState stored with our request
 * (the IdP's cross-site POST carries no SameSite cookie), then it finishes as an
 * OIDC callback does. A refused answer is audited `signin.failed` with its check
 * as the reason (`upstream_replay` …; an error status from the IdP: `upstream_error`).
 */
export function samlSignIn(deps: {
  homeRealm: Pick<HomeRealmService, 'enabled'>;
  upstreamSaml: Pick<UpstreamSamlService, 'configOf' | 'trusted'>;
  responses: SamlResponseService;
  federatedSignIn: Pick<FederatedSignInService, 'refused'>;
  completion: ReturnType<typeof federatedCompletion>;
}): SamlFederationDeps {
  const enabled = async (name: string) => {
    const provider = await deps.homeRealm.enabled(name);
    assertThat(provider, () => fail('federation.unknown_provider'));
    return provider;
  };
  return {
    findSamlProvider: async (name) => {
      const provider = await deps.homeRealm.enabled(name);
      return provider && deps.upstreamSaml.configOf(provider);
    },
    responses: deps.responses,
    async completeSignIn(config, identity, ctx, relayState) {
      const provider = await enabled(config.name);
      const interaction = await deps.completion.waiting(relayState);
      await deps.completion.finish(ctx, interaction, provider, deps.upstreamSaml.trusted(provider, identity));
    },
    async signInFailed(config, error, ctx) {
      const reason = error.code.replace(/^federation\./, '');
      await deps.federatedSignIn.refused(
        { context: attemptContext(ctx) },
        await enabled(config.name),
        (reason === 'upstream_denied' ? 'upstream_error' : reason) as UpstreamFailure,
      );
    },
  };
}
