import type { Db } from '../db/database.js';

export interface ResourceServer {
  indicator: string;
  scopes: string[];
  accessTokenTtl: number | null;
  firstPartyOnly: boolean;
}

export function createResourceServersRepository(db: Db) {
  const toResource = (r: any): ResourceServer => ({
    indicator: r.indicator,
    scopes: r.scopes,
    accessTokenTtl: r.access_token_ttl,
    firstPartyOnly: r.first_party_only,
  });
  return {
    async create(input: ResourceServer): Promise<ResourceServer> {
      const [row] = await db('resource_servers')
        .insert({ indicator: input.indicator, scopes: input.scopes, access_token_ttl: input.accessTokenTtl, first_party_only: input.firstPartyOnly })
        .onConflict('indicator')
        .merge()
        .returning('*');
      return toResource(row);
    },
    async find(indicator: string): Promise<ResourceServer | undefined> {
      const row = await db('resource_servers').where('indicator', indicator).first();
      return row && toResource(row);
    },
  };
}
export type ResourceServersRepository = ReturnType<typeof createResourceServersRepository>;
