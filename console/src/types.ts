/** The admin API's shapes as the console reads them (the server's domain names, one source). */
export { ROLES, STATUSES, type Role, type Status } from '../../src/domain/user.js';
import type { Role, Status } from '../../src/domain/user.js';
import type { AdminAction } from '../../src/policies/permissions.js';
export type { AdminAction };

export interface User {
  id: string;
  userCode: string;
  email: string | null;
  title: string | null;
  givenName: string | null;
  middleName: string | null;
  familyName: string | null;
  displayName: string | null;
  nickName: string | null;
  preferredLanguage: string | null;
  locale: string | null;
  timezone: string | null;
  externalId: string | null;
  status: Status;
  mainAccountId: string | null;
  mainRole: Role;
  directManagerId: string | null;
  tags: string[];
  customAttributes: Record<string, unknown>;
  lastSignInAt: string | null;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  [field: string]: unknown;
}

/** A page of a list: keyset paging. */
export interface Page<T> {
  items: T[];
  total?: number;
  nextCursor: string | null;
}

export interface Permissions {
  role: Role;
  scope: 'all' | 'managed';
  actions: AdminAction[];
}

/** How a person reads a user's name. */
export const nameOf = (u: Pick<User, 'displayName' | 'givenName' | 'familyName' | 'email' | 'userCode'>) =>
  u.displayName || [u.givenName, u.familyName].filter(Boolean).join(' ') || u.email || u.userCode;
