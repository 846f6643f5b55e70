import { createScimAuthService } from '../services/scim-auth.js';
import { createScimBulkService } from '../services/scim-bulk.js';
import { createScimGroupsService } from '../services/scim-groups.js';
import { createScimSearchService } from '../services/scim-search.js';
import { createScimUsersService } from '../services/scim-users.js';
import type { Core } from './core.js';
import { createCustomFieldsRepository } from '../repositories/custom-fields.js';
import { createUserRecordService } from '../services/user-record.js';
import type { createOidcArea } from './oidc.js';
import type { createSignInArea } from './sign-in.js';

type ScimDeps = Pick<Core, 'config' | 'log' | 'db' | 'transact' | 'repos' | 'audit' | 'settings'> &
  Pick<ReturnType<typeof createSignInArea>, 'identity' | 'hasher'> &
  Pick<ReturnType<typeof createOidcArea>, 'accessTokens'>;

/** The SCIM endpoint's services: users, groups, search across both, bulk, token auth. */
export function createScimArea(deps: ScimDeps) {
  const { config, log, db, transact, repos, audit, settings, identity, hasher, accessTokens } = deps;
  const scimBaseUrl = `${config.issuer}/scim/v2`;
  const scimUsers = createScimUsersService({
    transact,
    users: repos.users,
    directory: repos.directory,
    credentials: repos.credentials,
    accounts: repos.accounts,
    relations: repos.relations,
    identity,
    hasher,
    audit,
    baseUrl: scimBaseUrl,
    record: createUserRecordService({
      fields: createCustomFieldsRepository(db),
      requiredFields: () => settings.current().requiredFields,
    }),
  });
  const scimGroups = createScimGroupsService({ transact, groups: repos.groups, audit, baseUrl: scimBaseUrl });
  return {
    baseUrl: scimBaseUrl,
    users: scimUsers,
    groups: scimGroups,
    searchAll: createScimSearchService({ User: scimUsers, Group: scimGroups }),
    bulk: createScimBulkService({
      users: scimUsers,
      groups: scimGroups,
      maxOperations: config.scim.maxOperations,
      onFault: (err, op) => log.error({ err, method: op.method, path: op.path }, 'scim.bulk_operation_failed'),
    }),
    auth: createScimAuthService({ tokens: repos.scimTokens, resource: scimBaseUrl, accessTokens, audit }),
  };
}
