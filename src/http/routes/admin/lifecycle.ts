import { z } from 'zod';
import type { UserAnonymiseService } from '../../../services/user-anonymise.js';
import type { UserLifecycleService } from '../../../services/user-lifecycle.js';
import type { UserMergeService } from '../../../services/user-merge.js';
import { adminRoute, ERROR_SCHEMA, errors, NO_CONTENT } from './route.js';
import { USER_SCHEMA, userJson } from './schemas.js';

const count = z.number().int();
const MERGED = z.object({
  user: USER_SCHEMA,
  moved: z
    .object({ employments: count, roles: count, groups: count, contacts: count, reports: count, auditEvents: count })
    .describe('Rows moved to the kept user, by kind'),
});

/** Merge two duplicate users; anonymise a user; restore a deleted one; approve a pending one; reset MFA. */
export function lifecycleRoutes(deps: {
  merges: UserMergeService;
  anonymiser: UserAnonymiseService;
  lifecycle: UserLifecycleService;
}) {
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
    adminRoute({
      method: 'post',
      path: '/users/{id}/restore',
      summary:
        'Undo the first delete: a deleted user becomes inactive (roles, employments and groups kept); reactivate them after',
      permission: 'users.delete',
      responses: {
        200: { description: 'The user, inactive', schema: USER_SCHEMA },
        ...errors(403, 404),
        409: {
          description:
            "Not deleted (user.not_deleted), anonymised (user.already_anonymised), or the email or userCode is now another user's (user.email_taken, user.user_code_taken)",
          schema: ERROR_SCHEMA,
        },
      },
      async handle(ctx, { params, by }) {
        ctx.body = userJson(await deps.lifecycle.restore(params.id, by));
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/unlock',
      summary:
        'Lift a lock: the user goes back to the status they had before it (active when none was kept), failed attempts forgotten',
      permission: 'users.status',
      responses: {
        200: { description: 'The user, unlocked', schema: USER_SCHEMA },
        ...errors(403, 404),
        409: { description: 'Not locked (user.not_locked)', schema: ERROR_SCHEMA },
      },
      async handle(ctx, { params, by }) {
        ctx.body = userJson(await deps.lifecycle.unlock(params.id, by));
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/approve',
      summary: 'Approve a pending user: active, and told so by mail when they have an email',
      permission: 'users.status',
      responses: {
        200: {
          description: 'The user, active; notified: whether the mail went',
          schema: z.object({ user: USER_SCHEMA, notified: z.boolean() }),
        },
        ...errors(403, 404),
        409: {
          description: 'Not pending (user.not_pending), or the account has ended (user.expired)',
          schema: ERROR_SCHEMA,
        },
      },
      async handle(ctx, { params, by }) {
        const { user, notified } = await deps.lifecycle.approve(params.id, by);
        ctx.body = { user: userJson(user), notified };
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/mfa/reset',
      summary:
        "Reset a user's second factors: authenticator app, passkeys and recovery codes removed, MFA lock lifted; they enrol again",
      permission: 'users.mfa',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await deps.lifecycle.resetMfa(params.id, by);
        ctx.status = 204;
      },
    }),
  ];
}
