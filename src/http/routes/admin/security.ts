import { z } from 'zod';
import type { ScimAuthService } from '../../../services/scim-auth.js';
import { adminRoute, errors } from './route.js';
import { role, timestamp } from './schemas.js';

const SCIM_TOKEN = z.object({
  id: z.uuid(),
  name: z.string(),
  grantableRoles: z.array(role),
  trustEmails: z.boolean().describe('The emails this token sends are verified (email_verified)'),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});
const iso = (d: Date | null) => d && new Date(d).toISOString();
const tokenJson = (t: {
  id: string;
  name: string;
  grantableRoles: string[];
  trustEmails: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}) => ({
  id: t.id,
  name: t.name,
  grantableRoles: t.grantableRoles,
  trustEmails: t.trustEmails,
  createdAt: iso(t.createdAt),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
});

/** SCIM tokens: super admins only (permission `settings`). A token is shown once, at creation. */
export function securityRoutes(deps: { scimTokens: ScimAuthService }) {
  return [
    adminRoute({
      method: 'get',
      path: '/scim-tokens',
      summary: 'SCIM bearer tokens (never the token itself)',
      permission: 'settings',
      responses: { 200: { description: 'Tokens', schema: z.object({ items: z.array(SCIM_TOKEN) }) }, ...errors(403) },
      async handle(ctx) {
        ctx.body = { items: (await deps.scimTokens.list()).map(tokenJson) };
      },
    }),
    adminRoute({
      method: 'post',
      path: '/scim-tokens',
      summary: 'Make a SCIM bearer token for an HR system; the token is returned once (only its hash is kept)',
      permission: 'settings',
      body: z.object({
        name: z.string().min(1).max(100),
        grantableRoles: z.array(role).min(1).optional(),
        trustEmails: z
          .boolean()
          .default(false)
          .describe(
            'The system behind the token vouches for the emails it sends (an HR system): they are verified. Default false',
          ),
      }),
      responses: {
        201: { description: 'Made', schema: SCIM_TOKEN.extend({ token: z.string() }) },
        ...errors(400, 403, 409),
      },
      async handle(ctx, { body, by }) {
        const made = await deps.scimTokens.create(body.name, body.grantableRoles, by.actor, by.ip, {
          trustEmails: body.trustEmails,
        });
        ctx.status = 201;
        ctx.body = { ...tokenJson(made), token: made.token };
      },
    }),
    adminRoute({
      method: 'delete',
      path: '/scim-tokens/{id}',
      summary: 'Revoke a SCIM token',
      permission: 'settings',
      responses: { 200: { description: 'Revoked', schema: SCIM_TOKEN }, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        ctx.body = tokenJson(await deps.scimTokens.revoke(params.id, by.actor, by.ip));
      },
    }),
  ];
}
