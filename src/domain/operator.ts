import type { Actor } from './actor.js';
import type { Role } from './user.js';
import type { UserScope } from './user-scope.js';

/** What an admin may do, and whom it reaches (policies/permissions.ts decides both). */
export interface AdminPowers {
  /** The role that gives the caller power. */
  role: Role;
  scope: UserScope;
}

/** Someone changing the directory: who (for the audit), from where, with which powers. */
export interface Operator {
  actor: Actor;
  ip: string | null;
  powers: AdminPowers;
}
