import type { MailLanguage } from './mail-templates.js';
import type { Role } from './user.js';
import type { RequirableField } from './user-record.js';

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
  /** "Create an account" on the sign-in page (off by default). */
  selfRegistration: SelfRegistration;
  /** Standard fields every write path requires of a user (none by default: see domain/user-record.ts). */
  requiredFields: RequirableField[];
  /** The customer's brand on every page and mail. */
  branding: Branding;
}

/**
 * The brand the pages and mails wear: the product's name (titles, headers, mail
 * subjects), a logo (an https URL), the primary colour (`#rrggbb`: buttons and
 * the mail header), and links to help, terms and privacy (https; null: none).
 */
export interface Branding {
  productName: string;
  logoUrl: string | null;
  primaryColour: string | null;
  supportUrl: string | null;
  termsUrl: string | null;
  privacyUrl: string | null;
}

/** A brand colour: `#rrggbb`, nothing else (it goes into CSS and a mail's inline style). */
export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

export const DEFAULT_BRANDING: Branding = Object.freeze({
  productName: 'Gatehouse',
  logoUrl: null,
  primaryColour: null,
  supportUrl: null,
  termsUrl: null,
  privacyUrl: null,
});

/**
 * Self-registration: whether people may ask for an account, whether an
 * administrator must approve it after the email is confirmed (`required`: the
 * user is `pending`; `none`: `active` at once), and the email domains allowed
 * (empty: any).
 */
export interface SelfRegistration {
  enabled: boolean;
  approval: SignUpApproval;
  allowedDomains: string[];
}
export const SIGN_UP_APPROVALS = ['required', 'none'] as const;
export type SignUpApproval = (typeof SIGN_UP_APPROVALS)[number];
export const SETTING_KEYS = [
  'passwordPolicy',
  'lockout',
  'mfa',
  'impersonationTtl',
  'duplicateEmails',
  'auditRetentionDays',
  'defaultLanguage',
  'selfRegistration',
  'requiredFields',
  'branding',
] as const satisfies readonly (keyof Settings)[];
