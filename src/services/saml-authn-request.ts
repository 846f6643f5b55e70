import { randomBytes } from 'node:crypto';
import type { SamlProviderConfig } from '../domain/saml-provider.js';
import type { SamlAssertionsSeenRepository } from '../repositories/saml-assertions-seen.js';
import type { SamlRequestsRepository } from '../repositories/saml-requests.js';
import type { Clock } from '../util/clock.js';
import { samlClient } from './saml-client.js';

/** How long an AuthnRequest waits for its answer: the person may have to sign in and enrol a factor upstream. */
export const SAML_REQUEST_TTL_MS = 30 * 60_000;

/**
 * Starts a sign-in at an upstream SAML provider: an AuthnRequest with a fresh
 * id, remembered with its RelayState until the answer comes back (or it expires),
 * sent by the HTTP-Redirect binding. Each start also forgets the requests and
 * accepted assertion ids that ran out (as passkey challenges are).
 */
export function createSamlAuthnRequestService(deps: {
  requests: SamlRequestsRepository;
  assertionsSeen: SamlAssertionsSeenRepository;
  clock: Clock;
}) {
  return {
    /** The URL to send the browser to; the IdP posts its answer to the provider's ACS URL with `relayState`. */
    async redirect(config: SamlProviderConfig, relayState: string): Promise<string> {
      // An xs:ID starts with a letter or underscore.
      const requestId = `_${randomBytes(20).toString('hex')}`;
      const url = await samlClient(config, deps.clock, requestId).getAuthorizeUrlAsync(relayState, undefined, {});
      const now = deps.clock.now();
      await deps.requests.purgeExpired(now);
      await deps.assertionsSeen.purgeExpired(now);
      await deps.requests.issue({
        provider: config.name,
        requestId,
        relayState,
        expiresAt: new Date(now.getTime() + SAML_REQUEST_TTL_MS),
      });
      return url;
    },
  };
}
export type SamlAuthnRequestService = ReturnType<typeof createSamlAuthnRequestService>;
