import { z } from 'zod';
import { errorMessage } from '../../../errors/codes.js';
import { personCalling } from '../../../services/admin-auth.js';
import type { ImpersonationService } from '../../../services/impersonation.js';
import { adminRoute, errors } from './route.js';

/**
 * POST /impersonation: a single-use link that starts acting as the user in the caller's own browser;
 * GET /users/{id}/impersonation: whether that would be allowed now, and why not.
 */
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

    adminRoute({
      method: 'get',
      path: '/users/{id}/impersonation',
      summary:
        'Whether the caller may impersonate the user now (the rules of POST /impersonation, nothing started): a console enables "Log in as user" or shows the reason',
      permission: null,
      responses: {
        200: {
          description: 'Allowed, or the refusal POST /impersonation would give (its code and message)',
          schema: z.object({
            allowed: z.boolean(),
            reason: z.string().nullable().describe('impersonation.*, as POST /impersonation would answer'),
            message: z.string().nullable(),
          }),
        },
        ...errors(403, 404),
      },
      async handle(ctx, { params }) {
        const reason = await deps.impersonation.refusal(personCalling(ctx.state.caller), params.id);
        ctx.body = reason
          ? { allowed: false, reason, message: errorMessage(reason) }
          : { allowed: true, reason: null, message: null };
      },
    }),
  ];
}
