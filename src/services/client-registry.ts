import type { Executor, Transact } from '../db/database.js';
import type { ClientAuthMethod, ClientJwks } from '../domain/client-authentication.js';
import type { Operator } from '../domain/operator.js';
import type { ServiceAccount } from '../domain/service-account.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { clientAuthProblem, usesSecret } from '../policies/client-authentication.js';
import { mayGrant } from '../policies/permissions.js';
import { serviceAccountProblem } from '../policies/service-account.js';
import type { AccountGroupsRepository } from '../repositories/account-groups.js';
import type { AccountsRepository } from '../repositories/accounts.js';
import type { ClientRecord, ClientsRepository } from '../repositories/clients.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { ResourceServer, ResourceServersRepository } from '../repositories/resource-servers.js';
import type { Clock } from '../util/clock.js';
import { randomToken } from '../util/crypto.js';
import type { AuditService } from './audit.js';

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const;

/** The longest a rotated secret may stay valid beside the new one: 30 days. */
export const MAX_SECRET_GRACE_SECONDS = 30 * 24 * 3600;
/** Bounds of a resource server's access token lifetime, in seconds. */
export const RESOURCE_TTL = { min: 60, max: 24 * 3600 } as const;

export interface NewClient {
  clientId: string;
  name?: string;
  /** The logo the sign-in and consent pages show (an https URL). */
  logoUri?: string;
  /** Generated when a confidential client is given none. */
  secret?: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  grantTypes: string[];
  isPublic: boolean;
  /** How it authenticates at the token endpoints: `none` when `isPublic`, else `client_secret_basic` unless given. */
  authMethod?: ClientAuthMethod;
  /** A `private_key_jwt` client's public keys: at a URL, or inline (one of the two). */
  jwksUri?: string;
  jwks?: ClientJwks;
  firstParty: boolean;
  /** A registered resource server's indicator: the client is that API and may introspect the tokens issued for it. */
  resourceServer?: string;
  /** The admin role the client acts with on its own (a service account). */
  serviceAccount?: ServiceAccount;
  /** Where the client is told that a user's session ended (OpenID Connect Back-Channel Logout 1.0). */
  backchannelLogoutUri?: string;
  /** The client needs `sid` in logout tokens (it is always sent when known). */
  backchannelLogoutSessionRequired?: boolean;
}

/** What an update may change (undefined: unchanged; `serviceAccount: null`: no longer a service account). */
export interface ClientUpdate {
  name?: string;
  /** null: no logo. */
  logoUri?: string | null;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  firstParty?: boolean;
  serviceAccount?: ServiceAccount | null;
  /** Another method among the confidential ones (a public client stays public). */
  authMethod?: ClientAuthMethod;
  /** New keys of a `private_key_jwt` client: either replaces both. */
  jwksUri?: string;
  jwks?: ClientJwks;
  /** null: no back-channel logout. */
  backchannelLogoutUri?: string | null;
  backchannelLogoutSessionRequired?: boolean;
}

/** The shape every client must keep, checked on create and on each update. */
interface ClientShape {
  clientId: string;
  grantTypes: readonly string[];
  redirectUris: readonly string[];
  postLogoutRedirectUris: readonly string[];
  isPublic: boolean;
  authMethod: string;
  jwksUri?: string;
  jwks?: ClientJwks;
  serviceAccount: ServiceAccount | null;
  backchannelLogoutUri: string | null;
  backchannelLogoutSessionRequired: boolean;
  logoUri: string | null;
}

function checkShape(c: ClientShape): void {
  for (const g of c.grantTypes)
    assertThat(
      (GRANT_TYPES as readonly string[]).includes(g),
      fail('client.invalid', { problem: 'grant_type', grantType: g, allowed: GRANT_TYPES }),
    );
  for (const u of [...c.redirectUris, ...c.postLogoutRedirectUris])
    assertThat(URL.canParse(u), fail('client.invalid', { problem: 'not_a_url', url: u }));
  // A logo is loaded by the pages (their CSP allows its origin): https only.
  assertThat(c.logoUri === null || URL.parse(c.logoUri)?.protocol === 'https:', () =>
    fail('client.invalid', { problem: 'logo_uri', url: c.logoUri ?? '' }),
  );
  const logout = c.backchannelLogoutUri;
  // OIDC Back-Channel Logout §2.2: an absolute http(s) URL without a fragment.
  assertThat(
    logout === null || (['http:', 'https:'].includes(URL.parse(logout)?.protocol ?? '') && !URL.parse(logout)?.hash),
    () => fail('client.invalid', { problem: 'not_a_url', url: logout ?? '' }),
  );
  assertThat(
    !c.grantTypes.includes('authorization_code') || c.redirectUris.length > 0,
    fail('client.invalid', { problem: 'needs_redirect_uri' }),
  );
  assertThat(
    !(c.isPublic && c.grantTypes.includes('client_credentials')),
    fail('client.invalid', { problem: 'public_client_credentials' }),
  );
  const problem = c.serviceAccount && serviceAccountProblem(c.serviceAccount, c);
  assertThat(!problem, () => fail('client.invalid', { problem: problem || 'service_account_role' }));
  const authProblem = clientAuthProblem(c);
  assertThat(!authProblem, () => fail('client.invalid', { problem: authProblem || 'auth_method' }));
}

