import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { ClientsRepository } from '../repositories/clients.js';
import type { ResourceServer, ResourceServersRepository } from '../repositories/resource-servers.js';
import { randomToken } from '../util/crypto.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const;

export interface NewClient {
  clientId: string;
  name?: string;
  /** Generated when a confidential client is given none. */
  secret?: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes: string[];
  isPublic: boolean;
  firstParty: boolean;
  /** A registered resource server's indicator: the client is that API and may introspect the tokens issued for it. */
  resourceServer?: string;
}

/** OIDC clients as operators register them (CLI and admin API): checked, stored, audited; the secret shown once. */
export function createClientRegistryService(deps: {
  clients: ClientsRepository;
  resources: ResourceServersRepository;
  audit: AuditService;
}) {
  return {
    list: () => deps.clients.list(),

    /** A resource server, stored as given (the CLI's `resource create`). */
    registerResource: (input: ResourceServer) => deps.resources.create(input),

    async register(input: NewClient, actor: Actor, ip: string | null = null) {
      const { clientId, grantTypes, redirectUris, isPublic } = input;
      assertThat(/^[\w.:-]{1,128}$/.test(clientId), fail('client.invalid', { problem: 'client_id' }));
      assertThat(!(await deps.clients.exists(clientId)), fail('client.exists', { clientId }));
      for (const g of grantTypes)
        assertThat(
          (GRANT_TYPES as readonly string[]).includes(g),
          fail('client.invalid', { problem: 'grant_type', grantType: g, allowed: GRANT_TYPES }),
        );
      for (const u of [...redirectUris, ...(input.postLogoutRedirectUris ?? [])])
        assertThat(URL.canParse(u), fail('client.invalid', { problem: 'not_a_url', url: u }));
      const interactive = grantTypes.includes('authorization_code');
      assertThat(!interactive || redirectUris.length > 0, fail('client.invalid', { problem: 'needs_redirect_uri' }));
      assertThat(!(isPublic && input.secret), fail('client.invalid', { problem: 'public_with_secret' }));
      assertThat(
        !(isPublic && grantTypes.includes('client_credentials')),
        fail('client.invalid', { problem: 'public_client_credentials' }),
      );
      const resourceServer = input.resourceServer ?? null;
      if (resourceServer !== null) {
        assertThat(!isPublic, fail('client.invalid', { problem: 'public_resource_server' }));
        assertThat(
          Boolean(await deps.resources.find(resourceServer)),
          fail('client.invalid', { problem: 'unknown_resource_server', indicator: resourceServer }),
        );
      }
      const secret = isPublic ? null : (input.secret ?? randomToken(32));
      const metadata: Record<string, unknown> = {
        client_name: input.name ?? clientId,
        grant_types: grantTypes,
        response_types: interactive ? ['code'] : [],
        redirect_uris: redirectUris,
        token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
        ...(input.postLogoutRedirectUris?.length ? { post_logout_redirect_uris: input.postLogoutRedirectUris } : {}),
      };
      await deps.clients.save(clientId, metadata, secret, input.firstParty, resourceServer);
      await deps.audit.record({
        actor,
        ip,
        action: 'client.created',
        targetType: 'client',
        targetId: clientId,
        changes: {
          grantTypes: [null, grantTypes],
          firstParty: [null, input.firstParty],
          ...(resourceServer ? { resourceServer: [null, resourceServer] } : {}),
        },
      });
      return {
        client_id: clientId,
        ...(secret ? { client_secret: secret } : {}),
        first_party: input.firstParty,
        ...(resourceServer ? { resource_server: resourceServer } : {}),
        ...metadata,
      };
    },
  };
}
export type ClientRegistryService = ReturnType<typeof createClientRegistryService>;
