import { z } from 'zod';
import type { UserAnonymiseService } from '../../../services/user-anonymise.js';
import type { UserMergeService } from '../../../services/user-merge.js';
import { adminRoute, ERROR_SCHEMA, errors } from './route.js';
import { USER_SCHEMA, userJson } from './schemas.js';

const count = z.number().int();
const MERGED = z.object({
  user: USER_SCHEMA,
  moved: z
    .object({ employments: count, roles: count, groups: count, contacts: count, reports: count, auditEvents: count })
    .describe('Rows moved to the kept user, by kind'),
});

/** Merge two duplicate users; anonymise a user. */
export function lifecycleRoutes(deps: { merges: UserMergeService; anonymiser: UserAnonymiseService }) {
  return [
    adminRoute({
      method: 'post',
      path: '/users/merge',
      summary:
        'Merge a duplicate user into the one kept: employments, roles, groups, contacts, reports and history move; the duplicate is removed',
      permission: 'users.merge',
      body: z.object({ keepId: z.uuid(), mergeId: z.uuid() }).strict(),
      responses: {
        200: { description: 'The kept user as merged, and what moved to it', schema: MERGED },
        ...errors(400, 403, 404),
        409: {
          description: 'The users differ in an identifier (details.conflicts: [{field, keep, merge}]); nothing changed',
          schema: ERROR_SCHEMA,
        },
      },
      async handle(ctx, { body, by }) {
        const { user, moved } = await deps.merges.merge(body.keepId, body.mergeId, by);
        ctx.body = { user: userJson(user), moved };
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/anonymise',
      summary: "Erase a user's personal data for good (status inactive unless inactive or deleted); cannot be undone",
      permission: 'users.anonymise',
      responses: {
        200: { description: 'The user as anonymised', schema: USER_SCHEMA },
        ...errors(400, 403, 404),
        409: { description: 'Anonymised already (user.already_anonymised)', schema: ERROR_SCHEMA },
      },
      async handle(ctx, { params, by }) {
        ctx.body = userJson(await deps.anonymiser.anonymise(params.id, by));
      },
    }),
  ];
}
