import { z } from 'zod';
import { INVITATION_STATES } from '../../../policies/invitation.js';
import { INVITATION_MESSAGE_MAX, type Invitation, type InvitationsService } from '../../../services/invitations.js';
import { adminRoute, ERROR_SCHEMA, errors, NO_CONTENT } from './route.js';
import { timestamp } from './schemas.js';

const INVITATION = z.object({
  state: z.enum(INVITATION_STATES),
  scheduledAt: timestamp.nullable(),
  sentAt: timestamp.nullable(),
  confirmedAt: timestamp.nullable(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const invitationJson = (i: Invitation) => ({
  state: i.state,
  scheduledAt: iso(i.scheduledAt),
  sentAt: iso(i.sentAt),
  confirmedAt: iso(i.confirmedAt),
});

/** A user's invitation: read, send now or schedule, cancel a scheduled one. */
export function invitationRoutes(deps: { invitations: InvitationsService }) {
  const { invitations } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/users/{id}/invitation',
      summary: "Where the user's invitation stands: not_invited, scheduled, pending or confirmed",
      permission: 'users.invite',
      responses: { 200: { description: 'The invitation', schema: INVITATION }, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        ctx.body = invitationJson(await invitations.get(params.id, by));
      },
    }),

    adminRoute({
      method: 'post',
      path: '/users/{id}/invitation',
      summary:
        'Invite the user: the mail (a link to choose a password, good for 7 days) goes now, or at `at` when it is in the future; again: a new link, the old one void',
      permission: 'users.invite',
      body: z
        .object({
          at: timestamp.optional().describe('When to send it; absent or past: now'),
          message: z
            .string()
            .trim()
            .min(1)
            .max(INVITATION_MESSAGE_MAX)
            .optional()
            .describe('A personal message for the mail (plain text); only with an invitation sent now'),
        })
        .strict(),
      responses: {
        200: { description: 'The invitation, pending (sent) or scheduled', schema: INVITATION },
        ...errors(400, 403, 404),
        409: {
          description:
            'The user has no email (user.no_email), may not be invited (user.not_invitable), or a message with a scheduled invitation (invitation.message_scheduled)',
          schema: ERROR_SCHEMA,
        },
      },
      async handle(ctx, { params, body, by }) {
        const at = body.at ? new Date(body.at) : undefined;
        ctx.body = invitationJson(await invitations.invite(params.id, at, by, { message: body.message }));
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/users/{id}/invitation',
      summary: 'Cancel a scheduled invitation that has not gone yet',
      permission: 'users.invite',
      responses: {
        ...NO_CONTENT,
        ...errors(403, 404),
        409: { description: 'Nothing scheduled (invitation.not_scheduled)', schema: ERROR_SCHEMA },
      },
      async handle(ctx, { params, by }) {
        await invitations.cancel(params.id, by);
        ctx.status = 204;
      },
    }),
  ];
}
