import type { Db, Executor } from '../db/database.js';
import type { ServiceAccount } from '../domain/service-account.js';
import type { Role } from '../domain/user.js';
import { constantTimeEqual, hashToken, type SecretBox } from '../util/crypto.js';
import { createTtlCache } from '../util/ttl-cache.js';
import { announced } from './change-notices.js';

export interface ClientRecord {
  clientId: string;
  metadata: Record<string, unknown>;
  firstParty: boolean;
  hasSecret: boolean;
  /** The resource server (indicator) this client is, whose tokens it may introspect. */
  resourceServer: string | null;
  /** The admin role the client acts with on its own (client credentials), if it is a service account. */
  serviceAccount: ServiceAccount | null;
  /** Until when the secret before the last rotation is still accepted (null: it is not). */
  previousSecretExpiresAt: Date | null;
}

/** A client as registered: its secret in the clear (sealed on the way in). */
export interface NewClientRow {
  clientId: string;
  metadata: Record<string, unknown>;
  secret: string | null;
  firstParty: boolean;
  resourceServer: string | null;
}

/** What `update` may change of a client (undefined: unchanged). */
export interface ClientChanges {
  metadata?: Record<string, unknown>;
  firstParty?: boolean;
}

type Row = {
  client_id: string;
  metadata: Record<string, unknown>;
  first_party: boolean;
  resource_server: string | null;
  has_secret: boolean;
  service_account_role: Role | null;
  previous_secret_expires_at: Date | string | null;
  account_ids: string[] | null;
  account_group_ids: string[] | null;
};

/**
 * OIDC clients. The secret is sealed with the server secret, bound to the client
 * id; the one before a rotation is kept as a SHA-256 while its grace period lasts.
 * Reads for the provider are cached for `cacheMs` (several per request); every
 * write here forgets the client on this instance and announces the change to every
 * instance in its transaction (they `forget` it once it has committed); a service
 * calls `forget` again once its transaction has committed.
 */
