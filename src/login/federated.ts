import type { AuthMethod } from '../domain/authentication.js';
import type { IdentityProvider } from '../domain/identity-provider.js';
import type { UpstreamIdentity } from '../domain/upstream-identity.js';
import type { PasswordCredential, Status } from '../domain/user.js';
import { evaluateLockout, type LockoutSettings } from '../policies/lockout.js';
import { maySignIn, statusAfterSignIn } from '../policies/status.js';
import { evaluateExpiry } from '../policies/expiry.js';
import type { Clock } from '../util/clock.js';
import type { SignInStrategy, StrategyOutcome } from './strategy.js';

export interface FederatedInput {
  provider: IdentityProvider;
  identity: UpstreamIdentity;
}

/** Upstream `amr` values (RFC 8176) that mean more than one factor was used there. */
const UPSTREAM_MULTI_FACTOR = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'fpt', 'face', 'iris', 'retina', 'sc']);

export interface FederatedStrategyDeps {
  /** The user the identity belongs to (stored link, verified email, SCIM externalId) or provisions; none: refused. */
  resolve(input: FederatedInput): Promise<string | undefined>;
  /** What the lockout reads and writes (repositories/credentials.ts). */
  credentials: {
    forVerificationById(userId: string): Promise<PasswordCredential | undefined>;
    unlockExpired(userId: string, now: Date): Promise<unknown>;
    recordSuccess(userId: string, nextStatus: Status, rehashed: null): Promise<unknown>;
  };
  lockout: () => LockoutSettings;
  clock: Clock;
}

/**
 * Sign-in through the organisation's identity provider (`fed`), a first factor:
 *
 *   resolve user ─ none (JIT off) ─────────────────────────▶ upstream_unknown_user
 *        │ password lockout in force ───────────────────────▶ locked
 *        └ ok ▶ amr fed (+ mfa when the provider is trusted for MFA and vouched for it)
 *
 * The runner then applies the status, expiry and licence rules and the MFA
 * requirement as after a password.
 */
export function createFederatedStrategy(deps: FederatedStrategyDeps): SignInStrategy<FederatedInput> {
  return {
    id: 'federation',
    amr: ['fed'],
    steps: ['first'],
    identifier: ({ provider, identity }) => `${provider.name}:${identity.subject}`,
    async verify(input): Promise<StrategyOutcome> {
      const userId = await deps.resolve(input);
      if (!userId) return { ok: false, code: 'login.upstream_unknown_user', reason: 'upstream_unknown_user' };
      let cred = await deps.credentials.forVerificationById(userId);
      if (!cred) return { ok: false, code: 'login.upstream_unknown_user', reason: 'upstream_unknown_user' };
      const now = deps.clock.now();
      const state = evaluateLockout(cred, deps.lockout(), now);
      if (state === 'locked') return { ok: false, code: 'login.locked', reason: 'locked', userId };
      if (state === 'expired') {
        await deps.credentials.unlockExpired(userId, now);
        cred = (await deps.credentials.forVerificationById(userId)) ?? cred;
      }
      const vouched = input.identity.amr.some((m) => UPSTREAM_MULTI_FACTOR.has(m));
      const amr: AuthMethod[] = input.provider.trustedForMfa && vouched ? ['fed', 'mfa'] : ['fed'];
      // The status, expiry and licence refusals are the runner's; a sign-in it will let through is recorded
      // (`new` becomes active).
      if (maySignIn(cred.status) && evaluateExpiry(cred, now) !== 'expired')
        await deps.credentials.recordSuccess(userId, statusAfterSignIn(cred.status), null);
      return { ok: true, userId, amr };
    },
  };
}
