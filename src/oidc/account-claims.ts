import type { User } from '../domain/user.js';
import { displayName } from '../domain/user.js';
import { maySignIn } from '../policies/status.js';
import type { UsersRepository } from '../repositories/users.js';

export interface RoleClaims {
  roles: string[];
  main_role: string;
  main_account_id: string | null;
}

/**
 * What tokens say about a user. A user who may not sign in (inactive, locked,
 * deleted …) is not found, so refresh, userinfo and code exchange all fail.
 */
export function createAccountClaims(users: UsersRepository) {
  async function roleClaims(user: User): Promise<RoleClaims> {
    const assignments = await users.roleAssignments(user.id);
    return {
      roles: [...new Set([user.mainRole, ...assignments.map((a) => a.role)])],
      main_role: user.mainRole,
      main_account_id: user.mainAccountId,
    };
  }

  async function findActive(id: string): Promise<User | undefined> {
    const user = await users.findById(id);
    return user && maySignIn(user.status) ? user : undefined;
  }

  return {
    findActive,
    roleClaims,
    async claims(user: User) {
      return {
        sub: user.id,
        email: user.email ?? undefined,
        name: displayName(user),
        given_name: user.givenName ?? undefined,
        middle_name: user.middleName ?? undefined,
        family_name: user.familyName ?? undefined,
        preferred_username: user.userCode,
        locale: user.preferredLanguage ?? undefined,
        zoneinfo: user.timezone ?? undefined,
        updated_at: Math.floor(user.updatedAt.getTime() / 1000),
        ...(await roleClaims(user)),
      };
    },
  };
}
export type AccountClaims = ReturnType<typeof createAccountClaims>;