export function createClientsRepository(db: Db, box: SecretBox, cacheMs = 10_000) {
  const cache = createTtlCache<Record<string, unknown>>(cacheMs);
  /** Runs a write of this client in `trx` (or a transaction of its own), announced to every instance. */
  const changing = <T>(clientId: string, trx: Executor, write: (trx: Executor) => Promise<T>): Promise<T> =>
    announced(trx, { topic: 'client', key: clientId }, async (t) => {
      const result = await write(t);
      cache.delete(clientId);
      return result;
    });

  const rowOf = (c: NewClientRow) => ({
    client_id: c.clientId,
    metadata: JSON.stringify(c.metadata),
    secret_encrypted: c.secret ? box.seal(c.secret, c.clientId) : null,
    first_party: c.firstParty,
    resource_server: c.resourceServer,
  });
  const select = (trx: Executor) =>
    trx('oidc_clients as c').select(
      'c.client_id',
      'c.metadata',
      'c.first_party',
      'c.resource_server',
      'c.service_account_role',
      'c.previous_secret_expires_at',
      trx.raw('c.secret_encrypted IS NOT NULL AS has_secret'),
      trx.raw(
        `(SELECT array_agg(s.account_id::text ORDER BY s.account_id) FROM client_managed_scopes s
           WHERE s.client_id = c.client_id AND s.account_id IS NOT NULL) AS account_ids`,
      ),
      trx.raw(
        `(SELECT array_agg(s.account_group_id::text ORDER BY s.account_group_id) FROM client_managed_scopes s
           WHERE s.client_id = c.client_id AND s.account_group_id IS NOT NULL) AS account_group_ids`,
      ),
    );
  const toRecord = (r: Row): ClientRecord => ({
    clientId: r.client_id,
    metadata: r.metadata,
    firstParty: r.first_party,
    hasSecret: r.has_secret,
    resourceServer: r.resource_server,
    serviceAccount: r.service_account_role
      ? { role: r.service_account_role, accountIds: r.account_ids ?? [], accountGroupIds: r.account_group_ids ?? [] }
      : null,
    previousSecretExpiresAt: r.previous_secret_expires_at ? new Date(r.previous_secret_expires_at) : null,
  });

  return {
    /** Inserts, or replaces the client of the same id (the server's own client at start, tests). */
    async save(
      clientId: string,
      metadata: Record<string, unknown>,
      secret: string | null,
      firstParty: boolean,
      resourceServer: string | null = null,
    ): Promise<void> {
      const row = rowOf({ clientId, metadata, secret, firstParty, resourceServer });
      await changing(clientId, db, (trx) =>
        trx('oidc_clients')
          .insert(row)
          .onConflict('client_id')
          .merge({ ...row, updated_at: trx.fn.now() }),
      );
    },
    /** Inserts a new client: one of the same id already there is a unique violation. */
    async insert(client: NewClientRow, trx: Executor): Promise<void> {
      await changing(client.clientId, trx, (t) => t('oidc_clients').insert(rowOf(client)));
    },
    /** Every client, without secrets. */
    async list(): Promise<ClientRecord[]> {
      return ((await select(db).orderBy('c.client_id')) as Row[]).map(toRecord);
    },
    /** One client, without its secret; locked for the transaction when `lock`. */
    async find(clientId: string, trx: Executor = db, lock = false): Promise<ClientRecord | undefined> {
      const query = select(trx).where('c.client_id', clientId);
      const row = (await (lock ? query.forUpdate('c') : query).first()) as Row | undefined;
      return row && toRecord(row);
    },
    async exists(clientId: string): Promise<boolean> {
      return Boolean(await db('oidc_clients').select('client_id').where('client_id', clientId).first());
    },
    async update(clientId: string, changes: ClientChanges, trx: Executor): Promise<void> {
      await changing(clientId, trx, (t) =>
        t('oidc_clients')
          .where('client_id', clientId)
          .update({
            ...(changes.metadata ? { metadata: JSON.stringify(changes.metadata) } : {}),
            ...(changes.firstParty !== undefined ? { first_party: changes.firstParty } : {}),
            updated_at: t.fn.now(),
          }),
      );
    },
    /** Makes the client this service account, or (null) no service account. */
    async setServiceAccount(clientId: string, account: ServiceAccount | null, trx: Executor): Promise<void> {
      await changing(clientId, trx, async (t) => {
        await t('oidc_clients')
          .where('client_id', clientId)
          .update({ service_account_role: account?.role ?? null, updated_at: t.fn.now() });
        await t('client_managed_scopes').where('client_id', clientId).delete();
        const scopes = [
          ...(account?.accountIds ?? []).map((id) => ({ client_id: clientId, account_id: id })),
          ...(account?.accountGroupIds ?? []).map((id) => ({ client_id: clientId, account_group_id: id })),
        ];
        if (scopes.length) await t('client_managed_scopes').insert(scopes);
      });
    },
    /**
     * A new secret (sealed). The one it replaces stays valid until `graceUntil`
     * (kept as a hash), or goes at once (null), as does any older one.
     */
    async rotateSecret(clientId: string, secret: string, graceUntil: Date | null, trx: Executor): Promise<void> {
      const row = await trx('oidc_clients').select('secret_encrypted').where('client_id', clientId).first();
      const previous = graceUntil && row?.secret_encrypted ? box.open(row.secret_encrypted, clientId) : null;
      await changing(clientId, trx, (t) =>
        t('oidc_clients')
          .where('client_id', clientId)
          .update({
            secret_encrypted: box.seal(secret, clientId),
            previous_secret_hash: previous ? hashToken(previous) : null,
            previous_secret_expires_at: previous ? graceUntil : null,
            updated_at: t.fn.now(),
          }),
      );
    },
    /** Whether `secret` is the client's previous secret and its grace period lasts past `now`. */
    async isPreviousSecret(clientId: string, secret: string, now: Date): Promise<boolean> {
      const row = await db('oidc_clients')
        .select('previous_secret_hash', 'previous_secret_expires_at')
        .where('client_id', clientId)
        .first();
      if (!row?.previous_secret_hash || new Date(row.previous_secret_expires_at) <= now) return false;
      return constantTimeEqual(hashToken(secret), row.previous_secret_hash);
    },
    /** Removes the client (its managed scopes go with it). */
    async remove(clientId: string, trx: Executor): Promise<boolean> {
      const n = await changing(clientId, trx, (t) => t('oidc_clients').where('client_id', clientId).delete());
      return n > 0;
    },
    /** Drops this instance's cached copy (after a transaction that changed the client commits); of every client without an id. */
    forget: (clientId?: string) => (clientId === undefined ? cache.clear() : cache.delete(clientId)),
    /** Client metadata as oidc-provider wants it, with the secret opened. */
    findForProvider: (clientId: string): Promise<Record<string, unknown> | undefined> =>
      cache.get(clientId, async () => {
        const row = await db('oidc_clients')
          .select('metadata', 'secret_encrypted', 'first_party', 'resource_server', 'service_account_role')
          .where('client_id', clientId)
          .first();
        if (!row) return undefined;
        return {
          ...row.metadata,
          client_id: clientId,
          first_party: row.first_party,
          ...(row.resource_server ? { resource_server: row.resource_server } : {}),
          ...(row.service_account_role ? { service_account: true } : {}),
          ...(row.secret_encrypted ? { client_secret: box.open(row.secret_encrypted, clientId) } : {}),
        };
      }),
  };
}
export type ClientsRepository = ReturnType<typeof createClientsRepository>;
