import { ACR_MFA, acrFor, type AuthMethod } from '../domain/authentication.js';
import type { SignInAttemptContext, SignInFailure, SignInSuccess } from '../domain/sign-in-attempt.js';
import type { Role, User } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { RetryLater } from '../errors/retry-later.js';
import { mfaRequirement } from '../policies/mfa-requirement.js';
import { maySignIn, STATUS_RULES } from '../policies/status.js';
import { evaluateExpiry } from '../policies/expiry.js';
import type { Clock } from '../util/clock.js';
import { nextStep, type PendingSignIn, type SignInStep } from './sign-in-flow.js';
import type { RefusalCode, SignInStrategy, StrategyOutcome } from './strategy.js';

/** The sign-in in progress, as the runner sees it (http/sign-in.ts adapts oidc-provider's interaction). */
export interface InteractionPort {
  /** The sign-in waiting on a further step, if any. */
  readonly pending: PendingSignIn | undefined;
  /** The `acr_values` the client asked for. */
  readonly acrValues: readonly string[];
  /** Where the attempt comes from, for the audit log and the throttle. */
  readonly context: SignInAttemptContext;
  /** When the interaction expires (seconds since the epoch): what it keeps lives as long. */
  readonly expiresAt: number;
  /** Keeps the sign-in waiting on its next step. */
  remember(pending: PendingSignIn, ttlSeconds: number): Promise<void>;
  /** Ends the sign-in: the authorization resumes, signed in as `accountId`. */
  finish(login: { accountId: string; amr: AuthMethod[]; acr: string }, ttlSeconds: number): Promise<void>;
}

export interface SignInRunnerDeps {
  /** The user, their role names and their second factors (repositories/sign-in-facts.ts). */
  facts: {
    forUser(
      userId: string,
    ): Promise<{ user: User; roleNames: string[]; totp: boolean; passkeys: number; licensed: boolean } | undefined>;
  };
  mfaSettings: () => { requiredRoles: readonly Role[] };
  /** services/sign-in-audit.ts */
  audit: {
    succeeded(success: SignInSuccess, context: SignInAttemptContext): Promise<void>;
    failed(failure: SignInFailure, context: SignInAttemptContext): Promise<void>;
  };
  /** The sign-in throttle (services/rate-limits.ts): every attempt goes through it. */
  throttle: {
    guard<T>(
      who: { ip: string; identifier?: string },
      attempt: () => Promise<T>,
      result: (outcome: T) => 'ok' | 'failed' | 'other',
    ): Promise<T>;
  };
  clock: Clock;
  /** Makes inactive a user whose account has ended (services/user-expiry.ts `expire`). */
  expire: (userId: string) => Promise<unknown>;
}

/** The method that named the user, as the audit log names it. */
const firstFactor = (amr: readonly AuthMethod[]) =>
  amr.includes('pwd') ? 'password' : amr.includes('fed') ? 'federation' : 'passkey';

/** What an attempt came to: the step that follows (`done`: the authorization resumes), or the refusal's code. */
export type AttemptOutcome = { ok: true; next: SignInStep | 'done' } | { ok: false; code: RefusalCode };

/** Refusals the throttle counts: a wrong secret. A lock or a status refusal is not the throttle's business. */
const WRONG_SECRET = new Set<RefusalCode>(['login.invalid_credentials', 'mfa.invalid_code', 'passkey.invalid']);
const throttleResult = (outcome: StrategyOutcome) =>
  outcome.ok ? 'ok' : WRONG_SECRET.has(outcome.code) ? 'failed' : 'other';

/**
 * The sign-in runner. An attempt runs a strategy under the throttle; a refusal
 * is recorded (`signin.failed`); a success decides the next step (sign-in-flow.ts)
 * and keeps it, with the methods done so far, on the interaction until the last
 * one: then the sign-in is recorded (`signin.succeeded`) and finished.
 *
 *   attempt ─ throttled ▶ signin.failed throttled, RetryLater thrown
 *           ├ refused ───▶ signin.failed <reason> ▶ { ok: false, code }
 *           └ ok ▶ status may sign in? ─ no ▶ signin.failed status_<status>, AppError thrown
 *                   account ended? ─ yes ▶ made inactive, signin.failed expired, AppError thrown
 *                   licensed? ─ no ─────────▶ signin.failed no_licence, AppError thrown
 *                   └ next step ─ done ▶ signin.succeeded, finish
 *                               └ else ▶ remember
 *
 * A strategy continues the waiting sign-in when it answers its step; otherwise
 * (the password) it begins a new one.
 */
