export const STATUSES = ['active', 'new', 'import', 'temporary', 'pending', 'inactive', 'locked', 'deleted'] as const;
export type Status = (typeof STATUSES)[number];

/** Lowest to highest. */
export const ROLES = ['individual', 'manager', 'hr', 'admin', 'super_admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleRank = (role: Role) => ROLES.indexOf(role);
export const highestRole = (roles: readonly Role[]): Role =>
  roles.reduce((a, b) => (roleRank(b) > roleRank(a) ? b : a), 'individual');

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A user as every reader sees it: never a hash or a secret. */
export interface User {
  id: string;
  userCode: string;
  email: string | null;
  /** A link sent to the email was used, or an HR system or administrator vouches for it; cleared when the email changes. */
  emailVerified: boolean;
  title: string | null;
  givenName: string | null;
  middleName: string | null;
  familyName: string | null;
  externalId: string | null;
  status: Status;
  mainAccountId: string | null;
  mainRole: Role;
  directManagerId: string | null;
  preferredLanguage: string | null;
  timezone: string | null;
  /** Profile attributes HR systems provision (SCIM core and enterprise). */
  displayName: string | null;
  nickName: string | null;
  nameFormatted: string | null;
  honorificSuffix: string | null;
  jobTitle: string | null;
  userType: string | null;
  locale: string | null;
  profileUrl: string | null;
  employeeNumber: string | null;
  costCenter: string | null;
  division: string | null;
  department: string | null;
  tags: string[];
  customAttributes: Record<string, unknown>;
  lastSignInAt: Date | null;
  /** When a temporary account ends (it becomes `inactive`); null: never. */
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** The profile fields a user's own record holds, as written by provisioning. */
export const PROFILE_FIELDS = [
  'title',
  'givenName',
  'middleName',
  'familyName',
  'nameFormatted',
  'honorificSuffix',
  'displayName',
  'nickName',
  'jobTitle',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'profileUrl',
  'employeeNumber',
  'costCenter',
  'division',
  'department',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type Profile = Record<ProfileField, string | null>;

/** One of a user's emails or phone numbers. */
export interface ContactValue {
  value: string;
  type: string | null;
  display: string | null;
  primary: boolean;
}

export interface PostalAddress {
  type: string | null;
  primary: boolean;
  formatted: string | null;
  streetAddress: string | null;
  locality: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}

/** Multi-valued contact data, in the order given. `User.email` is the primary email. */
export interface UserContacts {
  emails: ContactValue[];
  phoneNumbers: ContactValue[];
  addresses: PostalAddress[];
}

/** A user as a directory shows them: the record with its contacts, roles, groups and links. */
export interface DirectoryEntry {
  user: User;
  contacts: UserContacts;
  roles: Role[];
  groups: { id: string; displayName: string }[];
  /** The main account's name (none for the guest account). */
  organization: string | null;
  manager: { id: string; displayName: string } | null;
}

export interface RoleAssignment {
  role: Role;
  accountId: string | null;
  accountGroupId: string | null;
}

/** What the password step needs, and only it: read through `credentials.forVerification()`. */
export interface PasswordCredential {
  userId: string;
  status: Status;
  passwordHash: string | null;
  failedAttempts: number;
  lockedUntil: Date | null;
  /** When the account ends (policies/expiry.ts). */
  expiresAt: Date | null;
}

/** How a user is named to others (`displayNameSql` in the users repository is the same rule). */
export function displayName(
  user: Pick<User, 'displayName' | 'givenName' | 'familyName' | 'email' | 'userCode'>,
): string {
  const name = [user.givenName, user.familyName].filter(Boolean).join(' ');
  return user.displayName || name || user.email || user.userCode;
}
