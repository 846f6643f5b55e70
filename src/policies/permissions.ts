import { highestRole, roleRank, type Role, type RoleAssignment } from '../domain/user.js';
import type { AdminPowers } from '../domain/operator.js';

/**
 * SPEC "Who may do what", for the admin API. Each action names the lowest role
 * that may take it; `manager` actions reach only the users a manager manages.
 *
 *   users.read / users.edit        manager (their accounts), hr and above (everyone)
 *   users.status                   hr      deactivate / reactivate
 *   users.identifiers              hr      change a user's email or userCode (the sign-in
 *                                          identifiers: a manager who could would take the
 *                                          account over through "forgot password")
 *   users.password, .invite,       hr      set a password or send a reset link, invite,
 *     .sessions, .employments,             list and end sessions, employments, groups,
 *     .groups, .mfa                        reset second factors
 *   users.create, .bulk, .import,  admin   create, bulk edit, CSV in and out, merge,
 *     .export, .merge, .delete,            delete, anonymise, roles and managed accounts
 *     .anonymise, .roles
 *   directory.read                 manager accounts, account groups and groups
 *   directory.write                admin
 *   audit.read                     admin
 *   settings                       super_admin  (also: grant super_admin)
 */
export const PERMISSIONS = {
  'users.read': 'manager',
  'users.edit': 'manager',
  'users.status': 'hr',
  'users.identifiers': 'hr',
  'users.password': 'hr',
  'users.invite': 'hr',
  'users.sessions': 'hr',
  'users.employments': 'hr',
  'users.groups': 'hr',
  'users.mfa': 'hr',
  'users.create': 'admin',
  'users.bulk': 'admin',
  'users.import': 'admin',
  'users.export': 'admin',
  'users.merge': 'admin',
  'users.delete': 'admin',
  'users.anonymise': 'admin',
  'users.roles': 'admin',
  'directory.read': 'manager',
  'directory.write': 'admin',
  'audit.read': 'admin',
  settings: 'super_admin',
} as const satisfies Record<string, Role>;
export type AdminAction = keyof typeof PERMISSIONS;

/**
 * A caller's power: the highest of their main role and unscoped assignments; an
 * assignment scoped to an account or account group (of `manager` or above) makes
 * them a manager of it. Below `hr`, user actions reach only those scopes.
 */
export function adminPowers(mainRole: Role, assignments: readonly RoleAssignment[]): AdminPowers {
  const scoped = assignments.filter(
    (a) => (a.accountId || a.accountGroupId) && roleRank(a.role) >= roleRank('manager'),
  );
  const unscoped = assignments.filter((a) => !a.accountId && !a.accountGroupId).map((a) => a.role);
  const role = highestRole([mainRole, ...unscoped, ...(scoped.length ? ['manager' as const] : [])]);
  if (roleRank(role) >= roleRank('hr')) return { role, scope: { all: true } };
  return {
    role,
    scope: {
      all: false,
      accountIds: scoped.flatMap((a) => (a.accountId ? [a.accountId] : [])),
      accountGroupIds: scoped.flatMap((a) => (a.accountGroupId ? [a.accountGroupId] : [])),
    },
  };
}

export function mayDo(powers: Pick<AdminPowers, 'role'>, action: AdminAction): boolean {
  return roleRank(powers.role) >= roleRank(PERMISSIONS[action]);
}

/**
 * Whether the caller may change a user who holds `targetRole` (their highest, in
 * any scope): nobody changes someone above them, so only a super admin changes a
 * super admin.
 */
export function mayChange(powers: Pick<AdminPowers, 'role'>, targetRole: Role): boolean {
  return roleRank(targetRole) <= roleRank(powers.role);
}

/** Whether the caller may give a role: up to their own (so `super_admin` only by a super admin). */
export const mayGrant = mayChange;
