import { createAccountClaims } from '../oidc/account-claims.js';
import { createAccessTokensService } from '../services/access-tokens.js';
import { createClientRegistryService } from '../services/client-registry.js';
import { createImpersonationService } from '../services/impersonation.js';
import { createSigningKeysService } from '../services/signing-keys.js';
import { createSecretBox } from '../util/crypto.js';
import { SELF_SERVICE_CLIENT_ID } from '../http/routes/self-service.js';
import { CONSOLE_CLIENT_ID } from '../http/routes/console.js';
import type { Core } from './core.js';
import { createCustomFieldsRepository } from '../repositories/custom-fields.js';

type OidcDeps = Pick<
  Core,
  'config' | 'clock' | 'secret' | 'db' | 'transact' | 'repos' | 'audit' | 'settings' | 'instanceSync'
>;

/** The provider's side: signing keys, access tokens, impersonation, clients, what oidc-provider stores through. */
export function createOidcArea(deps: OidcDeps) {
  const { config, clock, secret, db, transact, repos, audit, settings, instanceSync } = deps;
  const customFields = createCustomFieldsRepository(db);
  const signingKeys = createSigningKeysService({
    keys: repos.signingKeys,
    box: createSecretBox(secret, 'signing-key'),
    transact,
  });
  const accessTokens = createAccessTokensService({ issuer: config.issuer, publicJwks: signingKeys.publicJwks });
  instanceSync.on('signing_keys', () => accessTokens.forgetKeys());
  const impersonation = createImpersonationService({
    transact,
    impersonations: repos.impersonations,
    payloads: repos.payloads,
    audit,
    clock,
    issuer: config.issuer,
    ttlSeconds: () => settings.current().impersonationTtl,
    mfaRequiredRoles: () => settings.current().mfa.requiredRoles,
  });
  const clients = createClientRegistryService({
    transact,
    clients: repos.clients,
    resources: repos.resources,
    payloads: repos.payloads,
    accounts: repos.accounts,
    accountGroups: repos.accountGroups,
    audit,
    clock,
    builtIn: {
      clients: [SELF_SERVICE_CLIENT_ID, CONSOLE_CLIENT_ID],
      // The admin API's and SCIM's resources (wiring/admin.ts, wiring/scim.ts).
      resources: [`${config.issuer}/admin/api`, `${config.issuer}/scim/v2`],
    },
  });
  const oidcStore = {
    payloads: repos.payloads,
    clients: repos.clients,
    resources: repos.resources,
    accounts: createAccountClaims(repos.users),
    /** The custom fields shown as claims (the provider is rebuilt when they change). */
    claimKeys: async () => (await customFields.list()).filter((f) => f.claim).map((f) => f.key),
  };
  return { signingKeys, accessTokens, impersonation, clients, oidcStore };
}
