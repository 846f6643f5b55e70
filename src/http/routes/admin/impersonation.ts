import { z } from 'zod';
import { personCalling } from '../../../services/admin-auth.js';
import type { ImpersonationService } from '../../../services/impersonation.js';
import { adminRoute, errors } from './route.js';

/** POST /impersonation: a single-use link that starts acting as the user in the caller's own browser. */
export function adminImpersonationRoutes(deps: { impersonation: ImpersonationService }) {
  return [
    adminRoute({
      method: 'post',
      path: '/impersonation',
      summary: "Start an interactive impersonation: returns a single-use link for the caller's browser",
      permission: null,
      body: z.object({ userId: z.string().min(1).max(200) }),
      responses: {
        201: { description: 'The link', schema: z.object({ url: z.url(), expiresAt: z.iso.datetime() }) },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { body }) {
        const ticket = await deps.impersonation.createTicket(personCalling(ctx.state.caller), body.userId, ctx.ip);
        ctx.status = 201;
        ctx.body = { url: ticket.url, expiresAt: ticket.expiresAt.toISOString() };
      },
    }),
  ];
}