/** oidc-provider metadata for a client of this shape. */
function metadataOf(c: ClientShape & { name: string }): Record<string, unknown> {
  return {
    client_name: c.name,
    grant_types: c.grantTypes,
    response_types: c.grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: c.redirectUris,
    token_endpoint_auth_method: c.authMethod,
    ...(c.jwksUri !== undefined ? { jwks_uri: c.jwksUri } : {}),
    ...(c.jwks !== undefined ? { jwks: c.jwks } : {}),
    ...(c.postLogoutRedirectUris.length ? { post_logout_redirect_uris: c.postLogoutRedirectUris } : {}),
    ...(c.logoUri ? { logo_uri: c.logoUri } : {}),
    ...(c.backchannelLogoutUri
      ? {
          backchannel_logout_uri: c.backchannelLogoutUri,
          backchannel_logout_session_required: c.backchannelLogoutSessionRequired,
        }
      : {}),
  };
}

/** What `metadataOf` writes only when it has a value: dropped from the old metadata before an update merges in the new. */
const OPTIONAL_METADATA = [
  'post_logout_redirect_uris',
  'logo_uri',
  'jwks_uri',
  'jwks',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
];

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** A stored client as the shape checks see it. */
function shapeOf(r: ClientRecord): ClientShape & { name: string } {
  const authMethod = String(r.metadata.token_endpoint_auth_method ?? 'client_secret_basic');
  return {
    clientId: r.clientId,
    name: String(r.metadata.client_name ?? r.clientId),
    grantTypes: strings(r.metadata.grant_types),
    redirectUris: strings(r.metadata.redirect_uris),
    postLogoutRedirectUris: strings(r.metadata.post_logout_redirect_uris),
    isPublic: authMethod === 'none',
    authMethod,
    ...(typeof r.metadata.jwks_uri === 'string' ? { jwksUri: r.metadata.jwks_uri } : {}),
    ...(r.metadata.jwks !== undefined ? { jwks: r.metadata.jwks as ClientJwks } : {}),
    serviceAccount: r.serviceAccount,
    backchannelLogoutUri:
      typeof r.metadata.backchannel_logout_uri === 'string' ? r.metadata.backchannel_logout_uri : null,
    backchannelLogoutSessionRequired: r.metadata.backchannel_logout_session_required === true,
    logoUri: typeof r.metadata.logo_uri === 'string' ? r.metadata.logo_uri : null,
  };
}

/** The shape after an update: new keys replace both old ones; a method without keys drops them. */
function updatedKeys(old: ClientShape, changes: ClientUpdate) {
  const authMethod = changes.authMethod ?? old.authMethod;
  assertThat((authMethod === 'none') === old.isPublic, fail('client.invalid', { problem: 'auth_method_public' }));
  const given = changes.jwksUri !== undefined || changes.jwks !== undefined;
  const keys = given
    ? { jwksUri: changes.jwksUri, jwks: changes.jwks }
    : authMethod === 'private_key_jwt'
      ? { jwksUri: old.jwksUri, jwks: old.jwks }
      : { jwksUri: undefined, jwks: undefined };
  return { authMethod, ...keys };
}

/** Field → [old, new] for the values that differ. */
function diff(before: object, after: object): Record<string, [unknown, unknown]> {
  const [b, a] = [before as Record<string, unknown>, after as Record<string, unknown>];
  const out: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(a))
    if (JSON.stringify(b[key]) !== JSON.stringify(a[key])) out[key] = [b[key] ?? null, a[key] ?? null];
  return out;
}

const indicatorValid = (indicator: string) => URL.canParse(indicator) && !new URL(indicator).hash;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;

