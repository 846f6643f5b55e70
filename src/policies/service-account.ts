import type { AdminPowers } from '../domain/operator.js';
import type { ServiceAccount, ServiceAccountProblem } from '../domain/service-account.js';
import { adminPowers } from './permissions.js';

/**
 * A service account is a confidential client with the client_credentials grant
 * (Keycloak's "service accounts enabled"), holding one role above `individual`.
 * Only a `manager` names accounts or account groups, and it names at least one:
 * a manager of nothing could do nothing.
 */
export function serviceAccountProblem(
  account: ServiceAccount,
  client: { isPublic: boolean; grantTypes: readonly string[] },
): ServiceAccountProblem | undefined {
  if (account.role === 'individual') return 'service_account_role';
  if (client.isPublic) return 'service_account_public';
  if (!client.grantTypes.includes('client_credentials')) return 'service_account_grant';
  const scoped = account.accountIds.length + account.accountGroupIds.length;
  if (account.role !== 'manager' && scoped > 0) return 'service_account_scope';
  if (account.role === 'manager' && scoped === 0) return 'service_account_no_scope';
  return undefined;
}

/** The powers of a service account: the same table as a person holding the role (and, for a manager, those scopes). */
export function serviceAccountPowers(account: ServiceAccount): AdminPowers {
  return adminPowers(account.role, [
    ...account.accountIds.map((accountId) => ({ role: 'manager' as const, accountId, accountGroupId: null })),
    ...account.accountGroupIds.map((accountGroupId) => ({ role: 'manager' as const, accountId: null, accountGroupId })),
  ]);
}
