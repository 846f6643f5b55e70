import test from 'ava';
import type { SignInFailure } from '../../src/domain/sign-in-attempt.js';
import type { Status, User } from '../../src/domain/user.js';
import { AppError } from '../../src/errors/app-error.js';
import { errorMessage, fail } from '../../src/errors/codes.js';
import type { PendingSignIn } from '../../src/login/sign-in-flow.js';
import { createSignInRunner, type InteractionPort } from '../../src/login/sign-in-runner.js';
import type { SignInStrategy, StrategyOutcome } from '../../src/login/strategy.js';

/** The runner with plain fakes: no koa, no oidc-provider, no database, a fixed clock. */
const NOW = new Date('2026-01-01T00:00:00Z');

function setup(
  options: {
    status?: Status;
    totp?: boolean;
    pending?: PendingSignIn;
    throttled?: boolean;
    expiresAt?: Date;
    licensed?: boolean;
  } = {},
) {
  const recorded: {
    failed: SignInFailure[];
    succeeded: unknown[];
    throttled: string[];
    kept: unknown[];
    expired: string[];
  } = {
    failed: [],
    succeeded: [],
    throttled: [],
    kept: [],
    expired: [],
  };
  const port: InteractionPort = {
    pending: options.pending,
    acrValues: [],
    context: { ip: '10.0.0.1', userAgent: null, clientId: 'client-1' },
    expiresAt: NOW.getTime() / 1000 + 600,
    remember: async (pending, ttl) => void recorded.kept.push({ pending, ttl }),
    finish: async (login, ttl) => void recorded.kept.push({ login, ttl }),
  };
  const runner = createSignInRunner({
    facts: {
      forUser: async (id) => ({
        user: {
          id,
          status: options.status ?? 'active',
          mainRole: 'individual',
          expiresAt: options.expiresAt ?? null,
        } as User,
        roleNames: [],
        totp: options.totp ?? false,
        passkeys: 0,
        licensed: options.licensed ?? true,
      }),
    },
    mfaSettings: () => ({ requiredRoles: [] }),
    audit: {
      succeeded: async (s) => void recorded.succeeded.push(s),
      failed: async (f) => void recorded.failed.push(f),
    },
    throttle: {
      async guard(who, attempt, result) {
        if (options.throttled) throw fail('rate_limit.exceeded', { retryAfterSeconds: 60 });
        const outcome = await attempt();
        recorded.throttled.push(`${who.identifier}:${result(outcome)}`);
        return outcome;
      },
    },
    clock: { now: () => NOW },
    expire: async (userId) => void recorded.expired.push(userId),
  });
  return { runner, port, recorded };
}

const strategy = (
  id: SignInStrategy<string>['id'],
  steps: SignInStrategy<string>['steps'],
  outcome: StrategyOutcome,
): SignInStrategy<string> => ({
  id,
  amr: outcome.ok ? outcome.amr : [],
  steps,
  identifier: (input) => input,
  verify: async () => outcome,
});
const password = (outcome: StrategyOutcome) => strategy('password', ['first'], outcome);
const totp = (outcome: StrategyOutcome) => strategy('totp', ['verify'], outcome);

test('a password alone finishes the sign-in: amr pwd, acr loa:1, the interaction kept until it expires', async (t) => {
  const { runner, port, recorded } = setup();
  t.deepEqual(await runner.attempt(port, password({ ok: true, userId: 'u1', amr: ['pwd'] }), 'ann@example.com'), {
    ok: true,
    next: 'done',
  });
  t.deepEqual(recorded.kept, [{ login: { accountId: 'u1', amr: ['pwd'], acr: 'urn:gatehouse:loa:1' }, ttl: 600 }]);
  t.deepEqual(recorded.succeeded, [{ userId: 'u1', amr: ['pwd'] }]);
  t.deepEqual(recorded.throttled, ['ann@example.com:ok']);
});

test('a password with a second factor waits for it; the code then finishes with pwd + otp', async (t) => {
  const first = setup({ totp: true });
  t.deepEqual(await first.runner.attempt(first.port, password({ ok: true, userId: 'u1', amr: ['pwd'] }), 'ann'), {
    ok: true,
    next: 'verify',
  });
  t.deepEqual(first.recorded.kept, [{ pending: { userId: 'u1', amr: ['pwd'], need: 'verify' }, ttl: 600 }]);

  const second = setup({ totp: true, pending: { userId: 'u1', amr: ['pwd'], need: 'verify' } });
  t.deepEqual(await second.runner.attempt(second.port, totp({ ok: true, userId: 'u1', amr: ['otp'] }), '123456'), {
    ok: true,
    next: 'done',
  });
  t.deepEqual(second.recorded.kept, [
    { login: { accountId: 'u1', amr: ['pwd', 'otp'], acr: 'urn:gatehouse:loa:2' }, ttl: 600 },
  ]);
  t.deepEqual(second.recorded.throttled, ['user:u1:ok'], 'the second step is throttled per user');
});

