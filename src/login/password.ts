import type { LockoutSettings } from '../policies/lockout.js';
import { evaluateLockout, failureLocks, lockUntil } from '../policies/lockout.js';
import { maySignIn, STATUS_RULES, statusAfterSignIn } from '../policies/status.js';
import { evaluateExpiry } from '../policies/expiry.js';
import type { PasswordCredential, Status } from '../domain/user.js';
import type { Clock } from '../util/clock.js';
import type { LoginCode } from '../errors/codes.js';
import type { SignInStrategy } from './strategy.js';

/**
 * `reason` is for the audit log only (domain/sign-in-attempt.ts): the person sees
 * `code`, the same for every refusal before a correct password.
 */
export type PasswordOutcome =
  | { ok: true; userId: string; amr: ['pwd'] }
  | {
      ok: false;
      code: 'login.invalid_credentials';
      reason: 'unknown_identifier' | 'bad_password' | 'locked';
      userId?: string;
    }
  /** Only after a correct password: the status that forbids signing in. */
  | { ok: false; code: LoginCode; reason: `status_${Status}`; userId: string }
  /** Only after a correct password: the account had ended (it is made inactive). */
  | { ok: false; code: 'login.inactive'; reason: 'expired'; userId: string }
  /** Only after a correct password: the user's organisation requires its own identity provider. */
  | { ok: false; code: 'login.federation_required'; reason: 'federation_required'; userId: string };

export interface PasswordInput {
  /** An email or a User ID. */
  identifier: string;
  password: string;
}

const invalid = (reason: 'unknown_identifier' | 'bad_password' | 'locked', userId?: string) =>
  ({ ok: false, code: 'login.invalid_credentials', reason, ...(userId ? { userId } : {}) }) as const;

/** What the password step reads and writes (repositories/credentials.ts). */
export interface PasswordCredentials {
  forVerification(identifier: string): Promise<PasswordCredential | undefined>;
  forVerificationById(userId: string): Promise<PasswordCredential | undefined>;
  unlockExpired(userId: string, now: Date): Promise<unknown>;
  reserveAttempt(userId: string, max: number): Promise<number | null>;
  lock(userId: string, until: Date | null): Promise<boolean>;
  resetAttempts(userId: string): Promise<unknown>;
  recordSuccess(userId: string, nextStatus: Status, rehashed: string | null): Promise<unknown>;
}

export interface PasswordStrategyDeps {
  credentials: PasswordCredentials;
  /** services/password-hasher.ts */
  hasher: {
    verify(hash: string | null, password: string): Promise<boolean>;
    verifyDummy(password: string): Promise<unknown>;
    needsRehash(hash: string): boolean;
    hash(password: string): Promise<string>;
  };
  /** Records the `user.locked` event (services/audit.ts). */
  audit: {
    record(event: {
      actor: { type: 'system' };
      action: 'user.locked';
      targetType: 'user';
      targetId: string;
      ip: string | null;
      details: { failedAttempts: number };
    }): Promise<unknown>;
  };
  clock: Clock;
  lockout: () => LockoutSettings;
  /** Ends the user's sessions and tokens, when a lock starts. */
  endSessions: (userId: string) => Promise<unknown>;
  /** Makes inactive a user whose account has ended (services/user-expiry.ts `expire`). */
  expire: (userId: string) => Promise<unknown>;
  /** Whether a required identity provider signs the user in (their password is refused): services/home-realm.ts. */
  federationRequired?: (userId: string) => Promise<boolean>;
  /** Tells the user their account is locked (the lock notice mail, sent in the background). */
  notifyLocked?: (userId: string, lock: { attempts: number; until: Date | null }) => void;
}

