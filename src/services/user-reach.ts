import type { Executor } from '../db/database.js';
import { highestRole, type User } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { mayChange } from '../policies/permissions.js';
import type { UserSearch } from '../repositories/user-search.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Operator } from '../domain/operator.js';

export const userNotFound = () => fail('user.not_found');

/**
 * Finds a user an operator may reach: out of their scope is the same as missing
 * (404); `change` also needs the user's highest role to be at most the
 * operator's (403). With `lock`, the row is locked for the transaction.
 */
export function createUserReachService(deps: { users: UsersRepository; search: UserSearch }) {
  return async function reach(
    id: string,
    by: Operator,
    options: { change: boolean; lock?: boolean; includeDeleted?: boolean },
    trx?: Executor,
  ): Promise<User> {
    const user =
      options.lock && trx
        ? await deps.users.lock(id, trx, { includeDeleted: options.includeDeleted })
        : await deps.users.findById(id, trx);
    assertThat(user && (options.includeDeleted || user.status !== 'deleted'), userNotFound);
    assertThat(await deps.search.inScope(user.id, by.powers.scope, trx), userNotFound);
    if (options.change) {
      const role = highestRole([user.mainRole, ...(await deps.users.roleNames(user.id, trx))]);
      assertThat(
        mayChange(by.powers, role),
        fail('admin_api.forbidden_target', { role: by.powers.role, targetRole: role }),
      );
    }
    return user;
  };
}
export type UserReachService = ReturnType<typeof createUserReachService>;
