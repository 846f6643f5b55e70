import { z } from 'zod';
import { MAIL_LANGUAGES } from '../../../domain/mail-templates.js';
import { HEX_COLOUR, SIGN_UP_APPROVALS } from '../../../domain/settings.js';
import { ROLES } from '../../../domain/user.js';
import { REQUIRABLE_FIELDS } from '../../../domain/user-record.js';
import type { SettingsService } from '../../../services/settings.js';
import { adminRoute, errors } from './route.js';

/** An absolute https URL (what a page may link to or load an image from). */
const HTTPS_URL = z
  .string()
  .max(2000)
  .refine((v) => URL.parse(v)?.protocol === 'https:' && !URL.parse(v)?.username, 'an https URL without credentials');

/** src/domain/settings.ts as zod: the bounds the server needs to stay usable and safe. */
const FIELDS = {
  passwordPolicy: z
    .object({
      minLength: z.number().int().min(8).max(1024),
      maxLength: z.number().int().min(128).max(1024),
      requireClasses: z.array(z.enum(['lower', 'upper', 'digit', 'symbol'])).max(4),
      history: z.number().int().min(0).max(100),
    })
    .strict(),
  lockout: z
    .object({
      maxAttempts: z.number().int().min(1).max(1000),
      minutes: z.number().min(0).max(525_600).describe('0: until a password reset'),
    })
    .strict(),
  mfa: z
    .object({ requiredRoles: z.array(z.enum(ROLES)).max(ROLES.length), maxAttempts: z.number().int().min(1).max(1000) })
    .strict(),
  impersonationTtl: z.number().int().min(60).max(86_400).describe('Seconds'),
  duplicateEmails: z.boolean(),
  auditRetentionDays: z.number().int().min(1).max(36_500).nullable().describe('null: keep for ever'),
  defaultLanguage: z
    .enum(MAIL_LANGUAGES)
    .describe('Mails to a user whose preferredLanguage and locale are none of these go out in this language'),
  selfRegistration: z
    .object({
      enabled: z.boolean().describe('"Create an account" on the sign-in page and /sign-up'),
      approval: z
        .enum(SIGN_UP_APPROVALS)
        .describe('required: pending until an administrator approves; none: active once the email is confirmed'),
      allowedDomains: z
        .array(
          z
            .string()
            .max(253)
            .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'a lower-case domain name'),
        )
        .max(100)
        .describe('Email domains that may sign up (exact match, lower case); empty: any'),
    })
    .strict(),
  requiredFields: z
    .array(z.enum(REQUIRABLE_FIELDS))
    .max(REQUIRABLE_FIELDS.length)
    .refine((fields) => new Set(fields).size === fields.length, 'each field once')
    .describe('Standard fields every write path (admin API, import, SCIM) requires of a user'),
  branding: z
    .object({
      productName: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .regex(/^[^\p{Cc}<>]+$/u, 'no control characters or angle brackets')
        .describe('Shown in page titles, page headers and mails'),
      logoUrl: HTTPS_URL.nullable().describe('The logo on every page and mail (https); null: the product name instead'),
      primaryColour: z
        .string()
        .regex(HEX_COLOUR, 'a colour as #rrggbb')
        .nullable()
        .describe('Buttons and the mail header, as #rrggbb; null: the default blue'),
      supportUrl: HTTPS_URL.nullable().describe('"Help" in the page footer and mails (https)'),
      termsUrl: HTTPS_URL.nullable().describe('"Terms of use" in the page footer (https)'),
      privacyUrl: HTTPS_URL.nullable().describe('"Privacy" in the page footer (https)'),
    })
    .strict(),
};

const SETTINGS = z.object(FIELDS);
/** Every field optional; an object field may give only some of its members. */
const SETTINGS_PATCH = z
  .object({
    passwordPolicy: FIELDS.passwordPolicy.partial().optional(),
    lockout: FIELDS.lockout.partial().optional(),
    mfa: FIELDS.mfa.partial().optional(),
    impersonationTtl: FIELDS.impersonationTtl.optional(),
    duplicateEmails: FIELDS.duplicateEmails.optional(),
    auditRetentionDays: FIELDS.auditRetentionDays.optional(),
    defaultLanguage: FIELDS.defaultLanguage.optional(),
    selfRegistration: FIELDS.selfRegistration.partial().optional(),
    requiredFields: FIELDS.requiredFields.optional(),
    branding: FIELDS.branding.partial().optional(),
  })
  .strict();

/** The security settings (super admins), effective at once on every instance. */
export function settingsRoutes(deps: { settings: SettingsService }) {
  return [
    adminRoute({
      method: 'get',
      path: '/settings',
      summary: 'The settings in force',
      permission: 'settings',
      responses: { 200: { description: 'The settings', schema: SETTINGS }, ...errors(403) },
      async handle(ctx) {
        ctx.body = await deps.settings.fresh();
      },
    }),

    adminRoute({
      method: 'put',
      path: '/settings',
      summary:
        'Change settings: the fields given (members of an object field are merged), audited with old and new values, effective at once',
      permission: 'settings',
      body: SETTINGS_PATCH,
      responses: { 200: { description: 'The settings in force now', schema: SETTINGS }, ...errors(400, 403, 409) },
      async handle(ctx, { body, by }) {
        ctx.body = await deps.settings.update(body, by.actor, by.ip);
      },
    }),
  ];
}
