import { z } from 'zod';
import type { AccountAdminService } from '../../../services/account-admin.js';
import { ACCOUNT_SCHEMA, FORCE, name, PAGING, withDates } from './directory-schemas.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';
import { ACCOUNT_KIND } from './schemas.js';

/** Kinds an administrator may give: `guest` is the one built-in account's alone. */
const KIND = z.enum(['provider', 'customer']);

/** Accounts: the organisations users work for; the built-in Guest account stays. */
export function adminAccountRoutes(deps: { accounts: AccountAdminService; baseUrl: string }) {
  const { accounts } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/accounts',
      summary: 'List accounts by name: search and kind, offset paging',
      permission: 'directory.read',
      query: z.object({
        q: z.string().trim().max(200).optional().describe('Part of the name'),
        kind: ACCOUNT_KIND.optional(),
        ...PAGING,
      }),
      responses: {
        200: { description: 'A page', schema: z.object({ items: z.array(ACCOUNT_SCHEMA), total: z.number().int() }) },
        ...errors(400, 403),
      },
      async handle(ctx, { query }) {
        const page = await accounts.list(query);
        ctx.body = { items: page.accounts.map(withDates), total: page.total };
      },
    }),

    adminRoute({
      method: 'post',
      path: '/accounts',
      summary: 'Create an account (provider or customer; names are unique in any letter case)',
      permission: 'directory.write',
      body: z.object({ name: name(), kind: KIND }).strict(),
      responses: { 201: { description: 'Created', schema: ACCOUNT_SCHEMA }, ...errors(400, 403, 409) },
      async handle(ctx, { body, by }) {
        const account = await accounts.create(body, by);
        created(ctx, `${deps.baseUrl}/accounts/${account.id}`, withDates(account));
      },
    }),

    adminRoute({
      method: 'get',
      path: '/accounts/{id}',
      summary: 'An account',
      permission: 'directory.read',
      responses: { 200: { description: 'The account', schema: ACCOUNT_SCHEMA }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = withDates(await accounts.get(params.id));
      },
    }),

    adminRoute({
      method: 'patch',
      path: '/accounts/{id}',
      summary: 'Rename an account or change its kind (the Guest account keeps its kind)',
      permission: 'directory.write',
      body: z
        .object({ name: name().optional(), kind: KIND.optional() })
        .strict()
        .refine((b) => b.name !== undefined || b.kind !== undefined, 'give name or kind'),
      responses: {
        200: { description: 'The account as changed', schema: ACCOUNT_SCHEMA },
        ...errors(400, 403, 404, 409),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = withDates(await accounts.update(params.id, body, by));
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/accounts/{id}',
      summary:
        'Delete an account. 409 account.in_use while it employs users or has managers, unless ?force=true (their employments go; users whose main account it was move to Guest)',
      permission: 'directory.write',
      query: FORCE,
      responses: { ...NO_CONTENT, ...errors(400, 403, 404, 409) },
      async handle(ctx, { params, query, by }) {
        await accounts.remove(params.id, { force: query.force }, by);
        ctx.status = 204;
      },
    }),
  ];
}
