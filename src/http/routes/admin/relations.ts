import { z } from 'zod';
import type { UserRelationsService } from '../../../services/user-relations.js';
import { adminRoute, errors } from './route.js';
import { EMPLOYMENT, GROUP_REF, role, ROLE_ASSIGNMENT } from './schemas.js';

/** Members added and removed by id, the others kept: one change, in one transaction. */
const EDIT_BODY = (what: string) =>
  z
    .object({
      add: z.array(z.uuid()).max(1000).optional().describe(`${what} to add`),
      remove: z.array(z.uuid()).max(1000).optional().describe(`${what} to remove`),
    })
    .strict()
    .refine((b) => b.add?.length || b.remove?.length, 'give add or remove');

const ROLES_BODY = z
  .object({
    mainRole: role.describe('Kept as an unscoped assignment'),
    assignments: z
      .array(
        z
          .object({ role, accountId: z.uuid().nullable().optional(), accountGroupId: z.uuid().nullable().optional() })
          .strict()
          .refine(
            (a) => !(a.accountId && a.accountGroupId),
            'an assignment is scoped to an account or an account group, not both',
          ),
      )
      .max(200)
      .default([]),
  })
  .strict();

const EMPLOYMENTS_BODY = z
  .object({
    employments: z
      .array(
        z
          .object({
            accountId: z.uuid(),
            startDate: z.iso.date().nullable().optional(),
            endDate: z.iso.date().nullable().optional(),
            isMain: z.boolean().optional(),
          })
          .strict()
          .refine((e) => !e.startDate || !e.endDate || e.startDate <= e.endDate, 'endDate is before startDate'),
      )
      .min(1)
      .max(100)
      .refine((list) => new Set(list.map((e) => e.accountId)).size === list.length, 'each account at most once')
      .refine(
        (list) => (list.length === 1 && list[0]?.isMain !== false) || list.filter((e) => e.isMain).length === 1,
        'exactly one employment is main (isMain: true)',
      )
      .describe('The whole list; a single employment is main unless it says otherwise'),
  })
  .strict()
  .transform((b) =>
    b.employments.map((e) => ({
      accountId: e.accountId,
      startDate: e.startDate ?? null,
      endDate: e.endDate ?? null,
      isMain: b.employments.length === 1 || e.isMain === true,
    })),
  );

const MANAGED = z.object({ accountIds: z.array(z.uuid()).max(1000), accountGroupIds: z.array(z.uuid()).max(1000) });

/** What ties a user to the directory, each replaced as a whole: roles, employments, managed accounts, groups. */
export function relationRoutes(deps: { relations: UserRelationsService }) {
  const { relations } = deps;
  return [
    adminRoute({
      method: 'put',
      path: '/users/{id}/roles',
      summary:
        "Replace every role assignment of a user; the main role stays an unscoped one. Roles up to the caller's own",
      permission: 'users.roles',
      body: ROLES_BODY,
      responses: {
        200: {
          description: "The user's roles now",
          schema: z.object({ mainRole: role, assignments: z.array(ROLE_ASSIGNMENT) }),
        },
        ...errors(400, 403, 404, 409),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = await relations.setRoles(params.id, body, by);
      },
    }),

    adminRoute({
      method: 'put',
      path: '/users/{id}/employments',
      summary: "Replace every employment of a user; the main one is the user's main account",
      permission: 'users.employments',
      body: EMPLOYMENTS_BODY,
      responses: {
        200: { description: "The user's employments now", schema: z.object({ employments: z.array(EMPLOYMENT) }) },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = { employments: await relations.setEmployments(params.id, body, by) };
      },
    }),

    adminRoute({
      method: 'patch',
      path: '/users/{id}/employments',
      summary:
        'Add employments by accounts and remove others, keeping the rest; the first one left becomes main when the main one goes',
      permission: 'users.employments',
      body: EDIT_BODY('Accounts'),
      responses: {
        200: { description: "The user's employments now", schema: z.object({ employments: z.array(EMPLOYMENT) }) },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = { employments: await relations.editEmployments(params.id, body, by) };
      },
    }),

    adminRoute({
      method: 'put',
      path: '/users/{id}/managed-accounts',
      summary: 'Replace the accounts and account groups a user manages (manager assignments scoped to each)',
      permission: 'users.roles',
      body: MANAGED.partial()
        .strict()
        .transform((b) => ({ accountIds: b.accountIds ?? [], accountGroupIds: b.accountGroupIds ?? [] })),
      responses: { 200: { description: 'What the user manages now', schema: MANAGED }, ...errors(400, 403, 404) },
      async handle(ctx, { params, body, by }) {
        ctx.body = await relations.setManagedScopes(params.id, body, by);
      },
    }),

    adminRoute({
      method: 'put',
      path: '/users/{id}/groups',
      summary: 'Replace the groups a user is a member of',
      permission: 'users.groups',
      body: z.object({ groupIds: z.array(z.uuid()).max(1000) }).strict(),
      responses: {
        200: { description: "The user's groups now", schema: z.object({ groups: z.array(GROUP_REF) }) },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = { groups: await relations.setGroups(params.id, body.groupIds, by) };
      },
    }),

    adminRoute({
      method: 'patch',
      path: '/users/{id}/groups',
      summary: 'Add and remove group memberships of a user, keeping the others',
      permission: 'users.groups',
      body: EDIT_BODY('Groups'),
      responses: {
        200: { description: "The user's groups now", schema: z.object({ groups: z.array(GROUP_REF) }) },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = { groups: await relations.editGroups(params.id, body, by) };
      },
    }),
  ];
}
