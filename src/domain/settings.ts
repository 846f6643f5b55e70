import type { MailLanguage } from './mail-templates.js';
import type { Role } from './user.js';

/** The character classes a password policy may require. */
export type CharacterClass = 'lower' | 'upper' | 'digit' | 'symbol';

/**
 * What a super admin changes at run time (`/admin/api/settings`); the
 * environment gives the defaults. Every field is effective without a restart.
 */
export interface Settings {
  passwordPolicy: { minLength: number; maxLength: number; requireClasses: CharacterClass[]; history: number };
  /** Failures before a lock, and its length in minutes (0 = until a password reset). */
  lockout: { maxAttempts: number; minutes: number };
  /** Roles that must use a second factor; MFA failures before the second step locks. */
  mfa: { requiredRoles: Role[]; maxAttempts: number };
  /** Longest life of an impersonation, in seconds. */
  impersonationTtl: number;
  /** Whether several users may share an email (sign-in by such an email is refused). */
  duplicateEmails: boolean;
  /** Audit events older than this many days are deleted; null keeps them for ever. */
  auditRetentionDays: number | null;
  /** The language of mails to users who have none of the shipped ones (preferredLanguage, locale). */
  defaultLanguage: MailLanguage;
}
export const SETTING_KEYS = [
  'passwordPolicy',
  'lockout',
  'mfa',
  'impersonationTtl',
  'duplicateEmails',
  'auditRetentionDays',
  'defaultLanguage',
] as const satisfies readonly (keyof Settings)[];
