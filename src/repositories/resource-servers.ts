import type { Db } from '../db/database.js';
import { createTtlCache } from '../util/ttl-cache.js';

export interface ResourceServer {
  indicator: string;
  scopes: string[];
  accessTokenTtl: number | null;
  firstPartyOnly: boolean;
}

/** Resource servers (APIs). `find` runs on every token request: cached for `cacheMs`. */
/** A row of `resource_servers`. */
interface ResourceServerRow {
  indicator: string;
  scopes: string[];
  access_token_ttl: number | null;
  first_party_only: boolean;
}

export function createResourceServersRepository(db: Db, cacheMs = 10_000) {
  const cache = createTtlCache<ResourceServer>(cacheMs);
  const toResource = (r: ResourceServerRow): ResourceServer => ({
    indicator: r.indicator,
    scopes: r.scopes,
    accessTokenTtl: r.access_token_ttl,
    firstPartyOnly: r.first_party_only,
  });
  return {
    async create(input: ResourceServer): Promise<ResourceServer> {
      const [row] = await db('resource_servers')
        .insert({
          indicator: input.indicator,
          scopes: input.scopes,
          access_token_ttl: input.accessTokenTtl,
          first_party_only: input.firstPartyOnly,
        })
        .onConflict('indicator')
        .merge()
        .returning('*');
      cache.delete(input.indicator);
      return toResource(row);
    },
    find: (indicator: string): Promise<ResourceServer | undefined> =>
      cache.get(indicator, async () => {
        const row = await db('resource_servers').where('indicator', indicator).first();
        return row && toResource(row);
      }),
  };
}
export type ResourceServersRepository = ReturnType<typeof createResourceServersRepository>;
