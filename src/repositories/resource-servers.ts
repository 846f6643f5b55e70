import type { Db, Executor } from '../db/database.js';
import { createTtlCache } from '../util/ttl-cache.js';
import { announced } from './change-notices.js';

export interface ResourceServer {
  indicator: string;
  scopes: string[];
  accessTokenTtl: number | null;
  firstPartyOnly: boolean;
}

/** A row of `resource_servers`. */
interface ResourceServerRow {
  indicator: string;
  scopes: string[];
  access_token_ttl: number | null;
  first_party_only: boolean;
}

/**
 * Resource servers (APIs). `find` runs on every token request: cached for `cacheMs`;
 * every write is announced to every instance in its transaction (they `forget` it).
 */
export function createResourceServersRepository(db: Db, cacheMs = 10_000) {
  const cache = createTtlCache<ResourceServer>(cacheMs);
  const changing = async <T>(indicator: string, trx: Executor, write: (trx: Executor) => Promise<T>): Promise<T> => {
    const result = await announced(trx, { topic: 'resource_server', key: indicator }, write);
    cache.delete(indicator);
    return result;
  };
  const toResource = (r: ResourceServerRow): ResourceServer => ({
    indicator: r.indicator,
    scopes: r.scopes,
    accessTokenTtl: r.access_token_ttl,
    firstPartyOnly: r.first_party_only,
  });
  return {
    async create(input: ResourceServer, trx: Executor = db): Promise<ResourceServer> {
      const [row] = await changing(input.indicator, trx, (t) =>
        t('resource_servers')
          .insert({
            indicator: input.indicator,
            scopes: input.scopes,
            access_token_ttl: input.accessTokenTtl,
            first_party_only: input.firstPartyOnly,
          })
          .onConflict('indicator')
          .merge()
          .returning('*'),
      );
      return toResource(row);
    },
    /** One resource server, read (not cached) and locked for the transaction. */
    async lock(indicator: string, trx: Executor): Promise<ResourceServer | undefined> {
      const row = await trx('resource_servers').where('indicator', indicator).forUpdate().first();
      return row && toResource(row);
    },
    async list(): Promise<ResourceServer[]> {
      return ((await db('resource_servers').orderBy('indicator')) as ResourceServerRow[]).map(toResource);
    },
    /** Changes scopes, lifetime or first-party-only; undefined when there is no such resource server. */
    async update(
      indicator: string,
      changes: Partial<Omit<ResourceServer, 'indicator'>>,
      trx: Executor = db,
    ): Promise<ResourceServer | undefined> {
      const [row] = await changing(indicator, trx, (t) =>
        t('resource_servers')
          .where('indicator', indicator)
          .update({
            ...(changes.scopes ? { scopes: changes.scopes } : {}),
            ...(changes.accessTokenTtl !== undefined ? { access_token_ttl: changes.accessTokenTtl } : {}),
            ...(changes.firstPartyOnly !== undefined ? { first_party_only: changes.firstPartyOnly } : {}),
            updated_at: t.fn.now(),
          })
          .returning('*'),
      );
      return row && toResource(row);
    },
    async remove(indicator: string, trx: Executor = db): Promise<boolean> {
      const n = await changing(indicator, trx, (t) => t('resource_servers').where('indicator', indicator).delete());
      return n > 0;
    },
    /** How many clients are registered as this resource server. */
    async clientCount(indicator: string, trx: Executor = db): Promise<number> {
      const row = await trx('oidc_clients').count({ n: '*' }).where('resource_server', indicator).first();
      return Number(row?.n ?? 0);
    },
    /** Drops this instance's cached copy (after a transaction that changed it commits); of every one without an indicator. */
    forget: (indicator?: string) => (indicator === undefined ? cache.clear() : cache.delete(indicator)),
    find: (indicator: string): Promise<ResourceServer | undefined> =>
      cache.get(indicator, async () => {
        const row = await db('resource_servers').where('indicator', indicator).first();
        return row && toResource(row);
      }),
  };
}
export type ResourceServersRepository = ReturnType<typeof createResourceServersRepository>;
