import { z } from 'zod';
import { MAIL_LANGUAGES } from '../../../domain/mail-templates.js';
import { ROLES } from '../../../domain/user.js';
import type { SettingsService } from '../../../services/settings.js';
import { adminRoute, errors } from './route.js';

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
