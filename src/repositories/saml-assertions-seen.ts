import type { Db, Executor } from '../db/database.js';

/**
 * The ids of assertions accepted from upstream SAML providers, until they expire.
 * `record` is one INSERT … ON CONFLICT DO NOTHING: of two requests carrying the
 * same assertion, exactly one records it.
 */
export function createSamlAssertionsSeenRepository(db: Db) {
  return {
    /** True when the assertion id was new for this provider (now recorded); false for a replay. */
    async record(
      input: { provider: string; assertionId: string; expiresAt: Date },
      trx: Executor = db,
    ): Promise<boolean> {
      const rows = await trx('saml_assertions_seen')
        .insert({ provider: input.provider, assertion_id: input.assertionId, expires_at: input.expiresAt })
        .onConflict(['provider', 'assertion_id'])
        .ignore()
        .returning(['assertion_id']);
      return rows.length === 1;
    },

    /** Forgets assertions that expired (they are refused as expired anyway); answers how many. */
    async purgeExpired(now: Date, trx: Executor = db): Promise<number> {
      return trx('saml_assertions_seen').where('expires_at', '<=', now).delete();
    },
  };
}
export type SamlAssertionsSeenRepository = ReturnType<typeof createSamlAssertionsSeenRepository>;