/**
 * OIDC clients and resource servers as operators register them (CLI and admin
 * API): checked, stored and audited in one transaction; a secret is shown once.
 * Each write forgets the cached copy once it has committed, so this instance's
 * provider sees a changed, rotated or deleted client at its next request (others
 * within the repositories' cache time).
 *
 * Errors: `client.invalid` 400, `client.not_found` 404, `client.exists` 409,
 * `client.built_in` 409, `admin_api.forbidden_role` 403 (a super_admin service
 * account by anyone else), `account.not_found` / `account_group.not_found` 404
 * (a manager's scopes); `resource.invalid` 400, `resource.not_found` 404,
 * `resource.exists` / `resource.built_in` / `resource.in_use` 409.
 */
export function createClientRegistryService(deps: {
  transact: Transact;
  clients: ClientsRepository;
  resources: ResourceServersRepository;
  payloads: OidcPayloadsRepository;
  accounts: AccountsRepository;
  accountGroups: AccountGroupsRepository;
  audit: AuditService;
  clock: Clock;
  /** Gatehouse's own client and APIs: never deleted (the server makes them at start). */
  builtIn: { clients: readonly string[]; resources: readonly string[] };
}) {
  const { transact, clients, resources, audit } = deps;

  async function find(clientId: string, trx?: Executor, lock = false): Promise<ClientRecord> {
    const found = await clients.find(clientId, trx, lock);
    assertThat(found, () => fail('client.not_found', { clientId }));
    return found;
  }

  /** A service account this operator may give, naming accounts and groups that exist. */
  async function checkServiceAccount(account: ServiceAccount | null | undefined, by: Operator, trx: Executor) {
    if (!account) return;
    assertThat(mayGrant(by.powers, account.role), () => fail('admin_api.forbidden_role', { role: account.role }));
    const accounts = await deps.accounts.existing(account.accountIds, trx);
    const missingAccounts = account.accountIds.filter((id) => !accounts.has(id));
    assertThat(!missingAccounts.length, () => fail('account.not_found', { ids: missingAccounts }));
    const groups = await deps.accountGroups.existing(account.accountGroupIds, trx);
    const missingGroups = account.accountGroupIds.filter((id) => !groups.has(id));
    assertThat(!missingGroups.length, () => fail('account_group.not_found', { ids: missingGroups }));
  }

  /** Only someone who may grant a service account's role changes or deletes its client. */
  // Gatehouse's own client and APIs are made at start-up and stay as made: a third-party
  // client given the admin scope, or a changed redirect URI, would open the admin API.
  const assertNotBuiltInClient = (clientId: string) =>
    assertThat(!deps.builtIn.clients.includes(clientId), () => fail('client.built_in', { clientId }));
  const assertNotBuiltInResource = (indicator: string) =>
    assertThat(!deps.builtIn.resources.includes(indicator), () => fail('resource.built_in', { indicator }));
  const mayManage = (client: ClientRecord, by: Operator) => {
    const role = client.serviceAccount?.role;
    assertThat(!role || mayGrant(by.powers, role), () => fail('admin_api.forbidden_role', { role: role ?? '' }));
  };

  return {
    list: () => clients.list(),
    get: (clientId: string) => find(clientId),
    /** Whether a client or resource server is Gatehouse's own (shown read-only, never changed or deleted). */
    isBuiltIn: (id: string) => deps.builtIn.clients.includes(id) || deps.builtIn.resources.includes(id),

    async register(input: NewClient, by: Operator) {
      const { clientId } = input;
      const authMethod = input.authMethod ?? (input.isPublic ? 'none' : 'client_secret_basic');
      const isPublic = authMethod === 'none';
      assertThat(/^[\w.:-]{1,128}$/.test(clientId), fail('client.invalid', { problem: 'client_id' }));
      assertThat(!(isPublic && input.secret), fail('client.invalid', { problem: 'public_with_secret' }));
      // `isPublic` is `authMethod: none`: saying it with another method is a contradiction.
      assertThat(!input.isPublic || isPublic, fail('client.invalid', { problem: 'auth_method' }));
      const shape = {
        clientId,
        name: input.name ?? clientId,
        grantTypes: input.grantTypes,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
        isPublic,
        authMethod,
        jwksUri: input.jwksUri,
        jwks: input.jwks,
        serviceAccount: input.serviceAccount ?? null,
        backchannelLogoutUri: input.backchannelLogoutUri ?? null,
        backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired ?? false,
        logoUri: input.logoUri ?? null,
      };
      checkShape(shape);
      const resourceServer = input.resourceServer ?? null;
      if (resourceServer !== null) {
        assertThat(!isPublic, fail('client.invalid', { problem: 'public_resource_server' }));
        assertThat(
          Boolean(await resources.find(resourceServer)),
          fail('client.invalid', { problem: 'unknown_resource_server', indicator: resourceServer }),
        );
      }
      // A private_key_jwt client authenticates with its keys: it gets a secret only when given one.
      const secret = isPublic ? null : (input.secret ?? (usesSecret(authMethod) ? randomToken(32) : null));
      const metadata = metadataOf(shape);
      await transact(async (trx) => {
        // Two registrations at once: the second insert is a unique violation (409 conflict.unique).
        assertThat(!(await clients.find(clientId, trx)), fail('client.exists', { clientId }));
        await checkServiceAccount(shape.serviceAccount, by, trx);
        await clients.insert({ clientId, metadata, secret, firstParty: input.firstParty, resourceServer }, trx);
        if (shape.serviceAccount) await clients.setServiceAccount(clientId, shape.serviceAccount, trx);
        await audit.by(by).record(
          {
            action: 'client.created',
            targetType: 'client',
            targetId: clientId,
            changes: {
              grantTypes: [null, input.grantTypes],
              authMethod: [null, authMethod],
              firstParty: [null, input.firstParty],
              ...(resourceServer ? { resourceServer: [null, resourceServer] } : {}),
              ...(shape.serviceAccount ? { serviceAccount: [null, shape.serviceAccount] } : {}),
            },
          },
          trx,
        );
      });
      clients.forget(clientId);
      return {
        client_id: clientId,
        ...(secret ? { client_secret: secret } : {}),
        first_party: input.firstParty,
        ...(resourceServer ? { resource_server: resourceServer } : {}),
        ...(shape.serviceAccount ? { service_account: shape.serviceAccount } : {}),
        ...metadata,
      };
    },

    /** Changes names, URIs, grant types, first-party and the service account; the result must still be a valid client. */
    async update(clientId: string, changes: ClientUpdate, by: Operator): Promise<ClientRecord> {
      assertNotBuiltInClient(clientId);
      const after = await transact(async (trx) => {
        const before = await find(clientId, trx, true);
        const old = shapeOf(before);
        const shape = {
          ...old,
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.logoUri !== undefined ? { logoUri: changes.logoUri } : {}),
          ...(changes.grantTypes ? { grantTypes: changes.grantTypes } : {}),
          ...(changes.redirectUris ? { redirectUris: changes.redirectUris } : {}),
          ...(changes.postLogoutRedirectUris ? { postLogoutRedirectUris: changes.postLogoutRedirectUris } : {}),
          ...(changes.serviceAccount !== undefined ? { serviceAccount: changes.serviceAccount } : {}),
          ...updatedKeys(old, changes),
          ...(changes.backchannelLogoutUri !== undefined ? { backchannelLogoutUri: changes.backchannelLogoutUri } : {}),
          ...(changes.backchannelLogoutSessionRequired !== undefined
            ? { backchannelLogoutSessionRequired: changes.backchannelLogoutSessionRequired }
            : {}),
        };
        checkShape(shape);
        assertThat(
          !usesSecret(shape.authMethod) || before.hasSecret,
          fail('client.invalid', { problem: 'needs_secret' }),
        );
        const firstParty = changes.firstParty ?? before.firstParty;
        const fields = { ...shape, firstParty };
        const changed = diff({ ...old, firstParty: before.firstParty }, fields);
        delete changed.clientId;
        delete changed.isPublic;
        if (!Object.keys(changed).length) return before;
        mayManage(before, by);
        if (changed.serviceAccount) {
          await checkServiceAccount(shape.serviceAccount, by, trx);
          await clients.setServiceAccount(clientId, shape.serviceAccount, trx);
        }
        const kept = Object.fromEntries(
          Object.entries(before.metadata).filter(([key]) => !OPTIONAL_METADATA.includes(key)),
        );
        await clients.update(clientId, { metadata: { ...kept, ...metadataOf(shape) }, firstParty }, trx);
        await audit
          .by(by)
          .record({ action: 'client.updated', targetType: 'client', targetId: clientId, changes: changed }, trx);
        return find(clientId, trx);
      });
      clients.forget(clientId);
      return after;
    },

    /** Deletes the client and revokes everything issued to it: grants, codes, refresh and opaque access tokens. */
    async remove(clientId: string, by: Operator): Promise<{ clientId: string; revoked: number }> {
      assertNotBuiltInClient(clientId);
      const revoked = await transact(async (trx) => {
        const before = await find(clientId, trx, true);
        mayManage(before, by);
        const n = await deps.payloads.revokeClient(clientId, trx);
        await clients.remove(clientId, trx);
        await audit.by(by).record(
          {
            action: 'client.deleted',
            targetType: 'client',
            targetId: clientId,
            changes: {
              grantTypes: [before.metadata.grant_types ?? null, null],
              ...(before.serviceAccount ? { serviceAccount: [before.serviceAccount, null] } : {}),
            },
            details: { revokedPayloads: n },
          },
          trx,
        );
        return n;
      });
      clients.forget(clientId);
      return { clientId, revoked };
    },

    /**
     * A new secret, returned once. The old one keeps working for `graceSeconds`
     * (0: it stops at once), so the application can be given the new one first.
     */
    async rotateSecret(clientId: string, graceSeconds: number, by: Operator) {
      const now = deps.clock.now();
      const graceUntil = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null;
      const secret = randomToken(32);
      await transact(async (trx) => {
        const before = await find(clientId, trx, true);
        assertThat(!shapeOf(before).isPublic, fail('client.invalid', { problem: 'public_no_secret' }));
        mayManage(before, by);
        await clients.rotateSecret(clientId, secret, graceUntil, trx);
        await audit.by(by).record(
          {
            action: 'client.secret_rotated',
            targetType: 'client',
            targetId: clientId,
            details: { graceSeconds, previousSecretExpiresAt: graceUntil?.toISOString() ?? null },
          },
          trx,
        );
      });
      clients.forget(clientId);
      return {
        client_id: clientId,
        client_secret: secret,
        previous_secret_expires_at: graceUntil?.toISOString() ?? null,
      };
    },

    listResources: () => resources.list(),

    async getResource(indicator: string): Promise<ResourceServer> {
      const found = await resources.find(indicator);
      assertThat(found, () => fail('resource.not_found', { indicator }));
      return found;
    },

    /** A new resource server; `replace` (the CLI's `resource create`) overwrites one of the same indicator. */
    async createResource(input: ResourceServer, by: Operator, replace = false): Promise<ResourceServer> {
      assertNotBuiltInResource(input.indicator);
      checkResource(input);
      const made = await transact(async (trx) => {
        const before = await resources.lock(input.indicator, trx);
        assertThat(replace || !before, () => fail('resource.exists', { indicator: input.indicator }));
        const saved = await resources.create(input, trx);
        await audit.by(by).record(
          {
            action: before ? 'resource.updated' : 'resource.created',
            targetType: 'resource',
            targetId: input.indicator,
            changes: diff(before ?? {}, saved),
          },
          trx,
        );
        return saved;
      });
      resources.forget(input.indicator);
      return made;
    },

    async updateResource(
      indicator: string,
      changes: Partial<Omit<ResourceServer, 'indicator'>>,
      by: Operator,
    ): Promise<ResourceServer> {
      assertNotBuiltInResource(indicator);
      checkResource({ indicator, ...changes });
      const after = await transact(async (trx) => {
        const before = await resources.lock(indicator, trx);
        assertThat(before, () => fail('resource.not_found', { indicator }));
        const saved = await resources.update(indicator, changes, trx);
        assertThat(saved, () => fail('resource.not_found', { indicator }));
        const changed = diff(before, saved);
        if (Object.keys(changed).length)
          await audit
            .by(by)
            .record({ action: 'resource.updated', targetType: 'resource', targetId: indicator, changes: changed }, trx);
        return saved;
      });
      resources.forget(indicator);
      return after;
    },

    /** Deletes a resource server no client is registered as; tokens already issued for it live out their time. */
    async removeResource(indicator: string, by: Operator): Promise<void> {
      assertNotBuiltInResource(indicator);
      await transact(async (trx) => {
        const n = await resources.clientCount(indicator, trx);
        assertThat(n === 0, () => fail('resource.in_use', { indicator, clients: n }));
        assertThat(await resources.remove(indicator, trx), () => fail('resource.not_found', { indicator }));
        await audit.by(by).record({ action: 'resource.deleted', targetType: 'resource', targetId: indicator }, trx);
      });
      resources.forget(indicator);
    },
  };
}
export type ClientRegistryService = ReturnType<typeof createClientRegistryService>;

function checkResource(r: Partial<ResourceServer> & { indicator: string }): void {
  assertThat(indicatorValid(r.indicator), fail('resource.invalid', { problem: 'indicator' }));
  for (const scope of r.scopes ?? [])
    assertThat(SCOPE.test(scope), () => fail('resource.invalid', { problem: 'scope', scope }));
  const ttl = r.accessTokenTtl;
  assertThat(
    ttl === undefined || ttl === null || (Number.isInteger(ttl) && ttl >= RESOURCE_TTL.min && ttl <= RESOURCE_TTL.max),
    () => fail('resource.invalid', { problem: 'ttl', ...RESOURCE_TTL }),
  );
}
