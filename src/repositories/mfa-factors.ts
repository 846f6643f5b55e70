import type { Db, Executor } from '../db/database.js';

export interface MfaFactorSummary {
  /** A confirmed TOTP factor (a pending enrolment does not count). */
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
  lockedUntil: Date | null;
  failedAttempts: number;
}

/** A user's second factors across kinds: what they have, and removing them all. */
export function createMfaFactorsRepository(db: Db) {
  return {
    /** One statement; an unknown user has nothing. */
    async summary(userId: string, trx: Executor = db): Promise<MfaFactorSummary> {
      const { rows } = (await trx.raw(
        `SELECT u.mfa_failed_attempts, u.mfa_locked_until,
                EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS totp,
                (SELECT count(*) FROM webauthn_credentials w WHERE w.user_id = u.id)::int AS passkeys,
                (SELECT count(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL)::int AS recovery_codes_left
           FROM users u WHERE u.id = ?`,
        [userId],
      )) as {
        rows: {
          mfa_failed_attempts: number;
          mfa_locked_until: Date | null;
          totp: boolean;
          passkeys: number;
          recovery_codes_left: number;
        }[];
      };
      const r = rows[0];
      if (!r) return { totp: false, passkeys: 0, recoveryCodesLeft: 0, lockedUntil: null, failedAttempts: 0 };
      return {
        totp: r.totp === true,
        passkeys: Number(r.passkeys),
        recoveryCodesLeft: Number(r.recovery_codes_left),
        lockedUntil: r.mfa_locked_until ? new Date(r.mfa_locked_until) : null,
        failedAttempts: Number(r.mfa_failed_attempts),
      };
    },

    /** Deletes every factor of the user (TOTP, passkeys and their challenges, recovery codes); inside a transaction. */
    async removeAll(userId: string, trx: Executor): Promise<{ totp: number; passkeys: number; recoveryCodes: number }> {
      const totp = await trx('totp_factors').where('user_id', userId).delete();
      const passkeys = await trx('webauthn_credentials').where('user_id', userId).delete();
      await trx('webauthn_challenges').where('user_id', userId).delete();
      const recoveryCodes = await trx('recovery_codes').where('user_id', userId).delete();
      return { totp, passkeys, recoveryCodes };
    },
  };
}
export type MfaFactorsRepository = ReturnType<typeof createMfaFactorsRepository>;
