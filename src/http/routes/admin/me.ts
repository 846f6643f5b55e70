import { z } from 'zod';
import { PERMISSIONS, mayDo, type AdminAction } from '../../../policies/permissions.js';
import { personCalling } from '../../../services/admin-auth.js';
import type { UserAdminService } from '../../../services/user-admin.js';
import { adminRoute, errors } from './route.js';
import { USER_FIELDS, USER_SCHEMA, userJson } from './schemas.js';

/** What anyone may change of their own profile (identifiers and HR data are the administrators'). */
const OWN_FIELDS = z
  .object({
    title: USER_FIELDS.title,
    givenName: USER_FIELDS.givenName,
    middleName: USER_FIELDS.middleName,
    familyName: USER_FIELDS.familyName,
    displayName: USER_FIELDS.displayName,
    nickName: USER_FIELDS.nickName,
    preferredLanguage: USER_FIELDS.preferredLanguage,
    locale: USER_FIELDS.locale,
    timezone: USER_FIELDS.timezone,
  })
  .strict();

/** /me: every caller's own profile (passwords and MFA are on the /account pages). */
export function meRoutes(deps: { users: UserAdminService }) {
  return [
    adminRoute({
      method: 'get',
      path: '/me',
      summary: "The caller's own user record",
      permission: null,
      responses: { 200: { description: 'The caller', schema: USER_SCHEMA }, ...errors(403) },
      async handle(ctx) {
        ctx.body = userJson(await deps.users.own(personCalling(ctx.state.caller).userId));
      },
    }),
    adminRoute({
      method: 'get',
      path: '/me/permissions',
      summary: 'What the caller may do here (a console offers only these; every route still checks)',
      permission: null,
      responses: {
        200: {
          description: "The caller's role and actions",
          schema: z.object({
            role: z.string(),
            scope: z.enum(['all', 'managed']),
            actions: z.array(z.enum(Object.keys(PERMISSIONS) as [AdminAction, ...AdminAction[]])),
          }),
        },
      },
      async handle(ctx) {
        const { powers } = ctx.state.caller;
        ctx.body = {
          role: powers.role,
          scope: powers.scope.all ? 'all' : 'managed',
          actions: (Object.keys(PERMISSIONS) as AdminAction[]).filter((action) => mayDo(powers, action)),
        };
      },
    }),
    adminRoute({
      method: 'patch',
      path: '/me',
      summary: "Change one's own names, language and time zone",
      permission: null,
      body: OWN_FIELDS,
      responses: { 200: { description: 'The caller as changed', schema: USER_SCHEMA }, ...errors(400, 403) },
      async handle(ctx, { body, by }) {
        ctx.body = userJson(await deps.users.updateOwnProfile(personCalling(ctx.state.caller).userId, body, by));
      },
    }),
  ];
}
