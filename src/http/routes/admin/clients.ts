import { z } from 'zod';
import { CLIENT_AUTH_METHODS } from '../../../domain/client-authentication.js';
import type { ClientRecord } from '../../../repositories/clients.js';
import { MAX_SECRET_GRACE_SECONDS, type ClientRegistryService } from '../../../services/client-registry.js';
import { adminRoute, errors, NO_CONTENT } from './route.js';
import { role, timestamp } from './schemas.js';

const SERVICE_ACCOUNT = z
  .object({
    role: role.describe('manager, hr, admin or super_admin (individual is refused)'),
    accountIds: z.array(z.uuid()).max(100).default([]).describe("A manager's accounts"),
    accountGroupIds: z.array(z.uuid()).max(100).default([]).describe("A manager's account groups"),
  })
  .describe('The admin role the client acts with on its own (client credentials, scope admin): a service account');
const BUILT_IN = z.boolean().describe("Gatehouse's own (made at start): read-only, never changed or deleted");
const CLIENT = z.object({
  clientId: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  firstParty: z.boolean(),
  hasSecret: z.boolean(),
  resourceServer: z.string().nullable(),
  serviceAccount: z.object({ role, accountIds: z.array(z.string()), accountGroupIds: z.array(z.string()) }).nullable(),
  previousSecretExpiresAt: timestamp.nullable().describe('Until when the secret before the last rotation still works'),
  builtIn: BUILT_IN,
});
const URIS = z.array(z.string().max(2000)).max(20);
const AUTH_METHOD = z
  .enum(CLIENT_AUTH_METHODS)
  .describe('How the client authenticates at the token endpoints; private_key_jwt needs jwksUri or jwks');
const JWKS_URI = z.string().max(2000).describe("Where a private_key_jwt client's public keys are (fetched and cached)");
const JWKS = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) })
  .describe("A private_key_jwt client's public keys, inline (a JSON Web Key Set)");
const BACKCHANNEL_LOGOUT_URI = z
  .string()
  .max(2000)
  .describe('Where the client is sent a logout token when a session of its user ends (OIDC Back-Channel Logout)');
const BACKCHANNEL_SESSION_REQUIRED = z
  .boolean()
  .describe('The client needs `sid` in logout tokens (always sent when known)');
const GRANT_TYPES = z.array(z.string()).min(1).max(4);
const LOGO_URI = z.string().max(2000).describe('The logo the sign-in and consent pages show (https)');

const RESOURCE = z.object({
  indicator: z.string(),
  scopes: z.array(z.string()),
  accessTokenTtl: z.number().int().nullable().describe('Seconds; null: the server default'),
  firstPartyOnly: z.boolean(),
});
const RESOURCE_ROW = RESOURCE.extend({ builtIn: BUILT_IN });
const SCOPES = z.array(z.string().max(200)).max(100);
const TTL = z.number().int().nullable();

const clientJson = (c: ClientRecord, builtIn: boolean) => ({
  clientId: c.clientId,
  metadata: c.metadata,
  firstParty: c.firstParty,
  hasSecret: c.hasSecret,
  resourceServer: c.resourceServer,
  serviceAccount: c.serviceAccount && {
    role: c.serviceAccount.role,
    accountIds: [...c.serviceAccount.accountIds],
    accountGroupIds: [...c.serviceAccount.accountGroupIds],
  },
  previousSecretExpiresAt: c.previousSecretExpiresAt?.toISOString() ?? null,
  builtIn,
});

/**
 * OIDC clients (with service accounts and secret rotation) and resource servers:
 * super admins only (permission `settings`, SPEC "clients"). Secrets are shown once,
 * at creation and at rotation. A resource server is named by its indicator,
 * URL-encoded in the path.
 */
