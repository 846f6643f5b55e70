import test from 'ava';
import type { IdentityProvider } from '../../src/domain/identity-provider.js';
import { DEFAULT_ATTRIBUTE_MAPPING } from '../../src/domain/identity-provider.js';
import type { PasswordCredential, Status } from '../../src/domain/user.js';
import { createFederatedStrategy } from '../../src/login/federated.js';

const NOW = new Date('2026-12-10T10:00:00Z');
const provider = (trustedForMfa: boolean): IdentityProvider => ({
  id: 'p1',
  name: 'acme',
  type: 'oidc',
  displayName: 'Acme',
  logoUrl: null,
  shownPublicly: false,
  required: false,
  trustedForMfa,
  enabled: true,
  domains: [],
  accountIds: [],
  oidc: null,
  saml: null,
  jit: { enabled: false, role: 'individual', status: 'active', accountId: null },
  mapping: DEFAULT_ATTRIBUTE_MAPPING,
  createdAt: NOW,
  updatedAt: NOW,
});

/** The strategy over one user (`u1`) in `status` with `failedAttempts`; what it recorded. */
function strategyFor(facts: { status?: Status; failedAttempts?: number; linked?: boolean } = {}) {
  const recorded: Status[] = [];
  const cred: PasswordCredential = {
    userId: 'u1',
    status: facts.status ?? 'new',
    passwordHash: null,
    failedAttempts: facts.failedAttempts ?? 0,
    lockedUntil: null,
    expiresAt: null,
  };
  const strategy = createFederatedStrategy({
    resolve: async () => (facts.linked === false ? undefined : 'u1'),
    credentials: {
      forVerificationById: async () => cred,
      unlockExpired: async () => undefined,
      recordSuccess: async (_id, status) => recorded.push(status),
    },
    lockout: () => ({ maxAttempts: 5, minutes: 15 }),
    clock: { now: () => NOW },
  });
  return { strategy, recorded };
}
const identity = (amr: string[]) => ({ subject: 's1', groups: [], amr });
const attempt = { ip: null };

test('the upstream’s multi-factor amr adds mfa only when the provider is trusted for it', async (t) => {
  const rows: [boolean, string[], string[]][] = [
    [false, ['mfa'], ['fed']],
    [true, ['pwd'], ['fed']],
    [true, ['mfa'], ['fed', 'mfa']],
    [true, ['pwd', 'otp'], ['fed', 'mfa']],
    [true, ['hwk'], ['fed', 'mfa']],
  ];
  for (const [trusted, upstreamAmr, amr] of rows) {
    const outcome = await strategyFor().strategy.verify(
      { provider: provider(trusted), identity: identity(upstreamAmr) },
      attempt,
    );
    t.deepEqual(outcome, { ok: true, userId: 'u1', amr }, `${trusted} ${upstreamAmr}`);
  }
});

test('nobody linked is refused as upstream_unknown_user; a full password lockout as locked', async (t) => {
  const unknown = await strategyFor({ linked: false }).strategy.verify(
    { provider: provider(false), identity: identity([]) },
    attempt,
  );
  t.like(unknown, { ok: false, code: 'login.upstream_unknown_user', reason: 'upstream_unknown_user' });
  const locked = await strategyFor({ failedAttempts: 5 }).strategy.verify(
    { provider: provider(false), identity: identity([]) },
    attempt,
  );
  t.like(locked, { ok: false, code: 'login.locked', reason: 'locked', userId: 'u1' });
});

test('a sign-in the runner will let through is recorded (new becomes active); a refused status is not', async (t) => {
  const fresh = strategyFor({ status: 'new' });
  await fresh.strategy.verify({ provider: provider(false), identity: identity([]) }, attempt);
  t.deepEqual(fresh.recorded, ['active']);
  const inactive = strategyFor({ status: 'inactive' });
  await inactive.strategy.verify({ provider: provider(false), identity: identity([]) }, attempt);
  t.deepEqual(inactive.recorded, []);
});
