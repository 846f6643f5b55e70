import type { AuthMethod } from '../domain/authentication.js';
import type { ErrorCode, LoginCode } from '../errors/codes.js';
import type { SignInFailureReason } from '../domain/sign-in-attempt.js';
import type { SignInStep } from './sign-in-flow.js';

/** What a refused sign-in step tells the person (errors/codes.ts). */
export type RefusalCode = LoginCode | Extract<ErrorCode, 'mfa.invalid_code' | 'mfa.locked' | 'passkey.invalid'>;

/**
 * What a method's check came to. `code` is what the person is told; `reason`
 * is for the audit log only (domain/sign-in-attempt.ts).
 */
export type StrategyOutcome =
  | { ok: true; userId: string; amr: readonly AuthMethod[] }
  | { ok: false; code: RefusalCode; reason: SignInFailureReason; userId?: string };

/**
 * A sign-in method (as kratos's login strategies): the runner (sign-in-runner.ts)
 * throttles it, records its outcome and decides the next step; it never asks
 * which method it runs.
 */
export interface SignInStrategy<Input> {
  /** The method, as the audit log names it (`factor`). */
  readonly id: 'password' | 'passkey' | 'totp' | 'recovery_code' | 'enrolment' | 'federation';
  /** The `amr` values a success yields (RFC 8176). */
  readonly amr: readonly AuthMethod[];
  /**
   * The steps it answers: `first` when it names the user (a sign-in begins with
   * it), and the waiting steps it completes (sign-in-flow.ts).
   */
  readonly steps: readonly ('first' | SignInStep)[];
  /** What was typed to name the user: the throttle's key, kept in the audit log. */
  identifier?(input: Input): string;
  /** The check; `userId` is the user of the sign-in waiting on this step. */
  verify(input: Input, attempt: { userId?: string; ip: string | null }): Promise<StrategyOutcome>;
}

/** A second-factor check through the MFA failure pool (services/mfa.ts `MfaCheck`). */
export type FactorCheck = { ok: true } | { ok: false; code: 'mfa.invalid_code' | 'mfa.locked' };

/** A factor check of the waiting sign-in's user as a strategy outcome; a full MFA pool is `locked`. */
export function factorOutcome(check: FactorCheck, userId: string, amr: readonly AuthMethod[]): StrategyOutcome {
  if (check.ok) return { ok: true, userId, amr };
  return { ok: false, code: check.code, reason: check.code === 'mfa.locked' ? 'locked' : 'mfa_failed', userId };
}

/** A second-factor check of services/mfa.ts. */
export type CodeCheck = (userId: string, code: string, ip: string | null) => Promise<FactorCheck>;

/** A typed code checked for the user of the waiting sign-in (TOTP, recovery code, enrolment): `otp`. */
export function codeStrategy(
  id: SignInStrategy<string>['id'],
  steps: readonly SignInStep[],
  check: CodeCheck,
): SignInStrategy<string> {
  const amr: readonly AuthMethod[] = ['otp'];
  return {
    id,
    amr,
    steps,
    async verify(code, { userId, ip }) {
      if (!userId) throw new Error(`${id} is a second step: it needs the waiting sign-in's user.`);
      return factorOutcome(await check(userId, code, ip), userId, amr);
    },
  };
}
