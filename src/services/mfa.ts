import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { failureLocks, lockUntil, type LockoutSettings } from '../policies/lockout.js';
import { evaluateMfaLock } from '../policies/mfa-lockout.js';
import type { MfaAttemptsRepository } from '../repositories/mfa-attempts.js';
import type { MfaFactorsRepository } from '../repositories/mfa-factors.js';
import type { RecoveryCodesRepository } from '../repositories/recovery-codes.js';
import type { TotpFactor, TotpFactorsRepository } from '../repositories/totp-factors.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Clock } from '../util/clock.js';
import type { SecretBox } from '../util/crypto.js';
import { newRecoveryCode, normaliseRecoveryCode, recoveryCodeHasher } from '../util/recovery-code.js';
import { matchTotp, newTotpSecret, totpIssuerLabel, totpUri } from '../util/totp.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import { defined } from '../util/defined.js';

/** The answer to a second-factor check; a lock does not say whether the code was right. */
export type MfaCheck = { ok: true } | { ok: false; code: 'mfa.invalid_code' | 'mfa.locked' };

export interface MfaDeps {
  transact: Transact;
  totp: TotpFactorsRepository;
  recoveryCodes: RecoveryCodesRepository;
  attempts: MfaAttemptsRepository;
  factors: MfaFactorsRepository;
  /** Names the account of a pending enrolment shown again. */
  users: Pick<UsersRepository, 'findById'>;
  audit: AuditService;
  clock: Clock;
  /** `createSecretBox(secret, 'totp-secret')`: TOTP secrets at rest, each bound to its user id. */
  totpBox: SecretBox;
  /** `deriveKey(secret, 'recovery-code')`: the HMAC key of recovery codes. */
  recoveryCodeKey: Buffer;
  /** The public issuer URL: names the account in authenticator apps. */
  issuer: string;
  /** `{ maxAttempts: MFA_MAX_ATTEMPTS, minutes: LOCKOUT_MINUTES }` (0 minutes: locked until an MFA reset). */
  lockout: () => LockoutSettings;
}

export const RECOVERY_CODE_COUNT = 10;

const OK: MfaCheck = { ok: true };
const INVALID: MfaCheck = { ok: false, code: 'mfa.invalid_code' };
const LOCKED: MfaCheck = { ok: false, code: 'mfa.locked' };

/**
 * Second factors: TOTP enrolment and checks, recovery codes, the MFA failure pool
 * every check goes through (`guard`), and the operator's reset.
 *
 * Raises `mfa.totp_exists` (409) when enrolling over a confirmed authenticator, and
 * `mfa.totp_unreadable` (500) when a stored secret cannot be opened (another
 * GATEHOUSE_SECRET, or a row moved to another user). Secrets and codes never reach
 * the audit log.
 */
