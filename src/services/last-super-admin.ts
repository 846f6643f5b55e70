import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { Executor } from '../db/database.js';
import { SIGN_IN_STATUSES } from '../policies/status.js';
import type { UserRelationsRepository } from '../repositories/user-relations.js';

/**
 * Run after a write that may take `super_admin` away (roles, main role, a status that
 * may not sign in), in its transaction: someone must be left who can change the
 * security settings, clients and SCIM tokens.
 */
export async function assertSuperAdminRemains(
  relations: Pick<UserRelationsRepository, 'lockedSuperAdminCount'>,
  trx: Executor,
): Promise<void> {
  assertThat((await relations.lockedSuperAdminCount(SIGN_IN_STATUSES, trx)) > 0, fail('user.last_super_admin'));
}