export function createSignInRunner(deps: SignInRunnerDeps) {
  const ttl = (port: InteractionPort) => port.expiresAt - Math.floor(deps.clock.now().getTime() / 1000);

  /** A refused attempt, recorded (`signin.failed`). */
  const refused = (port: InteractionPort, failure: SignInFailure) => deps.audit.failed(failure, port.context);

  /** The sign-in is complete: recorded (`signin.succeeded`), then finished. */
  async function complete(port: InteractionPort, userId: string, amr: AuthMethod[]) {
    await deps.audit.succeeded({ userId, amr }, port.context);
    await port.finish({ accountId: userId, amr, acr: acrFor(amr) }, ttl(port));
  }

  /** After a factor succeeded for `userId`: the step that follows, kept on the interaction. */
  async function step(
    port: InteractionPort,
    userId: string,
    amr: AuthMethod[],
    options: { justEnrolled: boolean },
  ): Promise<SignInStep | 'done'> {
    const facts = await deps.facts.forUser(userId);
    assertThat(facts, () => fail('login.invalid_credentials'));
    // The password step checks the status after a right password; a passkey alone is checked here.
    const { status } = facts.user;
    if (!maySignIn(status)) {
      await refused(port, { reason: `status_${status}`, userId, factor: firstFactor(amr) });
      throw fail(STATUS_RULES[status].reason ?? 'login.not_allowed');
    }
    // An account that has ended is refused as an inactive one, and made inactive.
    if (evaluateExpiry(facts.user, deps.clock.now()) === 'expired') {
      await deps.expire(userId);
      await refused(port, { reason: 'expired', userId, factor: firstFactor(amr) });
      throw fail('login.inactive');
    }
    // A licence type required to sign in, and the user holds none: told after the password, as a status is.
    if (!facts.licensed) {
      await refused(port, { reason: 'no_licence', userId, factor: firstFactor(amr) });
      throw fail('login.no_licence');
    }
    const requested = port.acrValues.includes(ACR_MFA);
    const requirement = mfaRequirement(
      {
        roles: [facts.user.mainRole, ...(facts.roleNames as Role[])],
        hasFactor: facts.totp || facts.passkeys > 0,
        requested,
      },
      deps.mfaSettings(),
    );
    const next = nextStep(amr, requirement, options);
    if (next === 'done') await complete(port, userId, amr);
    else await port.remember({ userId, amr, need: next }, ttl(port));
    return next;
  }

  return {
    complete,

    /** One attempt with `strategy`; throws RetryLater when the throttle refuses it. */
    async attempt<Input>(
      port: InteractionPort,
      strategy: SignInStrategy<Input>,
      input: Input,
    ): Promise<AttemptOutcome> {
      const pending = port.pending && strategy.steps.includes(port.pending.need) ? port.pending : undefined;
      const identifier = pending ? undefined : strategy.identifier?.(input);
      const who = { userId: pending?.userId, identifier, factor: strategy.id };
      const { ip } = port.context;
      let outcome: StrategyOutcome;
      try {
        outcome = await deps.throttle.guard(
          { ip: ip ?? '', identifier: pending ? `user:${pending.userId}` : identifier },
          () => strategy.verify(input, { userId: pending?.userId, ip }),
          throttleResult,
        );
      } catch (err) {
        if (err instanceof RetryLater && err.status === 429) await refused(port, { reason: 'throttled', ...who });
        throw err;
      }
      if (!outcome.ok) {
        await refused(port, { ...who, reason: outcome.reason, userId: outcome.userId ?? pending?.userId });
        return { ok: false, code: outcome.code };
      }
      const amr = [...(pending?.amr ?? []), ...outcome.amr];
      return { ok: true, next: await step(port, outcome.userId, amr, { justEnrolled: pending?.need === 'enrol' }) };
    },
  };
}
export type SignInRunner = ReturnType<typeof createSignInRunner>;
