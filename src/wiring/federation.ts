import { createFederatedSignInService } from '../services/federated-sign-in.js';
import type { IdentityService } from '../services/identity.js';
import { createIdentityProvidersService, type SamlMetadataParser } from '../services/identity-providers.js';
import { createSignInAuditService } from '../services/sign-in-audit.js';
import { createUpstreamOidcService } from '../services/upstream-oidc.js';
import { createOutboundHttpService } from '../services/outbound-http.js';
import type { SignInRunner } from '../login/sign-in-runner.js';
import { createSecretBox } from '../util/crypto.js';
import type { Core } from './core.js';

type FederationDeps = Pick<
  Core,
  'config' | 'clock' | 'secret' | 'transact' | 'repos' | 'audit' | 'settings' | 'metrics'
> & {
  identity: IdentityService;
  runner: SignInRunner;
  /** Reads SAML IdP metadata (the SAML side: services/saml-*.ts). */
  samlMetadata?: SamlMetadataParser;
};

/** Upstream identity providers: their administration, upstream OpenID Connect, and the federated sign-in. */
export function createFederationArea(deps: FederationDeps) {
  const { config, clock, secret, transact, repos, audit, settings, metrics } = deps;
  // Plain http upstreams only where private addresses are allowed (development and tests).
  const allowHttp = config.outbound.allowPrivate;
  const identityProviders = createIdentityProvidersService({
    transact,
    providers: repos.identityProviders,
    box: createSecretBox(secret, 'idp-secret'),
    audit,
    issuer: config.issuer,
    allowHttp,
    samlMetadata: deps.samlMetadata,
  });
  const upstreamOidc = createUpstreamOidcService({
    secrets: identityProviders.secrets,
    redirectUri: (name) => identityProviders.endpoints(name).redirectUri,
    allowHttp,
    timeoutSeconds: Math.ceil(config.outbound.timeoutMs / 1000),
    fetch: createOutboundHttpService(config.outbound).fetch,
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
    federatedSignIn,
    /** Seals what the browser carries from the start of an upstream sign-in to its callback. */
    transactionBox: createSecretBox(secret, 'federation-state'),
    /** The provider the user last signed in through (the `idp` claim). */
    lastProviderOf: repos.identityProviders.lastProviderOf,
  };
}
export type FederationArea = ReturnType<typeof createFederationArea>;
