import type { Db } from '../db/database.js';
import type { SecretBox } from '../util/crypto.js';
import { createTtlCache } from '../util/ttl-cache.js';

export interface ClientRecord {
  clientId: string;
  metadata: Record<string, unknown>;
  firstParty: boolean;
  hasSecret: boolean;
  /** The resource server (indicator) this client is, whose tokens it may introspect. */
  resourceServer: string | null;
}

/**
 * OIDC clients. The secret is sealed with the server secret, bound to the client
 * id. Reads for the provider are cached for `cacheMs` (several per request).
 */
export function createClientsRepository(db: Db, box: SecretBox, cacheMs = 10_000) {
  const cache = createTtlCache<Record<string, unknown>>(cacheMs);
  return {
    /** Inserts, or replaces the client of the same id. */
    async save(
      clientId: string,
      metadata: Record<string, unknown>,
      secret: string | null,
      firstParty: boolean,
      resourceServer: string | null = null,
    ): Promise<ClientRecord> {
      const row = {
        client_id: clientId,
        metadata: JSON.stringify(metadata),
        secret_encrypted: secret ? box.seal(secret, clientId) : null,
        first_party: firstParty,
        resource_server: resourceServer,
      };
      await db('oidc_clients')
        .insert(row)
        .onConflict('client_id')
        .merge({ ...row, updated_at: db.fn.now() });
      cache.delete(clientId);
      return { clientId, metadata, firstParty, hasSecret: Boolean(secret), resourceServer };
    },
    /** Every client, without secrets. */
    async list(): Promise<ClientRecord[]> {
      const rows = await db('oidc_clients')
        .select(
          'client_id',
          'metadata',
          'first_party',
          'resource_server',
          db.raw('secret_encrypted IS NOT NULL AS has_secret'),
        )
        .orderBy('client_id');
      return rows.map((r) => ({
        clientId: r.client_id,
        metadata: r.metadata,
        firstParty: r.first_party,
        hasSecret: r.has_secret,
        resourceServer: r.resource_server,
      }));
    },
    async exists(clientId: string): Promise<boolean> {
      return Boolean(await db('oidc_clients').select('client_id').where('client_id', clientId).first());
    },
    /** Client metadata as oidc-provider wants it, with the secret opened. */
    findForProvider: (clientId: string): Promise<Record<string, unknown> | undefined> =>
      cache.get(clientId, async () => {
        const row = await db('oidc_clients')
          .select('metadata', 'secret_encrypted', 'first_party', 'resource_server')
          .where('client_id', clientId)
          .first();
        if (!row) return undefined;
        return {
          ...row.metadata,
          client_id: clientId,
          first_party: row.first_party,
          ...(row.resource_server ? { resource_server: row.resource_server } : {}),
          ...(row.secret_encrypted ? { client_secret: box.open(row.secret_encrypted, clientId) } : {}),
        };
      }),
  };
}
export type ClientsRepository = ReturnType<typeof createClientsRepository>;
