import { z } from 'zod';
import type { GroupAdminService } from '../../../services/group-admin.js';
import { GROUP_SCHEMA, name, PAGING, withDates } from './directory-schemas.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';

const EXTERNAL_ID = z.string().trim().min(1).max(200).nullable();
const GROUP_DETAILS = GROUP_SCHEMA.extend({
  members: z
    .array(z.object({ id: z.uuid(), display: z.string() }))
    .describe("Members (not deleted) within the caller's reach"),
});

/** Groups: the same groups SCIM provisions. Members are set per user (PUT /users/{id}/groups). */
export function groupRoutes(deps: { groups: GroupAdminService; baseUrl: string }) {
  const { groups } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/groups',
      summary: 'List groups by displayName, offset paging',
      permission: 'directory.read',
      query: z.object({ q: z.string().trim().max(200).optional().describe('Part of the displayName'), ...PAGING }),
      responses: {
        200: { description: 'A page', schema: z.object({ items: z.array(GROUP_SCHEMA), total: z.number().int() }) },
        ...errors(400, 403),
      },
      async handle(ctx, { query }) {
        const page = await groups.list(query);
        ctx.body = { items: page.groups.map(withDates), total: page.total };
      },
    }),

    adminRoute({
      method: 'post',
      path: '/groups',
      summary: 'Create a group (displayName unique in any letter case)',
      permission: 'directory.write',
      body: z.object({ displayName: name(), externalId: EXTERNAL_ID.optional() }).strict(),
      responses: { 201: { description: 'Created', schema: GROUP_SCHEMA }, ...errors(400, 403, 409) },
      async handle(ctx, { body, by }) {
        const group = await groups.create(body, by);
        created(ctx, `${deps.baseUrl}/groups/${group.id}`, withDates(group));
      },
    }),

    adminRoute({
      method: 'get',
      path: '/groups/{id}',
      summary: 'A group with its members',
      permission: 'directory.read',
      responses: { 200: { description: 'The group', schema: GROUP_DETAILS }, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        ctx.body = withDates(await groups.get(params.id, by));
      },
    }),

    adminRoute({
      method: 'patch',
      path: '/groups/{id}',
      summary: 'Rename a group or change its externalId',
      permission: 'directory.write',
      body: z
        .object({ displayName: name().optional(), externalId: EXTERNAL_ID.optional() })
        .strict()
        .refine((b) => b.displayName !== undefined || b.externalId !== undefined, 'give displayName or externalId'),
      responses: { 200: { description: 'The group as changed', schema: GROUP_SCHEMA }, ...errors(400, 403, 404, 409) },
      async handle(ctx, { params, body, by }) {
        ctx.body = withDates(await groups.update(params.id, body, by));
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/groups/{id}',
      summary: 'Delete a group (its members stay users)',
      permission: 'directory.write',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await groups.remove(params.id, by);
        ctx.status = 204;
      },
    }),
  ];
}
