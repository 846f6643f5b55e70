import type { AuthMethod } from '../domain/authentication.js';
import { factorOutcome, type FactorCheck, type SignInStrategy } from './strategy.js';

export interface PasskeyStrategyDeps<Response> {
  /** services/passkeys.ts: the WebAuthn assertion checked; with `userId`, it must be one of that user's passkeys. */
  passkeys: {
    authenticate(
      response: Response,
      userId?: string,
    ): Promise<{ ok: true; userId: string; userVerified: boolean } | { ok: false }>;
  };
  /** services/mfa.ts: the MFA failure pool a passkey as second factor counts against. */
  mfa: { guard(userId: string, ip: string | null, attempt: () => Promise<boolean>): Promise<FactorCheck> };
}

/**
 * A passkey or security key (WebAuthn): `hwk`.
 * - Alone, it names its user; an authenticator that verified the person (PIN,
 *   biometrics) adds `user`, which makes two factors.
 * - As the second step it goes through the MFA failure pool, and yields `hwk` only.
 */
export function createPasskeyStrategy<Response>(deps: PasskeyStrategyDeps<Response>): SignInStrategy<Response> {
  const amr: readonly AuthMethod[] = ['hwk'];
  return {
    id: 'passkey',
    amr,
    steps: ['first', 'verify'],
    async verify(response, { userId, ip }) {
      if (userId)
        return factorOutcome(
          await deps.mfa.guard(userId, ip, async () => (await deps.passkeys.authenticate(response, userId)).ok),
          userId,
          amr,
        );
      const outcome = await deps.passkeys.authenticate(response);
      if (!outcome.ok) return { ok: false, code: 'passkey.invalid', reason: 'bad_passkey' };
      return { ok: true, userId: outcome.userId, amr: outcome.userVerified ? [...amr, 'user'] : amr };
    },
  };
}
