import type { ActingAdmin } from '../domain/impersonation.js';
import type { User } from '../domain/user.js';
import { displayName } from '../domain/user.js';
import { maySignIn } from '../policies/status.js';
import type { UsersRepository } from '../repositories/users.js';

export interface RoleClaims {
  roles: string[];
  main_role: string;
  main_account_id: string | null;
}

/** What token issuance knows about a user: read once per request. */
export interface AccountFacts {
  user: User;
  roleNames: string[];
  /** Set while an admin acts as this user (token exchange or interactive impersonation). */
  impersonation?: ActingAdmin;
}

/**
 * What tokens say about a user. A user who may not sign in (inactive, locked,
 * deleted …) is not found, so refresh, userinfo and code exchange all fail.
 */
export function createAccountClaims(users: UsersRepository) {
  /** RFC 8693 `act`: the admin acting as the user. */
  const actClaim = ({ impersonation }: AccountFacts) => (impersonation ? { sub: impersonation.actorId } : undefined);

  function roleClaims({ user, roleNames }: AccountFacts): RoleClaims {
    return {
      roles: [...new Set([user.mainRole, ...roleNames])],
      main_role: user.mainRole,
      main_account_id: user.mainAccountId,
    };
  }

  return {
    roleClaims,
    actClaim,
    async findActive(id: string): Promise<AccountFacts | undefined> {
      const facts = await users.findWithRoleNames(id);
      return facts && maySignIn(facts.user.status) ? facts : undefined;
    },
    /** `customClaims`: the keys of the custom fields shown as claims (profile scope), values from the user record. */
    claims(facts: AccountFacts, customClaims: readonly string[] = []) {
      const { user } = facts;
      return {
        ...Object.fromEntries(
          customClaims.flatMap((k) => (user.customAttributes[k] === undefined ? [] : [[k, user.customAttributes[k]]])),
        ),
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
        ...roleClaims(facts),
        act: actClaim(facts),
      };
    },
  };
}
export type AccountClaims = ReturnType<typeof createAccountClaims>;
