import type { Db, Executor } from '../db/database.js';

/** A TOTP factor as its verifier sees it: the sealed secret, never shown to other readers. */
export interface TotpFactor {
  userId: string;
  /** AES-256-GCM (`v1.…`), bound to the user id. */
  secretSealed: string;
  /** Null while enrolment is unfinished. */
  confirmedAt: Date | null;
  /** The last accepted RFC 6238 time step; a code of that step or an older one is refused. */
  lastStep: number | null;
}

/**
 * One TOTP factor per user (`totp_factors`). Every change that guards against a
 * race is a single conditional statement.
 */
/** A row of `totp_factors`; `last_step` is a bigint, read as a string. */
interface TotpFactorRow {
  user_id: string;
  secret_sealed: string;
  confirmed_at?: Date | null;
  last_step?: string | number | null;
}

export function createTotpFactorsRepository(db: Db) {
  const toFactor = (r: TotpFactorRow): TotpFactor => ({
    userId: r.user_id,
    secretSealed: r.secret_sealed,
    confirmedAt: r.confirmed_at ?? null,
    lastStep: r.last_step === null || r.last_step === undefined ? null : Number(r.last_step),
  });

  return {
    /** The factor with its sealed secret, for verification and enrolment only. */
    async forVerification(userId: string, trx: Executor = db): Promise<TotpFactor | undefined> {
      const row = await trx('totp_factors')
        .select('user_id', 'secret_sealed', 'confirmed_at', 'last_step')
        .where('user_id', userId)
        .first();
      return row && toFactor(row);
    },

    /**
     * Stores a pending (unconfirmed) secret, replacing an earlier pending one.
     * False when the user already has a confirmed factor, which is left alone.
     */
    async startPending(userId: string, secretSealed: string, trx: Executor = db): Promise<boolean> {
      const { rows } = (await trx.raw(
        `INSERT INTO totp_factors (user_id, secret_sealed) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE
            SET secret_sealed = excluded.secret_sealed, last_step = NULL, created_at = now()
          WHERE totp_factors.confirmed_at IS NULL
         RETURNING user_id`,
        [userId, secretSealed],
      )) as { rows: unknown[] };
      return rows.length > 0;
    },

    /**
     * Confirms the pending secret that was checked (not one a concurrent enrolment
     * put in its place) and records the step of the code that confirmed it.
     */
    async confirm(userId: string, secretSealed: string, step: number, trx: Executor = db): Promise<boolean> {
      const n = await trx('totp_factors')
        .where({ user_id: userId, secret_sealed: secretSealed })
        .whereNull('confirmed_at')
        .update({ confirmed_at: trx.fn.now(), last_step: step });
      return n > 0;
    },

    /**
     * Accepts a code of time step `step` once: only when no code of that step or a
     * later one was accepted before. Concurrent uses of one code: one wins.
     */
    async acceptStep(userId: string, step: number, trx: Executor = db): Promise<boolean> {
      const n = await trx('totp_factors')
        .where('user_id', userId)
        .whereNotNull('confirmed_at')
        .where((q) => q.whereNull('last_step').orWhere('last_step', '<', step))
        .update({ last_step: step });
      return n > 0;
    },

    async remove(userId: string, trx: Executor = db): Promise<boolean> {
      return (await trx('totp_factors').where('user_id', userId).delete()) > 0;
    },
  };
}
export type TotpFactorsRepository = ReturnType<typeof createTotpFactorsRepository>;