test('a refusal is recorded with the strategy as factor; only a wrong secret counts against the throttle', async (t) => {
  const { runner, port, recorded } = setup({ pending: { userId: 'u1', amr: ['pwd'], need: 'verify' } });
  const wrong = totp({ ok: false, code: 'mfa.invalid_code', reason: 'mfa_failed', userId: 'u1' });
  const locked = totp({ ok: false, code: 'mfa.locked', reason: 'locked', userId: 'u1' });
  t.deepEqual(await runner.attempt(port, wrong, '000000'), { ok: false, code: 'mfa.invalid_code' });
  t.deepEqual(await runner.attempt(port, locked, '000000'), { ok: false, code: 'mfa.locked' });
  t.deepEqual(recorded.throttled, ['user:u1:failed', 'user:u1:other']);
  t.deepEqual(
    recorded.failed.map((f) => [f.reason, f.userId, f.factor]),
    [
      ['mfa_failed', 'u1', 'totp'],
      ['locked', 'u1', 'totp'],
    ],
  );
  t.deepEqual(recorded.kept, []);
});

test('a password begins a new sign-in even while a second step waits', async (t) => {
  const { runner, port, recorded } = setup({ pending: { userId: 'u1', amr: ['pwd'], need: 'verify' } });
  t.deepEqual(await runner.attempt(port, password({ ok: true, userId: 'u2', amr: ['pwd'] }), 'bob'), {
    ok: true,
    next: 'done',
  });
  t.deepEqual(recorded.succeeded, [{ userId: 'u2', amr: ['pwd'] }]);
});

test('a throttled attempt is recorded and the RetryLater goes on to the page', async (t) => {
  const { runner, port, recorded } = setup({ throttled: true });
  await t.throwsAsync(runner.attempt(port, password({ ok: true, userId: 'u1', amr: ['pwd'] }), 'ann'), {
    message: /Too many attempts/,
  });
  t.deepEqual(recorded.failed, [{ reason: 'throttled', userId: undefined, identifier: 'ann', factor: 'password' }]);
});

test('a user whose status forbids signing in is refused after the factor, 403 with the status code', async (t) => {
  const { runner, port, recorded } = setup({ status: 'inactive' });
  const passkey = strategy('passkey', ['first', 'verify'], { ok: true, userId: 'u1', amr: ['hwk', 'user'] });
  const err = await t.throwsAsync(runner.attempt(port, passkey, 'assertion'), { instanceOf: AppError });
  t.is(err?.status, 403);
  t.is(err?.message, errorMessage('login.inactive'));
  t.deepEqual(recorded.failed, [{ reason: 'status_inactive', userId: 'u1', factor: 'passkey' }]);
  t.deepEqual(recorded.kept, []);
});

test('an account whose end has come is refused as inactive after the factor, and made inactive', async (t) => {
  const { runner, port, recorded } = setup({ expiresAt: NOW });
  const passkey = strategy('passkey', ['first', 'verify'], { ok: true, userId: 'u1', amr: ['hwk', 'user'] });
  const err = await t.throwsAsync(runner.attempt(port, passkey, 'assertion'), { instanceOf: AppError });
  t.is(err?.message, errorMessage('login.inactive'));
  t.deepEqual(recorded.expired, ['u1']);
  t.deepEqual(recorded.failed, [{ reason: 'expired', userId: 'u1', factor: 'passkey' }]);
  t.deepEqual(recorded.kept, []);

  const later = setup({ expiresAt: new Date(NOW.getTime() + 1000) });
  t.deepEqual(await later.runner.attempt(later.port, password({ ok: true, userId: 'u1', amr: ['pwd'] }), 'ann'), {
    ok: true,
    next: 'done',
  });
  t.deepEqual(later.recorded.expired, [], 'an end still to come changes nothing');
});

test('a user without a licence required to sign in is refused after the factor, 403 login.no_licence', async (t) => {
  const { runner, port, recorded } = setup({ licensed: false });
  const passkey = strategy('passkey', ['first', 'verify'], { ok: true, userId: 'u1', amr: ['hwk', 'user'] });
  const err = await t.throwsAsync(runner.attempt(port, passkey, 'assertion'), { instanceOf: AppError });
  t.is(err?.status, 403);
  t.is(err?.message, errorMessage('login.no_licence'));
  t.deepEqual(recorded.failed, [{ reason: 'no_licence', userId: 'u1', factor: 'passkey' }]);
  t.deepEqual(recorded.kept, [], 'nothing finished, nothing kept');
});
