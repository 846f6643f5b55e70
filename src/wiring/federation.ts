import { createFederatedSignInService } from '../services/federated-sign-in.js';
import type { IdentityService } from '../services/identity.js';
import { createIdentityProvidersService } from '../services/identity-providers.js';
import { createSignInAuditService } from '../services/sign-in-audit.js';
import { createUpstreamOidcService } from '../services/upstream-oidc.js';
import { createOutboundHttpService } from '../services/outbound-http.js';
import { createSamlAuthnRequestService } from '../services/saml-authn-request.js';
import { createSamlResponseService } from '../services/saml-response.js';
import { createUpstreamSamlService } from '../services/upstream-saml.js';
import type { SignInRunner } from '../login/sign-in-runner.js';
import { createSecretBox } from '../util/crypto.js';
import type { Core } from './core.js';

type FederationDeps = Pick<
  Core,
  'config' | 'clock' | 'secret' | 'transact' | 'repos' | 'audit' | 'settings' | 'metrics'
> & {
  identity: IdentityService;
  runner: SignInRunner;
};

/** Upstream identity providers: their administration, upstream OpenID Connect and SAML, and the federated sign-in. */
export function createFederationArea(deps: FederationDeps) {
  const { config, clock, secret, transact, repos, audit, settings, metrics } = deps;
  // Plain http upstreams only where private addresses are allowed (development and tests).
  const allowHttp = config.outbound.allowPrivate;
  const outbound = createOutboundHttpService(config.outbound);
  const saml = { requests: repos.samlRequests, assertionsSeen: repos.samlAssertionsSeen, clock };
  const upstreamSaml = createUpstreamSamlService({
    authnRequests: createSamlAuthnRequestService(saml),
    acsUrl: (name) => identityProviders.endpoints(name).acsUrl,
    outbound,
  });
  const identityProviders = createIdentityProvidersService({
    transact,
    providers: repos.identityProviders,
    box: createSecretBox(secret, 'idp-secret'),
    audit,
    issuer: config.issuer,
    allowHttp,
    samlMetadata: upstreamSaml.metadata,
  });
  const upstreamOidc = createUpstreamOidcService({
    secrets: identityProviders.secrets,
    redirectUri: (name) => identityProviders.endpoints(name).redirectUri,
    allowHttp,
    timeoutSeconds: Math.ceil(config.outbound.timeoutMs / 1000),
    fetch: outbound.fetch,
  });
  const federatedSignIn = createFederatedSignInService({
    providers: repos.identityProviders,
    users: repos.users,
    identity: deps.identity,
    runner: deps.runner,
    audit: createSignInAuditService({ audit, counted: metrics.signIn }),
    credentials: repos.credentials,
    lockout: () => settings.current().lockout,
    clock,
  });
  return {
    identityProviders,
    upstreamOidc,
    upstreamSaml,
    samlResponses: createSamlResponseService({ ...saml, transact }),
    federatedSignIn,
    /** Seals what the browser carries from the start of an upstream sign-in to its callback. */
    transactionBox: createSecretBox(secret, 'federation-state'),
    /** The provider the user last signed in through (the `idp` claim). */
    lastProviderOf: repos.identityProviders.lastProviderOf,
  };
}
export type FederationArea = ReturnType<typeof createFederationArea>;
