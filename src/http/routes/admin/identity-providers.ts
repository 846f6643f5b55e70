import { z } from 'zod';
import { IDENTITY_PROVIDER_TYPES, MAPPABLE_ROLES, type IdentityProvider } from '../../../domain/identity-provider.js';
import { type IdentityProvidersService, JIT_STATUSES } from '../../../services/identity-providers.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';
import { timestamp } from './schemas.js';

const TEXT = z.string().min(1).max(2000);
const OIDC_INPUT = z
  .object({
    issuer: TEXT.describe('The issuer URL; its /.well-known/openid-configuration is read'),
    clientId: TEXT,
    clientSecret: z.string().min(1).max(2000).describe('Sealed at rest, never returned'),
    privateKey: z.string().min(1).max(20000).describe('A private JWK (JSON) for private_key_jwt; sealed at rest'),
    scopes: z.array(z.string().min(1).max(200)).min(1).max(50),
    pkce: z.boolean(),
    tokenAuth: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
  })
  .partial()
  .strict();
const SAML_INPUT = z
  .object({
    metadataUrl: TEXT.nullable(),
    metadataXml: z.string().min(1).max(1_000_000).nullable(),
    idpEntityId: TEXT.nullable(),
    ssoUrl: TEXT.nullable(),
    certificates: z.array(z.string().min(1).max(20000)).max(10),
    spEntityId: TEXT,
  })
  .partial()
  .strict();
const MAPPING = z
  .object({
    email: z.string().min(1).max(200),
    givenName: z.string().min(1).max(200),
    familyName: z.string().min(1).max(200),
    groups: z.string().min(1).max(200),
    roles: z
      .record(z.string().min(1).max(200), z.enum(MAPPABLE_ROLES))
      .describe('Upstream group → role at provisioning'),
  })
  .partial()
  .strict();
const JIT = z
  .object({
    enabled: z.boolean(),
    role: z.enum(MAPPABLE_ROLES),
    status: z.enum(JIT_STATUSES),
    accountId: z.uuid().nullable(),
  })
  .partial()
  .strict();
const CHANGES = z
  .object({
    displayName: z.string().min(1).max(200),
    logoUrl: z.string().max(65_536).nullable().describe('A data:image/ URL'),
    shownPublicly: z.boolean(),
    required: z.boolean().describe("Password sign-in is refused for the provider's people"),
    trustedForMfa: z.boolean().describe("The upstream's amr (mfa) satisfies MFA-required roles"),
    enabled: z.boolean(),
    domains: z
      .array(z.string().min(1).max(253))
      .max(100)
      .describe('Email domains, verified by the super admin giving them'),
    accountIds: z.array(z.uuid()).max(100),
    oidc: OIDC_INPUT,
    saml: SAML_INPUT,
    jit: JIT,
    mapping: MAPPING,
  })
  .partial()
  .strict();

const PROVIDER = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.enum(IDENTITY_PROVIDER_TYPES),
  displayName: z.string(),
  logoUrl: z.string().nullable(),
  shownPublicly: z.boolean(),
  required: z.boolean(),
  trustedForMfa: z.boolean(),
  enabled: z.boolean(),
  domains: z.array(z.object({ domain: z.string(), verified: z.boolean() })),
  accountIds: z.array(z.string()),
  oidc: z
    .object({
      issuer: z.string(),
      clientId: z.string(),
      scopes: z.array(z.string()),
      pkce: z.boolean(),
      tokenAuth: z.string(),
      hasClientSecret: z.boolean(),
      hasPrivateKey: z.boolean(),
    })
    .nullable(),
  saml: z
    .object({
      metadataUrl: z.string().nullable(),
      metadataXml: z.string().nullable(),
      idpEntityId: z.string().nullable(),
      ssoUrl: z.string().nullable(),
      certificates: z.array(z.string()),
      spEntityId: z.string(),
    })
    .nullable(),
  jit: z.object({ enabled: z.boolean(), role: z.string(), status: z.string(), accountId: z.string().nullable() }),
  mapping: z.object({
    email: z.string(),
    givenName: z.string(),
    familyName: z.string(),
    groups: z.string(),
    roles: z.record(z.string(), z.string()),
    trustEmail: z.boolean(),
  }),
  redirectUri: z.string().describe('OIDC: the redirect URI to register at the upstream'),
  acsUrl: z.string().describe('SAML: the Assertion Consumer Service URL to register at the upstream'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * Upstream identity providers (OpenID Connect or SAML 2.0): super admins only
 * (permission `settings`). Secrets are write-only; `{id}` is the id or the name.
 */
export function identityProviderRoutes(deps: { baseUrl: string; identityProviders: IdentityProvidersService }) {
  const { identityProviders: idps } = deps;
  const json = (p: IdentityProvider) => ({
    ...p,
    ...idps.endpoints(p.name),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  });
  return [
    adminRoute({
      method: 'get',
      path: '/identity-providers',
      summary: 'Identity providers (without secrets)',
      permission: 'settings',
      responses: { 200: { description: 'Providers', schema: z.object({ items: z.array(PROVIDER) }) }, ...errors(403) },
      async handle(ctx) {
        ctx.body = { items: (await idps.list()).map(json) };
      },
    }),
    adminRoute({
      method: 'post',
      path: '/identity-providers',
      summary:
        'Add an identity provider; the answer names the redirect URI (OIDC) and ACS URL (SAML) to register there',
      permission: 'settings',
      body: CHANGES.extend({
        name: z.string().min(1).max(63).describe('Lower-case letters, digits and -: the path of its URLs'),
        type: z.enum(IDENTITY_PROVIDER_TYPES),
      }),
      responses: { 201: { description: 'Added', schema: PROVIDER }, ...errors(400, 403, 409) },
      async handle(ctx, { body, by }) {
        const provider = await idps.create(body, by);
        created(ctx, `${deps.baseUrl}/identity-providers/${provider.id}`, json(provider));
      },
    }),
    adminRoute({
      method: 'get',
      path: '/identity-providers/{id}',
      summary: 'One identity provider (without secrets)',
      permission: 'settings',
      responses: { 200: { description: 'The provider', schema: PROVIDER }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = json(await idps.get(params.id));
      },
    }),
    adminRoute({
      method: 'patch',
      path: '/identity-providers/{id}',
      summary: 'Change an identity provider (a secret not given is kept)',
      permission: 'settings',
      body: CHANGES,
      responses: { 200: { description: 'As changed', schema: PROVIDER }, ...errors(400, 403, 404, 409) },
      async handle(ctx, { params, body, by }) {
        ctx.body = json(await idps.update(params.id, body, by));
      },
    }),
    adminRoute({
      method: 'delete',
      path: '/identity-providers/{id}',
      summary: 'Delete an identity provider with its domains and links (the users stay)',
      permission: 'settings',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await idps.remove(params.id, by);
        ctx.status = 204;
      },
    }),
  ];
}
