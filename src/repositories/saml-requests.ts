import type { Db, Executor } from '../db/database.js';

/**
 * The AuthnRequests sent to upstream SAML providers, waiting for their answer. A
 * request is consumed by one DELETE … RETURNING: of two answers naming it, one at
 * most gets it back, and never after it expired.
 */
export function createSamlRequestsRepository(db: Db) {
  return {
    async issue(
      input: { provider: string; requestId: string; relayState: string; expiresAt: Date },
      trx: Executor = db,
    ): Promise<void> {
      await trx('saml_requests').insert({
        provider: input.provider,
        request_id: input.requestId,
        relay_state: input.relayState,
        expires_at: input.expiresAt,
      });
    },

    /** The request's RelayState when it was waiting (it is waiting no more); undefined when unknown or expired. */
    async consume(provider: string, requestId: string, now: Date, trx: Executor = db): Promise<string | undefined> {
      const [row] = await trx('saml_requests')
        .where({ provider, request_id: requestId })
        .where('expires_at', '>', now)
        .delete()
        .returning(['relay_state']);
      return row?.relay_state;
    },

    /** Removes requests that ran out; answers how many. */
    async purgeExpired(now: Date, trx: Executor = db): Promise<number> {
      return trx('saml_requests').where('expires_at', '<=', now).delete();
    },
  };
}
export type SamlRequestsRepository = ReturnType<typeof createSamlRequestsRepository>;
