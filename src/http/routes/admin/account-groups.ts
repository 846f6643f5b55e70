import { z } from 'zod';
import type { AccountGroupAdminService } from '../../../services/account-group-admin.js';
import { ACCOUNT_GROUP_SCHEMA, FORCE, name, PAGING, withDates } from './directory-schemas.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';

const ACCOUNT_IDS = z.array(z.uuid()).max(1000).describe('The member accounts: the whole list');

/** Account groups: named sets of accounts (a manager may manage one as a whole). */
export function accountGroupRoutes(deps: { accountGroups: AccountGroupAdminService; baseUrl: string }) {
  const { accountGroups } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/account-groups',
      summary: 'List account groups by name, offset paging',
      permission: 'directory.read',
      query: z.object({ q: z.string().trim().max(200).optional().describe('Part of the name'), ...PAGING }),
      responses: {
        200: {
          description: 'A page',
          schema: z.object({ items: z.array(ACCOUNT_GROUP_SCHEMA), total: z.number().int() }),
        },
        ...errors(400, 403),
      },
      async handle(ctx, { query }) {
        const page = await accountGroups.list(query);
        ctx.body = { items: page.accountGroups.map(withDates), total: page.total };
      },
    }),

    adminRoute({
      method: 'post',
      path: '/account-groups',
      summary: 'Create an account group, with its member accounts',
      permission: 'directory.write',
      body: z.object({ name: name(), accountIds: ACCOUNT_IDS.optional() }).strict(),
      responses: { 201: { description: 'Created', schema: ACCOUNT_GROUP_SCHEMA }, ...errors(400, 403, 404, 409) },
      async handle(ctx, { body, by }) {
        const group = await accountGroups.create(body, by);
        created(ctx, `${deps.baseUrl}/account-groups/${group.id}`, withDates(group));
      },
    }),

    adminRoute({
      method: 'get',
      path: '/account-groups/{id}',
      summary: 'An account group with its member accounts',
      permission: 'directory.read',
      responses: { 200: { description: 'The account group', schema: ACCOUNT_GROUP_SCHEMA }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = withDates(await accountGroups.get(params.id));
      },
    }),

    adminRoute({
      method: 'patch',
      path: '/account-groups/{id}',
      summary: 'Rename an account group or replace its member accounts',
      permission: 'directory.write',
      body: z
        .object({ name: name().optional(), accountIds: ACCOUNT_IDS.optional() })
        .strict()
        .refine((b) => b.name !== undefined || b.accountIds !== undefined, 'give name or accountIds'),
      responses: {
        200: { description: 'The account group as changed', schema: ACCOUNT_GROUP_SCHEMA },
        ...errors(400, 403, 404, 409),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = withDates(await accountGroups.update(params.id, body, by));
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/account-groups/{id}',
      summary:
        'Delete an account group (its accounts stay). 409 account_group.in_use while it has managers, unless ?force=true',
      permission: 'directory.write',
      query: FORCE,
      responses: { ...NO_CONTENT, ...errors(400, 403, 404, 409) },
      async handle(ctx, { params, query, by }) {
        await accountGroups.remove(params.id, { force: query.force }, by);
        ctx.status = 204;
      },
    }),
  ];
}