export function clientRoutes(deps: { clients: ClientRegistryService }) {
  const client = (c: ClientRecord) => clientJson(c, deps.clients.isBuiltIn(c.clientId));
  const resource = (r: z.infer<typeof RESOURCE>) => ({ ...r, builtIn: deps.clients.isBuiltIn(r.indicator) });
  return [
    adminRoute({
      method: 'get',
      path: '/clients',
      summary: 'OIDC clients (without secrets)',
      permission: 'settings',
      responses: { 200: { description: 'Clients', schema: z.object({ items: z.array(CLIENT) }) }, ...errors(403) },
      async handle(ctx) {
        ctx.body = { items: (await deps.clients.list()).map(client) };
      },
    }),
    adminRoute({
      method: 'post',
      path: '/clients',
      summary: "Register an OIDC client (or a service account); a confidential client's secret is returned once",
      permission: 'settings',
      body: z.object({
        clientId: z.string().min(1).max(128),
        name: z.string().min(1).max(200).optional().describe('Shown on the sign-in and consent pages'),
        logoUri: LOGO_URI.optional(),
        redirectUris: URIS.default([]),
        postLogoutRedirectUris: URIS.optional(),
        grantTypes: GRANT_TYPES.default(['authorization_code']),
        isPublic: z.boolean().default(false).describe('The same as tokenEndpointAuthMethod none'),
        tokenEndpointAuthMethod: AUTH_METHOD.optional(),
        jwksUri: JWKS_URI.optional(),
        jwks: JWKS.optional(),
        firstParty: z.boolean().default(false),
        /** The indicator of a registered resource server: the client is that API and may introspect tokens for it. */
        resourceServer: z.string().min(1).max(2000).optional(),
        serviceAccount: SERVICE_ACCOUNT.optional(),
        backchannelLogoutUri: BACKCHANNEL_LOGOUT_URI.optional(),
        backchannelLogoutSessionRequired: BACKCHANNEL_SESSION_REQUIRED.optional(),
      }),
      responses: {
        201: {
          description: 'Registered (client_secret shown once)',
          schema: z
            .object({ client_id: z.string(), client_secret: z.string().optional(), first_party: z.boolean() })
            .loose(),
        },
        ...errors(400, 403, 404, 409),
      },
      async handle(ctx, { body, by }) {
        const { tokenEndpointAuthMethod, ...rest } = body;
        ctx.status = 201;
        ctx.body = await deps.clients.register({ ...rest, authMethod: tokenEndpointAuthMethod }, by);
      },
    }),
    adminRoute({
      method: 'get',
      path: '/clients/{clientId}',
      summary: 'One OIDC client (without its secret)',
      permission: 'settings',
      responses: { 200: { description: 'The client', schema: CLIENT }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = client(await deps.clients.get(params.clientId));
      },
    }),
    adminRoute({
      method: 'patch',
      path: '/clients/{clientId}',
      summary:
        'Change a client: name, logo, redirect URIs, grant types, first-party, service-account role (null: none), authentication method and keys, back-channel logout URI',
      permission: 'settings',
      body: z
        .object({
          name: z.string().min(1).max(200).optional(),
          logoUri: LOGO_URI.nullable().optional().describe('null: no logo'),
          redirectUris: URIS.optional(),
          postLogoutRedirectUris: URIS.optional(),
          grantTypes: GRANT_TYPES.optional(),
          firstParty: z.boolean().optional(),
          serviceAccount: SERVICE_ACCOUNT.nullable().optional(),
          tokenEndpointAuthMethod: AUTH_METHOD.optional(),
          jwksUri: JWKS_URI.optional(),
          jwks: JWKS.optional(),
          backchannelLogoutUri: BACKCHANNEL_LOGOUT_URI.nullable().optional().describe('null: no back-channel logout'),
          backchannelLogoutSessionRequired: BACKCHANNEL_SESSION_REQUIRED.optional(),
        })
        .strict(),
      responses: { 200: { description: 'The client as changed', schema: CLIENT }, ...errors(400, 403, 404) },
      async handle(ctx, { params, body, by }) {
        const { tokenEndpointAuthMethod, ...rest } = body;
        ctx.body = client(
          await deps.clients.update(params.clientId, { ...rest, authMethod: tokenEndpointAuthMethod }, by),
        );
      },
    }),
    adminRoute({
      method: 'delete',
      path: '/clients/{clientId}',
      summary: 'Delete a client and revoke its grants, codes and tokens',
      permission: 'settings',
      responses: {
        200: {
          description: 'Deleted',
          schema: z.object({ clientId: z.string(), revoked: z.number().int().describe('Grants, codes and tokens') }),
        },
        ...errors(403, 404, 409),
      },
      async handle(ctx, { params, by }) {
        ctx.body = await deps.clients.remove(params.clientId, by);
      },
    }),
    adminRoute({
      method: 'post',
      path: '/clients/{clientId}/secret',
      summary: 'Rotate the secret: the new one is returned once; the old one works for graceSeconds more (default 0)',
      permission: 'settings',
      body: z.object({ graceSeconds: z.number().int().min(0).max(MAX_SECRET_GRACE_SECONDS).default(0) }),
      responses: {
        200: {
          description: 'The new secret (shown once)',
          schema: z.object({
            client_id: z.string(),
            client_secret: z.string(),
            previous_secret_expires_at: timestamp.nullable(),
          }),
        },
        ...errors(400, 403, 404),
      },
      async handle(ctx, { params, body, by }) {
        ctx.body = await deps.clients.rotateSecret(params.clientId, body.graceSeconds, by);
      },
    }),

    adminRoute({
      method: 'get',
      path: '/resources',
      summary: 'Resource servers (APIs) tokens may be issued for',
      permission: 'settings',
      responses: {
        200: { description: 'Resource servers', schema: z.object({ items: z.array(RESOURCE_ROW) }) },
        ...errors(403),
      },
      async handle(ctx) {
        ctx.body = { items: (await deps.clients.listResources()).map(resource) };
      },
    }),
    adminRoute({
      method: 'post',
      path: '/resources',
      summary: 'Register a resource server (an API): its indicator, scopes and access token lifetime',
      permission: 'settings',
      body: z.object({
        indicator: z.string().min(1).max(2000).describe('An absolute URL without a fragment'),
        scopes: SCOPES.default([]),
        accessTokenTtl: TTL.default(null),
        firstPartyOnly: z.boolean().default(false),
      }),
      responses: { 201: { description: 'Registered', schema: RESOURCE }, ...errors(400, 403, 409) },
      async handle(ctx, { body, by }) {
        ctx.status = 201;
        ctx.body = await deps.clients.createResource(body, by);
      },
    }),
    adminRoute({
      method: 'get',
      path: '/resources/{indicator}',
      summary: 'One resource server (the indicator URL-encoded)',
      permission: 'settings',
      responses: { 200: { description: 'The resource server', schema: RESOURCE_ROW }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = resource(await deps.clients.getResource(params.indicator));
      },
    }),
    adminRoute({
      method: 'patch',
      path: '/resources/{indicator}',
      summary: "Change a resource server's scopes, access token lifetime or first-party-only",
      permission: 'settings',
      body: z
        .object({ scopes: SCOPES.optional(), accessTokenTtl: TTL.optional(), firstPartyOnly: z.boolean().optional() })
        .strict(),
      responses: { 200: { description: 'As changed', schema: RESOURCE }, ...errors(400, 403, 404) },
      async handle(ctx, { params, body, by }) {
        ctx.body = await deps.clients.updateResource(params.indicator, body, by);
      },
    }),
    adminRoute({
      method: 'delete',
      path: '/resources/{indicator}',
      summary: 'Delete a resource server no client is registered as (tokens issued for it live out their time)',
      permission: 'settings',
      responses: { ...NO_CONTENT, ...errors(403, 404, 409) },
      async handle(ctx, { params, by }) {
        await deps.clients.removeResource(params.indicator, by);
        ctx.status = 204;
      },
    }),
  ];
}
