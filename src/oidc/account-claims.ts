import type { ActingAdmin } from '../domain/impersonation.js';
import type { RoleAssignment, User } from '../domain/user.js';
import { displayName } from '../domain/user.js';
import { maySignIn } from '../policies/status.js';
import type { UsersRepository } from '../repositories/users.js';

/** The scope that releases the role claims. */
export const ROLES_SCOPE = 'roles';

/** A role assignment scoped to an account or an account group, as tokens carry it. */
export type RoleAssignmentClaim = { role: string; account_id: string } | { role: string; account_group_id: string };

export interface RoleClaims {
  roles: string[];
  main_role: string;
  main_account_id: string | null;
  /** The assignments scoped to an account or account group (the unscoped ones are `roles`). */
  role_assignments?: RoleAssignmentClaim[];
  /** The keys of the licences the user holds. */
  licences?: string[];
}

/** What token issuance knows about a user: read once per request. */
export interface AccountFacts {
  user: User;
  roleNames: string[];
  /** Assignments scoped to an account or account group (read with the user; absent when not read). */
  scopedRoles?: RoleAssignment[];
  /** Licence keys (read with the user; absent when not read). */
  licences?: string[];
  /** False: a licence type is required to sign in and the user holds none. */
  licensed?: boolean;
  /** Set while an admin acts as this user (token exchange or interactive impersonation). */
  impersonation?: ActingAdmin;
}

/**
 * What tokens say about a user. A user who may not sign in (inactive, locked,
 * deleted …, or without a licence required to sign in) is not found, so
 * refresh, userinfo and code exchange all fail.
 */
export function createAccountClaims(users: UsersRepository) {
  /** RFC 8693 `act`: the admin acting as the user. */
  const actClaim = ({ impersonation }: AccountFacts) => (impersonation ? { sub: impersonation.actorId } : undefined);

  function roleClaims({ user, roleNames, scopedRoles, licences }: AccountFacts): RoleClaims {
    return {
      roles: [...new Set([user.mainRole, ...roleNames])],
      main_role: user.mainRole,
      main_account_id: user.mainAccountId,
      ...(scopedRoles && { role_assignments: scopedRoles.flatMap(assignmentClaim) }),
      ...(licences && { licences }),
    };
  }

  return {
    roleClaims,
    actClaim,
    async findActive(id: string): Promise<AccountFacts | undefined> {
      const facts = await users.findWithRoleNames(id);
      return facts && maySignIn(facts.user.status) && facts.licensed ? facts : undefined;
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
        email_verified: user.email ? user.emailVerified : undefined,
        name: displayName(user),
        given_name: user.givenName ?? undefined,
        middle_name: user.middleName ?? undefined,
        family_name: user.familyName ?? undefined,
        preferred_username: user.userCode,
        // The language the user reads (preferredLanguage), else their locale: BCP 47 either way.
        locale: user.preferredLanguage ?? user.locale ?? undefined,
        zoneinfo: user.timezone ?? undefined,
        updated_at: Math.floor(user.updatedAt.getTime() / 1000),
        ...roleClaims(facts),
        act: actClaim(facts),
      };
    },
  };
}
export type AccountClaims = ReturnType<typeof createAccountClaims>;

/** `{"role":"manager","account_id":"…"}` or `{"role":"manager","account_group_id":"…"}`. */
function assignmentClaim(a: RoleAssignment): RoleAssignmentClaim[] {
  if (a.accountId) return [{ role: a.role, account_id: a.accountId }];
  if (a.accountGroupId) return [{ role: a.role, account_group_id: a.accountGroupId }];
  return [];
}