/**
 * The password step of sign-in, the first factor (`pwd`):
 *
 *   find credential ─ none ─────────────────────────────▶ dummy verify ▶ invalid
 *        │ lock ran out? lift it
 *        │ counter full ───────────────────────────────▶ dummy verify ▶ invalid
 *   reserve attempt (atomic; none left) ─────────────────▶ dummy verify ▶ invalid
 *   verify ─ wrong ▶ (last slot? lock + end sessions) ──▶ invalid
 *        └ right ▶ status may sign in? ─ no ─────────────▶ login.<status>
 *                   account ended (expiresAt)? ─ yes ───▶ made inactive ▶ login.inactive
 *                   a required identity provider? ─ yes ▶ login.federation_required
 *                                       └ no ▶ reset counter, rehash ▶ ok
 */
export function createPasswordStrategy(deps: PasswordStrategyDeps) {
  const { credentials, hasher, clock } = deps;

  async function run(
    credential: PasswordCredential | undefined,
    password: string,
    ip: string | null,
  ): Promise<PasswordOutcome> {
    // Every refusal before a real verification spends the time of one.
    const refuse = (reason: 'unknown_identifier' | 'locked', userId?: string) =>
      hasher.verifyDummy(password).then(() => invalid(reason, userId));
    if (!credential) return refuse('unknown_identifier');
    const settings = deps.lockout();
    const now = clock.now();
    let cred = credential;
    const state = evaluateLockout(cred, settings, now);
    if (state === 'expired') {
      await credentials.unlockExpired(cred.userId, now);
      cred = (await credentials.forVerificationById(cred.userId)) ?? cred;
    } else if (state === 'locked') {
      return refuse('locked', cred.userId);
    }

    const attempt = await credentials.reserveAttempt(cred.userId, settings.maxAttempts);
    if (attempt === null) return refuse('locked', cred.userId);

    if (!(await hasher.verify(cred.passwordHash, password))) {
      const until = lockUntil(settings, now);
      if (failureLocks(attempt, settings) && (await credentials.lock(cred.userId, until))) {
        await deps.audit.record({
          actor: { type: 'system' },
          action: 'user.locked',
          targetType: 'user',
          targetId: cred.userId,
          ip,
          details: { failedAttempts: attempt },
        });
        await deps.endSessions(cred.userId);
        deps.notifyLocked?.(cred.userId, { attempts: attempt, until });
      }
      return invalid('bad_password', cred.userId);
    }

    if (!maySignIn(cred.status)) {
      await credentials.resetAttempts(cred.userId);
      return {
        ok: false,
        code: STATUS_RULES[cred.status].reason ?? 'login.not_allowed',
        reason: `status_${cred.status}`,
        userId: cred.userId,
      };
    }
    if (evaluateExpiry(cred, now) === 'expired') {
      await credentials.resetAttempts(cred.userId);
      await deps.expire(cred.userId);
      return { ok: false, code: 'login.inactive', reason: 'expired', userId: cred.userId };
    }
    if (await deps.federationRequired?.(cred.userId)) {
      await credentials.resetAttempts(cred.userId);
      return { ok: false, code: 'login.federation_required', reason: 'federation_required', userId: cred.userId };
    }
    const rehashed = cred.passwordHash && hasher.needsRehash(cred.passwordHash) ? await hasher.hash(password) : null;
    await credentials.recordSuccess(cred.userId, statusAfterSignIn(cred.status), rehashed);
    return { ok: true, userId: cred.userId, amr: ['pwd'] };
  }

  const strategy: SignInStrategy<PasswordInput> = {
    id: 'password',
    amr: ['pwd'],
    steps: ['first'],
    identifier: (input) => input.identifier,
    /** Sign-in by email or userCode. */
    verify: async ({ identifier, password }, { ip }) =>
      run(identifier ? await credentials.forVerification(identifier) : undefined, password, ip),
  };
  return {
    ...strategy,
    /** Re-authentication of a known user (changing one's own password). */
    verifyUser: async (userId: string, password: string, ip: string | null = null) =>
      run(await credentials.forVerificationById(userId), password, ip),
  };
}
export type PasswordStrategy = ReturnType<typeof createPasswordStrategy>;
