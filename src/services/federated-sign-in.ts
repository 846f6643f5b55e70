import type { IdentityProvider } from '../domain/identity-provider.js';
import type { UpstreamFailure, SignInAttemptContext, SignInFailure } from '../domain/sign-in-attempt.js';
import type { UpstreamIdentity } from '../domain/upstream-identity.js';
import { highestRole, type User } from '../domain/user.js';
import { createFederatedStrategy, type FederatedInput, type FederatedStrategyDeps } from '../login/federated.js';
import type { InteractionPort, SignInRunner } from '../login/sign-in-runner.js';
import type { IdentityProvidersRepository } from '../repositories/identity-providers.js';
import type { UsersRepository } from '../repositories/users.js';
import type { IdentityService } from './identity.js';

const domainOf = (email: string | null | undefined) => email?.split('@').pop()?.toLowerCase();

/**
 * Sign-in through a customer's identity provider, whatever its protocol: the
 * OIDC callback (routes/federation.ts) and the SAML ACS hand it the provider and
 * the validated `UpstreamIdentity`; it links or provisions the user and runs the
 * sign-in as any other method (login/federated.ts under the runner: throttle,
 * status, expiry, licence, MFA, audit).
 *
 * Linking, in order: the stored link (provider + subject); else an existing user
 * with the email the upstream vouches for (`emailVerified`); else the user whose
 * SCIM `externalId` is the subject. The last two only reach users the provider
 * answers for (an email in one of its verified domains, or a main account attached
 * to it), so one customer's provider cannot sign in another's people. Else, with
 * just-in-time provisioning on, a new user (the provider's role, status, account;
 * upstream groups mapped to roles, admin roles never).
 */
export function createFederatedSignInService(deps: {
  providers: IdentityProvidersRepository;
  users: Pick<UsersRepository, 'findByAnyIdentifier' | 'findById'>;
  identity: Pick<IdentityService, 'create'>;
  runner: SignInRunner;
  /** The sign-in audit (services/sign-in-audit.ts): refusals before a strategy ran. */
  audit: { failed(failure: SignInFailure, context: SignInAttemptContext): Promise<void> };
  credentials: FederatedStrategyDeps['credentials'];
  lockout: FederatedStrategyDeps['lockout'];
  clock: FederatedStrategyDeps['clock'];
}) {
  const { providers } = deps;

  const answersFor = (provider: IdentityProvider, user: User) =>
    provider.domains.some((d) => d.verified && d.domain === domainOf(user.email)) ||
    (user.mainAccountId !== null && provider.accountIds.includes(user.mainAccountId));

  async function provision(provider: IdentityProvider, identity: UpstreamIdentity): Promise<string | undefined> {
    const { jit, mapping } = provider;
    const email = identity.emailVerified ? identity.email : undefined;
    const verifiedDomains = provider.domains.filter((d) => d.verified).map((d) => d.domain);
    if (!jit.enabled || !email) return undefined;
    if (verifiedDomains.length && !verifiedDomains.includes(domainOf(email) ?? '')) return undefined;
    const mapped = identity.groups.flatMap((g) => (mapping.roles[g] ? [mapping.roles[g]] : []));
    const user = await deps.identity.create(
      {
        email,
        givenName: identity.givenName ?? null,
        familyName: identity.familyName ?? null,
        role: highestRole([jit.role, ...mapped]),
        status: jit.status,
        ...((jit.accountId ?? provider.accountIds[0]) && { mainAccountId: jit.accountId ?? provider.accountIds[0] }),
      },
      { type: 'system', name: `federation:${provider.name}` },
      null,
      { inTransaction: (made, trx) => providers.link(provider.id, identity.subject, made.id, trx) },
    );
    return user.id;
  }

  /** An existing user the provider answers for: by the email it vouches for, else by SCIM externalId. */
  async function existingUser(provider: IdentityProvider, identity: UpstreamIdentity): Promise<User | undefined> {
    const byEmail =
      identity.emailVerified && identity.email ? await deps.users.findByAnyIdentifier(identity.email) : undefined;
    if (byEmail && answersFor(provider, byEmail)) return byEmail;
    const externalId = await providers.userByExternalId(identity.subject);
    const byExternalId = externalId ? await deps.users.findById(externalId) : undefined;
    return byExternalId && answersFor(provider, byExternalId) ? byExternalId : undefined;
  }

  async function resolve({ provider, identity }: FederatedInput): Promise<string | undefined> {
    let userId = await providers.linkedUser(provider.id, identity.subject);
    if (!userId) {
      const existing = await existingUser(provider, identity);
      if (existing) await providers.link(provider.id, identity.subject, existing.id);
      userId = existing?.id ?? (await provision(provider, identity));
    }
    if (userId) await providers.touchLink(provider.id, identity.subject);
    return userId;
  }

  const strategy = createFederatedStrategy({
    resolve,
    credentials: deps.credentials,
    lockout: deps.lockout,
    clock: deps.clock,
  });

  return {
    strategy,
    /**
     * Signs in the person `identity` names through `provider` on the sign-in `port`:
     * the step that follows (`done`, or Gatehouse's own second factor), or the refusal.
     * Throws as a password attempt does (status refusals, throttling).
     */
    signIn: (port: InteractionPort, provider: IdentityProvider, identity: UpstreamIdentity) =>
      deps.runner.attempt(port, strategy, { provider, identity }),
    /** Records a refusal that came before any identity (the upstream's error, a failed validation). */
    refused: (port: Pick<InteractionPort, 'context'>, provider: IdentityProvider, reason: UpstreamFailure) =>
      deps.audit.failed({ reason, factor: 'federation', identifier: provider.name }, port.context),
    /** Records a password refused unchecked: the email's domain belongs to a required provider. */
    passwordRefused: (port: Pick<InteractionPort, 'context'>, identifier: string) =>
      deps.audit.failed({ reason: 'federation_required', factor: 'password', identifier }, port.context),
  };
}
export type FederatedSignInService = ReturnType<typeof createFederatedSignInService>;