export function createMfaService(deps: MfaDeps) {
  const { totp, recoveryCodes, attempts, factors, audit, clock, transact } = deps;
  const issuerLabel = totpIssuerLabel(deps.issuer);
  const hashRecoveryCode = recoveryCodeHasher(deps.recoveryCodeKey);
  const self = (userId: string): Actor => ({ type: 'user', id: userId });

  const enrolment = async (secret: string, accountName: string) => {
    const uri = totpUri(issuerLabel, accountName, secret);
    const { default: QRCode } = await import('qrcode'); // on first use: the CLI never needs it
    return { secret, uri, qrDataUrl: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2 }) };
  };

  function openSecret(factor: TotpFactor): string {
    try {
      return deps.totpBox.open(factor.secretSealed, factor.userId);
    } catch {
      throw fail('mfa.totp_unreadable');
    }
  }

  /**
   * The MFA failure pool around one check:
   *
   *   reserve a slot (atomic) ─ none ▶ timed lock ran out? lift it, reserve again ─ none ▶ locked
   *   attempt ─ right ▶ free the counter (unless later slots failed meanwhile) ▶ ok
   *           └ wrong (or threw) ▶ last slot? lock for lockout.minutes, audit ▶ invalid
   */
  async function guard(userId: string, ip: string | null, attempt: () => Promise<boolean>): Promise<MfaCheck> {
    const settings = deps.lockout();
    const now = clock.now();
    let slot = await attempts.reserve(userId, settings.maxAttempts);
    if (slot === null && (await attempts.unlockExpired(userId, now)))
      slot = await attempts.reserve(userId, settings.maxAttempts);
    if (slot === null) return LOCKED;

    let ok = false;
    try {
      ok = await attempt();
    } finally {
      if (!ok && failureLocks(slot, settings)) {
        await attempts.lock(userId, lockUntil(settings, now));
        await audit.record({
          actor: { type: 'system' },
          action: 'user.mfa_locked',
          targetType: 'user',
          targetId: userId,
          ip,
          details: { failedAttempts: slot },
        });
      }
    }
    if (!ok) return INVALID;
    await attempts.reset(userId, slot);
    return OK;
  }

  return {
    guard,

    async summary(
      userId: string,
    ): Promise<{ totp: boolean; passkeys: number; recoveryCodesLeft: number; locked: boolean }> {
      const s = await factors.summary(userId);
      const locked = evaluateMfaLock(s, deps.lockout(), clock.now()) === 'locked';
      return { totp: s.totp, passkeys: s.passkeys, recoveryCodesLeft: s.recoveryCodesLeft, locked };
    },

    /** A new secret, pending until a code confirms it; replaces an earlier pending one. */
    async startTotpEnrolment(
      userId: string,
      accountName: string,
    ): Promise<{ secret: string; uri: string; qrDataUrl: string }> {
      const secret = newTotpSecret();
      const stored = await totp.startPending(userId, deps.totpBox.seal(secret, userId));
      assertThat(stored, fail('mfa.totp_exists'));
      return enrolment(secret, accountName);
    },

    /**
     * The pending enrolment again (after a wrong code), named by the user's email
     * or userCode; undefined when none is pending.
     */
    async currentTotpEnrolment(
      userId: string,
    ): Promise<{ secret: string; uri: string; qrDataUrl: string } | undefined> {
      const factor = await totp.forVerification(userId);
      if (!factor || factor.confirmedAt) return undefined;
      const user = await deps.users.findById(userId);
      return user && enrolment(openSecret(factor), user.email ?? user.userCode);
    },

    /** A code of the pending secret confirms it; its time step counts as used. */
    confirmTotpEnrolment(userId: string, code: string, ip: string | null): Promise<MfaCheck> {
      return guard(userId, ip, async () => {
        const factor = await totp.forVerification(userId);
        if (!factor || factor.confirmedAt) return false;
        const step = await matchTotp(openSecret(factor), code, clock.now(), null);
        if (step === null) return false;
        return transact(async (trx) => {
          if (!(await totp.confirm(userId, factor.secretSealed, step, trx))) return false;
          await audit.record(
            { actor: self(userId), action: 'mfa.totp_enrolled', targetType: 'user', targetId: userId, ip },
            trx,
          );
          return true;
        });
      });
    },

    /** A code of the current step, or one step either side, not used before (nor older than one used). */
    verifyTotp(userId: string, code: string, ip: string | null): Promise<MfaCheck> {
      return guard(userId, ip, async () => {
        const factor = await totp.forVerification(userId);
        if (!factor?.confirmedAt) return false;
        const step = await matchTotp(openSecret(factor), code, clock.now(), factor.lastStep);
        return step !== null && (await totp.acceptStep(userId, step));
      });
    },

    async removeTotp(userId: string, actor: Actor): Promise<void> {
      await transact(async (trx) => {
        if (await totp.remove(userId, trx))
          await audit.record({ actor, action: 'mfa.totp_removed', targetType: 'user', targetId: userId }, trx);
      });
    },

    /** Ten new codes, shown once; the old ones stop working. */
    async newRecoveryCodes(userId: string, actor: Actor): Promise<string[]> {
      const codes = new Set<string>();
      while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
      const list = [...codes];
      await transact(async (trx) => {
        await recoveryCodes.replace(
          userId,
          list.map((c) => hashRecoveryCode(defined(normaliseRecoveryCode(c), 'a new recovery code'))),
          trx,
        );
        await audit.record(
          {
            actor,
            action: 'mfa.recovery_codes_created',
            targetType: 'user',
            targetId: userId,
            details: { count: list.length },
          },
          trx,
        );
      });
      return list;
    },

    /** Each code works once; case, dashes and spaces do not matter. */
    useRecoveryCode(userId: string, code: string, ip: string | null): Promise<MfaCheck> {
      return guard(userId, ip, async () => {
        const normalised = normaliseRecoveryCode(code);
        if (!normalised) return false;
        return transact(async (trx) => {
          if (!(await recoveryCodes.consume(userId, hashRecoveryCode(normalised), trx))) return false;
          await audit.record(
            { actor: self(userId), action: 'mfa.recovery_code_used', targetType: 'user', targetId: userId, ip },
            trx,
          );
          return true;
        });
      });
    },

    /** Removes every factor and clears the MFA counter and lock: the user enrols again. */
    async reset(userId: string, actor: Actor, ip: string | null = null): Promise<void> {
      await transact(async (trx) => {
        const removed = await factors.removeAll(userId, trx);
        await attempts.clear(userId, trx);
        await audit.record(
          { actor, ip, action: 'mfa.reset', targetType: 'user', targetId: userId, details: { removed } },
          trx,
        );
      });
    },
  };
}
export type MfaService = ReturnType<typeof createMfaService>;
