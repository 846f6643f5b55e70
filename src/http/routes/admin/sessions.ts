import { z } from 'zod';
import type { UserSessionsService } from '../../../services/user-sessions.js';
import { adminRoute, errors, NO_CONTENT } from './route.js';
import { timestamp } from './schemas.js';

const SESSION = z.object({
  id: z.string().describe('The session uid (never the cookie value)'),
  signedInAt: timestamp.nullable(),
  amr: z.array(z.string()),
  acr: z.string().nullable(),
  clients: z.array(z.string()).describe('Client ids this session signed in to'),
  expiresAt: timestamp.nullable(),
});

/** A user's signed-in sessions: list, end them all. */
export function sessionRoutes(deps: { sessions: UserSessionsService }) {
  const { sessions } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/users/{id}/sessions',
      summary: "The user's live sessions, the newest sign-in first",
      permission: 'users.sessions',
      responses: {
        200: { description: 'The sessions', schema: z.object({ items: z.array(SESSION) }) },
        ...errors(403, 404),
      },
      async handle(ctx, { params, by }) {
        const items = await sessions.list(params.id, by);
        ctx.body = {
          items: items.map((s) => ({
            ...s,
            signedInAt: s.signedInAt ? s.signedInAt.toISOString() : null,
            expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
          })),
        };
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/users/{id}/sessions',
      summary: 'End every session of the user with their grants, refresh and access tokens',
      permission: 'users.sessions',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await sessions.revokeAll(params.id, by);
        ctx.status = 204;
      },
    }),
  ];
}
