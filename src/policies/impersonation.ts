import { isMultiFactor } from '../domain/authentication.js';
import { highestRole, type Role, type RoleAssignment, type Status } from '../domain/user.js';
import { maySignIn } from './status.js';

/**
 * SPEC "Who may do what" and "Impersonation": who may act as whom.
 *
 * Roles. A user's power to impersonate comes from their main role and their
 * unscoped role assignments (an `admin` of one customer account is not an admin of
 * the platform). A target is protected by the highest of their main role and every
 * assignment, scoped or not (an `individual` who is `admin` of one account is
 * still an admin to impersonate).
 */
export const MAY_ACT_AS: Record<Role, readonly Role[]> = {
  individual: [],
  manager: [],
  hr: [],
  admin: ['individual', 'manager'],
  super_admin: ['individual', 'manager', 'hr', 'admin'],
};

export interface ImpersonationActor {
  id: string;
  status: Status;
  mainRole: Role;
  assignments: readonly Pick<RoleAssignment, 'role' | 'accountId' | 'accountGroupId'>[];
  /** How the actor signed in: the `amr` of their token or session. */
  amr: readonly string[] | undefined;
  /** The actor's token is itself an impersonation token (it has `act`). */
  chained: boolean;
}

export interface ImpersonationTarget {
  id: string;
  status: Status;
  mainRole: Role;
  /** Every role the target holds, in any scope. */
  roleNames: readonly Role[];
}

export interface ImpersonationSettings {
  /** Roles that must sign in with a second factor (MFA_REQUIRED_ROLES). */
  mfaRequiredRoles: readonly Role[];
}

/**
 * Why an impersonation is refused, checked in this order. The first three depend
 * only on the actor, so someone who may not impersonate learns nothing about the
 * target (not even whether it exists).
 */
export type ImpersonationRefusal =
  | 'impersonation.chained' // the actor's token already acts for someone
  | 'impersonation.not_allowed' // the actor may not impersonate anyone, or may not sign in
  | 'impersonation.mfa_required' // the actor's role requires MFA and they signed in without it
  | 'impersonation.unknown_target'
  | 'impersonation.self'
  | 'impersonation.forbidden_target' // the target's role is out of the actor's reach
  | 'impersonation.target_cannot_sign_in';

/** The role that gives the actor power: main role and unscoped assignments. */
export function impersonatorRole(actor: Pick<ImpersonationActor, 'mainRole' | 'assignments'>): Role {
  return highestRole([
    actor.mainRole,
    ...actor.assignments.filter((a) => !a.accountId && !a.accountGroupId).map((a) => a.role),
  ]);
}

/** The role that protects the target: the highest they hold anywhere. */
export function protectedRole(target: Pick<ImpersonationTarget, 'mainRole' | 'roleNames'>): Role {
  return highestRole([target.mainRole, ...target.roleNames]);
}

export function evaluateImpersonation(
  actor: ImpersonationActor,
  target: ImpersonationTarget | undefined,
  settings: ImpersonationSettings,
): ImpersonationRefusal | undefined {
  if (actor.chained) return 'impersonation.chained';
  const reach = MAY_ACT_AS[impersonatorRole(actor)];
  if (!maySignIn(actor.status) || reach.length === 0) return 'impersonation.not_allowed';
  const actorRoles = [actor.mainRole, ...actor.assignments.map((a) => a.role)];
  if (actorRoles.some((r) => settings.mfaRequiredRoles.includes(r)) && !isMultiFactor(actor.amr))
    return 'impersonation.mfa_required';
  if (!target) return 'impersonation.unknown_target';
  if (target.id === actor.id) return 'impersonation.self';
  // Role before status: an admin learns nothing about the status of users out of reach.
  if (!reach.includes(protectedRole(target))) return 'impersonation.forbidden_target';
  if (!maySignIn(target.status)) return 'impersonation.target_cannot_sign_in';
  return undefined;
}
