import type { Logger } from 'pino';
import type { ClientsRepository } from '../repositories/clients.js';
import type { ResourceServersRepository } from '../repositories/resource-servers.js';
import type { UsersRepository } from '../repositories/users.js';
import type { SigningKeysService } from './signing-keys.js';

export interface BuiltInClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes: string[];
}

/** What the server makes at first start, and what it tells the operator is missing. */
export function createBootstrapService(deps: {
  signingKeys: Pick<SigningKeysService, 'ensure'>;
  clients: Pick<ClientsRepository, 'save'>;
  resources: Pick<ResourceServersRepository, 'find' | 'create'>;
  users: Pick<UsersRepository, 'countWithRole'>;
  log: Logger;
  /** Gatehouse's own applications (the self-service pages, the console): public, first-party clients. */
  builtInClients: BuiltInClient[];
  /** Gatehouse's own resources (SCIM, the admin API): tokens for first-party clients only. */
  ownResources: { indicator: string; scope: string }[];
}) {
  return {
    /** Signing keys, Gatehouse's own clients and resources, when missing. */
    async ensure(): Promise<void> {
      const made = await deps.signingKeys.ensure();
      if (made.length) deps.log.info({ kids: made }, 'oidc.keys_created');
      for (const client of deps.builtInClients) {
        await deps.clients.save(
          client.clientId,
          {
            client_name: client.name,
            redirect_uris: client.redirectUris,
            post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
            grant_types: client.grantTypes,
            response_types: ['code'],
            token_endpoint_auth_method: 'none',
          },
          null,
          true,
        );
      }
      for (const { indicator, scope } of deps.ownResources) {
        if (!(await deps.resources.find(indicator)))
          await deps.resources.create({ indicator, scopes: [scope], accessTokenTtl: null, firstPartyOnly: true });
      }
    },

    async warnIfNoSuperAdmin(): Promise<void> {
      if ((await deps.users.countWithRole('super_admin')) > 0) return;
      deps.log.warn(
        'No super admin exists yet. Create the first one with: npm run -s gatehouse -- user create --email admin@example.com --password "<a long password>" --role super_admin --status active',
      );
    },
  };
}
export type BootstrapService = ReturnType<typeof createBootstrapService>;
