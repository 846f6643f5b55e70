import type { Role } from './user.js';

/** A client acting on its own at the admin API: one role, and for a manager the accounts it manages. */
export interface ServiceAccount {
  role: Role;
  accountIds: readonly string[];
  accountGroupIds: readonly string[];
}

/** Why a client may not be a service account (a `client.invalid` problem): policies/service-account.ts decides. */
export type ServiceAccountProblem =
  | 'service_account_role'
  | 'service_account_public'
  | 'service_account_grant'
  | 'service_account_scope'
  | 'service_account_no_scope';
