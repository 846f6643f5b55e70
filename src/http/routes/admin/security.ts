import { z } from 'zod';
import type { ClientRegistryService } from '../../../services/client-registry.js';
import type { ScimAuthService } from '../../../services/scim-auth.js';
import { adminRoute, errors } from './route.js';
import { role, timestamp } from './schemas.js';

const SCIM_TOKEN = z.object({
  id: z.uuid(),
  name: z.string(),
  grantableRoles: z.array(role),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});
const iso = (d: Date | null) => d && new Date(d).toISOString();
const tokenJson = (t: {
  id: string;
  name: string;
  grantableRoles: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}) => ({
  id: t.id,
  name: t.name,
  grantableRoles: t.grantableRoles,
  createdAt: iso(t.createdAt),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
});

/** OIDC clients and SCIM tokens: super admins only (permission `settings`). Secrets are shown once, at creation. */
export function securityRoutes(deps: { clients: ClientRegistryService; scimTokens: ScimAuthService }) {
  return [
    adminRoute({
      method: 'get',
      path: '/clients',
      summary: 'OIDC clients (without secrets)',
      permission: 'settings',
      responses: {
        200: {
          description: 'Clients',
          schema: z.object({
            items: z.array(
              z.object({
                clientId: z.string(),
                metadata: z.record(z.string(), z.unknown()),
                firstParty: z.boolean(),
                hasSecret: z.boolean(),
                resourceServer: z.string().nullable(),
              }),
            ),
          }),
        },
        ...errors(403),
      },
      async handle(ctx) {
        ctx.body = { items: await deps.clients.list() };
      },
    }),
    adminRoute({
      method: 'post',
      path: '/clients',
      summary: "Register an OIDC client; a confidential client's secret is returned once",
      permission: 'settings',
      body: z.object({
        clientId: z.string().min(1).max(128),
        name: z.string().min(1).max(200).optional(),
        redirectUris: z.array(z.string().max(2000)).max(20).default([]),
        postLogoutRedirectUris: z.array(z.string().max(2000)).max(20).optional(),
        grantTypes: z.array(z.string()).min(1).max(4).default(['authorization_code']),
        isPublic: z.boolean().default(false),
        firstParty: z.boolean().default(false),
        /** The indicator of a registered resource server: the client is that API and may introspect tokens for it. */
        resourceServer: z.string().min(1).max(2000).optional(),
      }),
      responses: {
        201: {
          description: 'Registered (client_secret shown once)',
          schema: z
            .object({ client_id: z.string(), client_secret: z.string().optional(), first_party: z.boolean() })
            .loose(),
        },
        ...errors(400, 403, 409),
      },
      async handle(ctx, { body, by }) {
        ctx.status = 201;
        ctx.body = await deps.clients.register(body, by.actor, by.ip);
      },
    }),
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
      body: z.object({ name: z.string().min(1).max(100), grantableRoles: z.array(role).min(1).optional() }),
      responses: {
        201: { description: 'Made', schema: SCIM_TOKEN.extend({ token: z.string() }) },
        ...errors(400, 403, 409),
      },
      async handle(ctx, { body, by }) {
        const made = await deps.scimTokens.create(body.name, body.grantableRoles, by.actor, by.ip);
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
