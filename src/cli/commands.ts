import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import { LICENCE_KEY, LICENCE_KEY_MAX } from '../domain/licence.js';
import { isRole, isStatus, ROLES, STATUSES, type Role } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { CLI_ACTOR, type AuditLogService } from '../services/audit.js';
import { IMPORT_KEYS, IMPORT_MODES, type ImportKey, type ImportMode } from '../domain/import-job.js';
import type { ImportCounts, ImportJob } from '../repositories/import-jobs.js';
import { MAX_SECRET_GRACE_SECONDS, RESOURCE_TTL, type ClientRegistryService } from '../services/client-registry.js';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, type ClientJwks } from '../domain/client-authentication.js';
import type { Operator } from '../domain/operator.js';
import type { ServiceAccount } from '../domain/service-account.js';
import type { IdentityService } from '../services/identity.js';
import type { LicencesService } from '../services/licences.js';
import type { MailerService } from '../services/mailer.js';
import type { MfaService } from '../services/mfa.js';
import type { ScimAuthService } from '../services/scim-auth.js';
import type { SettingsService } from '../services/settings.js';
import type { SigningKeysService } from '../services/signing-keys.js';
import type { UserImportService } from '../services/user-import.js';
import type { UserLifecycleService } from '../services/user-lifecycle.js';
import type { WebhooksService } from '../services/webhooks.js';
import { WEBHOOK_EVENTS } from '../policies/webhook-events.js';
import type { IdentityProvidersService } from '../services/identity-providers.js';
import { MAPPABLE_ROLES, type MappableRole } from '../domain/identity-provider.js';
import { isUuid } from '../util/uuid.js';
import { closest } from '../util/edit-distance.js';
import { USER_LIST_QUERY, USER_LIST_QUERY_FIELDS, userListPage } from '../http/routes/admin/user-list.js';
import type { UserAdminService } from '../services/user-admin.js';
import type { Clock } from '../util/clock.js';

/** Parsed options: a `whole` option is already a number. */
type Opts = Record<string, string | boolean | string[] | number | undefined>;

/** What a command has besides its options: where the operator stands, and their terminal's progress line. */
export interface CommandIo {
  /** The operator's directory: FILE arguments are relative to it (also when the server runs the command). */
  cwd: string;
  /** How far a long command is, 0 to 1. */
  progress: (fraction: number, label: string) => void;
}

/** No terminal: the process's directory, no progress shown. */
export const QUIET_IO: CommandIo = { cwd: process.cwd(), progress: () => {} };

/** The services the commands use. */
export interface CliServices {
  config: Config;
  clock: Clock;
  identity: IdentityService;
  /** The admin API's user administration (`user list`). */
  users: UserAdminService;
  mfa: MfaService;
  clients: ClientRegistryService;
  scimTokens: ScimAuthService;
  signingKeys: SigningKeysService;
  auditLog: AuditLogService;
  settings: SettingsService;
  imports: UserImportService;
  mailer: MailerService;
  lifecycle: UserLifecycleService;
  licences: LicencesService;
  webhooks: WebhooksService;
  identityProviders: IdentityProvidersService;
}

export interface Command {
  usage: string;
  /** `whole: [min, max]`: a whole number in that range, checked before any database is opened. */
  options?: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; whole?: readonly [number, number] }>;
  run: (c: CliServices, opts: Opts, positionals: string[], io?: CommandIo) => Promise<unknown>;
  /** Why a result is a failure (exit 1, the result still printed); undefined when it is not. */
  failed?(result: unknown): string | undefined;
}

const usage = (problem: string) => fail('cli.usage', { problem });
const str = (v: unknown) => (typeof v === 'string' && v.length ? v : undefined);
const need = (opts: Opts, name: string) => {
  const v = str(opts[name]);
  assertThat(v, usage(`--${name} is required`));
  return v;
};

const licenceKey = (key: string | undefined) => {
  assertThat(key, usage('which licence type? Give its key'));
  assertThat(
    key.length <= LICENCE_KEY_MAX && LICENCE_KEY.test(key),
    usage('a licence key is lower-case letters, digits, _ . - (starting with a letter or digit)'),
  );
  return key;
};
/** `--name N`, a whole number from `min` to `max`; undefined when not given. `abc`, `1.5`, `1e3` or `-1` are refused. */
function wholeNumber(o: Opts, name: string, min: number, max: number): number | undefined {
  const given = o[name];
  if (given === undefined) return undefined;
  const n = typeof given === 'string' && /^\d{1,15}$/.test(given) ? Number(given) : Number.NaN;
  assertThat(n >= min && n <= max, usage(`--${name} must be a whole number from ${min} to ${max}, not "${given}"`));
  return n;
}
/** `--seats N` (a whole number), `--seats none` (no limit), or not given (undefined). */
const seatsOption = (o: Opts) => (o.seats === 'none' ? null : wholeNumber(o, 'seats', 0, 99_999_999));
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
/** The CLI acts with every power (the operator has the server's shell), named `cli` in the audit. */
const CLI_OPERATOR: Operator = { actor: CLI_ACTOR, ip: null, powers: { role: 'super_admin', scope: { all: true } } };
const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
const grantTypes = (o: Opts) =>
  str(o['grant-types'])
    ?.split(',')
    .map((g) => g.trim())
    .filter(Boolean);
const SERVICE_ACCOUNT_OPTIONS = {
  'service-account-role': { type: 'string' },
  'managed-account': { type: 'string', multiple: true },
  'managed-account-group': { type: 'string', multiple: true },
} as const;
/** `--service-account-role R` (a manager with `--managed-account ID` / `--managed-account-group ID`), or undefined. */
function serviceAccount(o: Opts): ServiceAccount | undefined {
  const role = str(o['service-account-role']);
  const accountIds = list(o['managed-account']) ?? [];
  const accountGroupIds = list(o['managed-account-group']) ?? [];
  assertThat(
    role || !(accountIds.length || accountGroupIds.length),
    usage('--managed-account needs --service-account-role manager'),
  );
  if (!role) return undefined;
  assertThat(isRole(role), usage(`--service-account-role must be one of ${ROLES.join(', ')}`));
  return { role, accountIds, accountGroupIds };
}

const kebabCase = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
/** `user list`'s options: the admin API's list query (`?accountId=` is `--account-id`), `--cf KEY=VALUE` repeatable. */
const USER_LIST_OPTIONS: Record<string, { type: 'string'; multiple?: true }> = Object.fromEntries(
  Object.keys(USER_LIST_QUERY_FIELDS).map((key) => [
    kebabCase(key),
    key === 'cf' ? { type: 'string', multiple: true } : { type: 'string' },
  ]),
);
/** What each of `user list`'s options takes, in its usage (a comma-separated list when not named here). */
const USER_LIST_ARGS: Record<string, string> = {
  q: 'TEXT',
  'account-id': 'ID',
  'account-group-id': 'ID',
  'group-id': 'ID',
  'created-from': 'DATE',
  'created-to': 'DATE',
  'last-sign-in-from': 'DATE',
  'last-sign-in-to': 'DATE',
  'never-signed-in': 'true|false',
  employment: 'current|ended|any',
  sort: 'KEY',
  cf: 'KEY=VALUE',
  limit: 'N',
  cursor: 'C',
};

const CLIENT_AUTH_OPTIONS = {
  'auth-method': { type: 'string' },
  'jwks-uri': { type: 'string' },
  jwks: { type: 'string' },
} as const;
/** `--auth-method M [--jwks-uri URL | --jwks FILE]`: the file (relative to the operator's directory) holds a JWKS. */
async function clientAuth(o: Opts, io: CommandIo) {
  const method = str(o['auth-method']);
  assertThat(
    method === undefined || (CLIENT_AUTH_METHODS as readonly string[]).includes(method),
    usage(`--auth-method must be one of ${CLIENT_AUTH_METHODS.join(', ')}`),
  );
  const file = str(o.jwks);
  const path = file && resolve(io.cwd, file);
  const text = path && (await readFile(path, 'utf8').catch(() => undefined));
  assertThat(!path || text !== undefined, () => fail('cli.file_not_found', { path: path || '' }));
  let jwks: ClientJwks | undefined;
  try {
    jwks = text ? (JSON.parse(text) as ClientJwks) : undefined;
  } catch {
    throw usage('--jwks must name a file holding a JSON Web Key Set ({"keys": [...]})');
  }
  return { authMethod: method as ClientAuthMethod | undefined, jwksUri: str(o['jwks-uri']), jwks };
}
const BACKCHANNEL_OPTIONS = {
  'backchannel-logout-uri': { type: 'string' },
  'backchannel-logout-session-required': { type: 'boolean' },
} as const;
/** `--backchannel-logout-uri URI [--backchannel-logout-session-required]`: where the client is told of a session's end. */
const backchannelLogout = (o: Opts) => ({
  backchannelLogoutUri: str(o['backchannel-logout-uri']),
  backchannelLogoutSessionRequired: o['backchannel-logout-session-required'] === true ? true : undefined,
});

/** Every operator command: `gatehouse <name…> [options]`. */
export const COMMANDS: Record<string, Command> = {
  migrate: {
    usage: 'migrate',
    run: async () => ({ migrated: true }),
  },

  'user create': {
    usage:
      'user create --email E --password P --role R [--status S] [--given-name G] [--family-name F] [--user-code C]',
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      status: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      'user-code': { type: 'string' },
    },
    async run(c, o) {
      const email = need(o, 'email');
      assertThat(z.email().safeParse(email).success, usage(`--email: "${email}" is not an email address`));
      const role = need(o, 'role');
      assertThat(isRole(role), usage(`--role must be one of ${ROLES.join(', ')}`));
      const status = str(o.status) ?? 'active';
      assertThat(isStatus(status), usage(`--status must be one of ${STATUSES.join(', ')}`));
      return c.identity.create(
        {
          email,
          password: need(o, 'password'),
          role,
          status,
          givenName: str(o['given-name']),
          familyName: str(o['family-name']),
          userCode: str(o['user-code']),
        },
        CLI_ACTOR,
      );
    },
  },

  'user show': {
    usage: 'user show <email|id|userCode>',
    async run(c, _o, [identifier]) {
      assertThat(identifier, usage('which user? Give an email, id or userCode'));
      const user = await c.identity.find(identifier);
      return { ...user, roles: await c.identity.roleAssignments(user.id) };
    },
  },

  'user list': {
    usage: `user list ${Object.keys(USER_LIST_OPTIONS)
      .map((name) => `[--${name} ${USER_LIST_ARGS[name] ?? 'a,b'}]`)
      .join(
        ' ',
      )} (a page of the users, as GET /admin/api/users: --sort KEY or --sort=-KEY, --limit 1 to 200, default 50)`,
    options: USER_LIST_OPTIONS,
    async run(c, o) {
      const query: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(o)) {
        if (name !== 'cf') query[camelCase(name)] = value;
        else
          for (const condition of value as string[]) {
            const [key, ...rest] = condition.split('=');
            assertThat(key && rest.length, usage('--cf is KEY=VALUE (or KEY.from=VALUE, KEY.to=VALUE)'));
            query[`cf.${key}`] = [...((query[`cf.${key}`] as string[] | undefined) ?? []), rest.join('=')];
          }
      }
      const parsed = USER_LIST_QUERY.safeParse(query);
      if (!parsed.success) {
        const [issue] = parsed.error.issues;
        const option = String(issue?.path[0] ?? '');
        throw usage(`--${option.startsWith('cf') ? 'cf' : kebabCase(option)}: ${issue?.message}`);
      }
      return userListPage(c.users, parsed.data, CLI_OPERATOR);
    },
  },

  'user set-password': {
    usage: 'user set-password <email|id|userCode> --password P',
    options: { password: { type: 'string' } },
    async run(c, o, [identifier]) {
      assertThat(identifier, usage('which user? Give an email, id or userCode'));
      const user = await c.identity.find(identifier);
      // An operator setting a password is a completed reset: it lifts a lock.
      await c.identity.setPassword(user.id, need(o, 'password'), CLI_ACTOR, { reset: true });
      return { id: user.id, passwordChanged: true };
    },
  },

  'user set-status': {
    usage: `user set-status <email|id|userCode> --status (${STATUSES.join('|')})`,
    options: { status: { type: 'string' } },
    async run(c, o, [identifier]) {
      assertThat(identifier, usage('which user? Give an email, id or userCode'));
      const status = need(o, 'status');
      assertThat(isStatus(status), usage(`--status must be one of ${STATUSES.join(', ')}`));
      const user = await c.identity.find(identifier);
      return c.identity.setStatus(user.id, status, CLI_ACTOR);
    },
  },

  'user restore': {
    usage:
      'user restore <id> (a deleted user, by the id `GET /admin/api/users?status=deleted` shows: back as inactive)',
    async run(c, _o, [id]) {
      assertThat(id && isUuid(id), usage("which user? Give the deleted user's id"));
      return c.lifecycle.restore(id, CLI_OPERATOR);
    },
  },

  'user approve': {
    usage: 'user approve <email|id|userCode> (a pending user becomes active and is told by mail)',
    async run(c, _o, [identifier]) {
      assertThat(identifier, usage('which user? Give an email, id or userCode'));
      const user = await c.identity.find(identifier);
      return c.lifecycle.approve(user.id, CLI_OPERATOR);
    },
  },

  'user reset-mfa': {
    usage: 'user reset-mfa <email|id|userCode> (removes TOTP, passkeys and recovery codes; clears the MFA lock)',
    async run(c, _o, [identifier]) {
      assertThat(identifier, usage('which user? Give an email, id or userCode'));
      const user = await c.identity.find(identifier);
      await c.mfa.reset(user.id, CLI_ACTOR);
      return { id: user.id, mfaReset: true };
    },
  },

  'client create': {
    usage:
      'client create --client-id ID [--secret S] --redirect-uri URI (repeatable) [--grant-types a,b] [--public] [--first-party] [--name N] [--logo-uri HTTPS-URL] [--post-logout-redirect-uri URI] [--resource-server INDICATOR] [--backchannel-logout-uri URI [--backchannel-logout-session-required]] [--service-account-role ROLE [--managed-account ID] [--managed-account-group ID]] [--auth-method client_secret_basic|client_secret_post|client_secret_jwt|private_key_jwt [--jwks-uri URL | --jwks FILE]]',
    options: {
      'client-id': { type: 'string' },
      ...BACKCHANNEL_OPTIONS,
      secret: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'grant-types': { type: 'string' },
      public: { type: 'boolean' },
      'first-party': { type: 'boolean' },
      name: { type: 'string' },
      'logo-uri': { type: 'string' },
      'resource-server': { type: 'string' },
      ...SERVICE_ACCOUNT_OPTIONS,
      ...CLIENT_AUTH_OPTIONS,
    },
    async run(c, o, _p, io = QUIET_IO) {
      return c.clients.register(
        {
          ...(await clientAuth(o, io)),
          clientId: need(o, 'client-id'),
          name: str(o.name),
          logoUri: str(o['logo-uri']),
          secret: str(o.secret),
          redirectUris: list(o['redirect-uri']) ?? [],
          postLogoutRedirectUris: list(o['post-logout-redirect-uri']),
          grantTypes: grantTypes(o) ?? ['authorization_code'],
          isPublic: o.public === true,
          firstParty: o['first-party'] === true,
          resourceServer: str(o['resource-server']),
          serviceAccount: serviceAccount(o),
          ...backchannelLogout(o),
        },
        CLI_OPERATOR,
      );
    },
  },

  'client list': {
    usage: 'client list (without secrets)',
    run: (c) => c.clients.list(),
  },

  'client show': {
    usage: 'client show <client-id>',
    async run(c, _o, [clientId]) {
      assertThat(clientId, usage('which client? Give its client id'));
      return c.clients.get(clientId);
    },
  },

  'client update': {
    usage:
      'client update <client-id> [--name N] [--logo-uri HTTPS-URL | --no-logo] [--redirect-uri URI (repeatable)] [--post-logout-redirect-uri URI (repeatable)] [--grant-types a,b] [--first-party | --third-party] [--backchannel-logout-uri URI | --no-backchannel-logout] [--backchannel-logout-session-required] [--service-account-role ROLE [--managed-account ID] [--managed-account-group ID] | --no-service-account] [--auth-method M] [--jwks-uri URL | --jwks FILE] (a list given replaces the old one)',
    options: {
      name: { type: 'string' },
      'logo-uri': { type: 'string' },
      'no-logo': { type: 'boolean' },
      ...BACKCHANNEL_OPTIONS,
      'no-backchannel-logout': { type: 'boolean' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'grant-types': { type: 'string' },
      'first-party': { type: 'boolean' },
      'third-party': { type: 'boolean' },
      ...SERVICE_ACCOUNT_OPTIONS,
      'no-service-account': { type: 'boolean' },
      ...CLIENT_AUTH_OPTIONS,
    },
    async run(c, o, [clientId], io = QUIET_IO) {
      assertThat(clientId, usage('which client? Give its client id'));
      assertThat(!(o['first-party'] && o['third-party']), usage('--first-party or --third-party, not both'));
      const account = serviceAccount(o);
      assertThat(!(account && o['no-service-account']), usage('--service-account-role or --no-service-account'));
      return c.clients.update(
        clientId,
        {
          name: str(o.name),
          logoUri: o['no-logo'] ? null : str(o['logo-uri']),
          redirectUris: list(o['redirect-uri']),
          postLogoutRedirectUris: list(o['post-logout-redirect-uri']),
          grantTypes: grantTypes(o),
          firstParty: o['first-party'] ? true : o['third-party'] ? false : undefined,
          serviceAccount: o['no-service-account'] ? null : account,
          ...(await clientAuth(o, io)),
          ...backchannelLogout(o),
          ...(o['no-backchannel-logout'] ? { backchannelLogoutUri: null } : {}),
        },
        CLI_OPERATOR,
      );
    },
  },

  'client delete': {
    usage: 'client delete <client-id> (revokes its grants, codes and tokens)',
    async run(c, _o, [clientId]) {
      assertThat(clientId, usage('which client? Give its client id'));
      return c.clients.remove(clientId, CLI_OPERATOR);
    },
  },

  'client rotate-secret': {
    usage:
      'client rotate-secret <client-id> [--grace SECONDS] (the new secret is shown once; the old one works SECONDS more, default 0)',
    options: { grace: { type: 'string', whole: [0, MAX_SECRET_GRACE_SECONDS] } },
    async run(c, o, [clientId]) {
      assertThat(clientId, usage('which client? Give its client id'));
      const grace = num(o.grace) ?? 0;
      return c.clients.rotateSecret(clientId, grace, CLI_OPERATOR);
    },
  },

  'resource create': {
    usage:
      'resource create --indicator URL --scopes "a b" [--ttl SECONDS] [--first-party-only] (replaces one of the same indicator)',
    options: {
      indicator: { type: 'string' },
      scopes: { type: 'string' },
      ttl: { type: 'string', whole: [RESOURCE_TTL.min, RESOURCE_TTL.max] },
      'first-party-only': { type: 'boolean' },
    },
    async run(c, o) {
      const indicator = need(o, 'indicator');
      assertThat(
        URL.canParse(indicator) && !new URL(indicator).hash,
        usage('--indicator must be an absolute URL without a fragment'),
      );
      const scopes = (str(o.scopes) ?? '').split(/\s+/).filter(Boolean);
      const ttl = num(o.ttl) ?? null;
      return c.clients.createResource(
        { indicator, scopes, accessTokenTtl: ttl, firstPartyOnly: o['first-party-only'] === true },
        CLI_OPERATOR,
        true,
      );
    },
  },

  'resource list': {
    usage: 'resource list',
    run: (c) => c.clients.listResources(),
  },

  'resource delete': {
    usage: 'resource delete <indicator> (refused while a client is registered as it)',
    async run(c, _o, [indicator]) {
      assertThat(indicator, usage('which resource server? Give its indicator'));
      await c.clients.removeResource(indicator, CLI_OPERATOR);
      return { indicator, deleted: true };
    },
  },

  'webhook create': {
    usage: `webhook create --url URL --events a,b (of ${WEBHOOK_EVENTS.join(', ')}; the signing secret is shown once)`,
    options: { url: { type: 'string' }, events: { type: 'string' } },
    run: (c, o) =>
      c.webhooks.create(
        {
          url: need(o, 'url'),
          events: need(o, 'events')
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean),
        },
        CLI_OPERATOR,
      ),
  },

  'webhook list': {
    usage: 'webhook list (without secrets)',
    run: (c) => c.webhooks.list(),
  },

  'webhook delete': {
    usage: 'webhook delete <id> (with its delivery log)',
    async run(c, _o, [id]) {
      assertThat(id && isUuid(id), usage('which webhook? Give its id'));
      await c.webhooks.remove(id, CLI_OPERATOR);
      return { id, deleted: true };
    },
  },

  'idp create': {
    usage:
      'idp create --type oidc --name N --issuer URL --client-id ID --client-secret S | --type saml --name N --metadata-url URL | --metadata-file F ' +
      '[--display-name T] [--domains a.example,b.example] [--required] [--shown] [--trusted-for-mfa] [--jit-role ROLE] ' +
      '(prints the redirect URI and ACS URL to register upstream)',
    options: {
      type: { type: 'string' },
      name: { type: 'string' },
      'display-name': { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      scopes: { type: 'string' },
      'metadata-url': { type: 'string' },
      'metadata-file': { type: 'string' },
      domains: { type: 'string' },
      required: { type: 'boolean' },
      shown: { type: 'boolean' },
      'trusted-for-mfa': { type: 'boolean' },
      'jit-role': { type: 'string' },
    },
    async run(c, o, _p, io = QUIET_IO) {
      const type = need(o, 'type');
      assertThat(type === 'oidc' || type === 'saml', usage('--type must be oidc or saml'));
      const jitRole = str(o['jit-role']);
      assertThat(
        !jitRole || (MAPPABLE_ROLES as readonly string[]).includes(jitRole),
        usage(`--jit-role must be one of ${MAPPABLE_ROLES.join(', ')}`),
      );
      const file = str(o['metadata-file']);
      const path = file && resolve(io.cwd, file);
      const metadataXml = path ? await readFile(path, 'utf8').catch(() => undefined) : undefined;
      assertThat(!path || metadataXml !== undefined, () => fail('cli.file_not_found', { path: path || '' }));
      const words = (v: unknown, sep: RegExp) =>
        str(v)
          ?.split(sep)
          .map((w) => w.trim())
          .filter(Boolean);
      const provider = await c.identityProviders.create(
        {
          type,
          name: need(o, 'name'),
          displayName: str(o['display-name']),
          domains: words(o.domains, /,/) ?? [],
          required: o.required === true,
          shownPublicly: o.shown === true,
          trustedForMfa: o['trusted-for-mfa'] === true,
          ...(jitRole && { jit: { enabled: true, role: jitRole as MappableRole } }),
          ...(type === 'oidc'
            ? {
                oidc: {
                  issuer: need(o, 'issuer'),
                  clientId: need(o, 'client-id'),
                  clientSecret: need(o, 'client-secret'),
                  scopes: words(o.scopes, /[\s,]+/),
                },
              }
            : { saml: { metadataUrl: str(o['metadata-url']) ?? null, metadataXml: metadataXml ?? null } }),
        },
        CLI_OPERATOR,
      );
      return { ...provider, ...c.identityProviders.endpoints(provider.name) };
    },
  },

  'idp list': {
    usage: 'idp list (without secrets)',
    run: (c) => c.identityProviders.list(),
  },

  'idp delete': {
    usage: 'idp delete <name> (with its domains and links; the users stay)',
    async run(c, _o, [name]) {
      assertThat(name, usage('which identity provider? Give its name'));
      const removed = await c.identityProviders.remove(name, CLI_OPERATOR);
      return { name: removed.name, deleted: true };
    },
  },

  'scim-token create': {
    usage:
      'scim-token create --name NAME [--roles individual,manager,hr] (roles the token may grant) [--trust-emails] (the emails it sends are verified)',
    options: { name: { type: 'string' }, roles: { type: 'string' }, 'trust-emails': { type: 'boolean' } },
    async run(c, o) {
      const roles = str(o.roles)
        ?.split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      for (const role of roles ?? [])
        assertThat(isRole(role), usage(`--roles: unknown "${role}" (roles: ${ROLES.join(', ')})`));
      const made = await c.scimTokens.create(need(o, 'name'), roles as Role[] | undefined, undefined, null, {
        trustEmails: o['trust-emails'] === true,
      });
      // The token is shown once; only its hash is stored.
      return {
        id: made.id,
        name: made.name,
        token: made.token,
        grantableRoles: made.grantableRoles,
        trustEmails: made.trustEmails,
        createdAt: made.createdAt,
      };
    },
  },

  'scim-token list': {
    usage: 'scim-token list',
    run: (c) => c.scimTokens.list(),
  },

  'scim-token revoke': {
    usage: 'scim-token revoke <id|name>',
    async run(c, _o, [idOrName]) {
      assertThat(idOrName, usage('which token? Give its id or name'));
      return c.scimTokens.revoke(idOrName);
    },
  },

  'keys rotate': {
    usage: 'keys rotate',
    async run(c) {
      const { ttl } = c.config;
      // Old keys stay in JWKS as long as a token they signed can live.
      return c.signingKeys.rotate(Math.max(ttl.accessToken, ttl.idToken, ttl.clientCredentials));
    },
  },

  'audit purge': {
    usage: 'audit purge (deletes audit events older than the auditRetentionDays setting; none when it is not set)',
    async run(c) {
      const { deleted, before } = await c.auditLog.purgeExpired(c.clock.now(), CLI_ACTOR);
      return { deleted, before: before?.toISOString() ?? null, retentionDays: c.settings.current().auditRetentionDays };
    },
  },

  import: {
    usage:
      'import FILE --key email|userCode --mode add|update|upsert [--dry-run] (users from CSV, one transaction; prints the job)',
    options: { key: { type: 'string' }, mode: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(c, o, [file], io = QUIET_IO) {
      assertThat(file, usage('which file? Give the CSV file to import'));
      const key = need(o, 'key');
      assertThat((IMPORT_KEYS as readonly string[]).includes(key), usage(`--key must be ${IMPORT_KEYS.join(' or ')}`));
      const mode = need(o, 'mode');
      assertThat(
        (IMPORT_MODES as readonly string[]).includes(mode),
        usage(`--mode must be one of ${IMPORT_MODES.join(', ')}`),
      );
      const path = resolve(io.cwd, file);
      const size = await stat(path).then(
        (f) => (f.isFile() ? f.size : undefined),
        () => undefined,
      );
      assertThat(size !== undefined, fail('cli.file_not_found', { path }));
      const input = createReadStream(path);
      try {
        const by = CLI_OPERATOR;
        const label = (p: ImportCounts) =>
          `${p.processed} rows, ${p.created} created, ${p.updated} updated, ${p.failed} bad`;
        const job = await c.imports.run(
          input,
          { key: key as ImportKey, mode: mode as ImportMode, dryRun: o['dry-run'] === true },
          by,
          (p) => io.progress(size ? p.bytes / size : 1, label(p)),
        );
        io.progress(1, label(job));
        return job;
      } finally {
        input.destroy();
      }
    },
    failed: (job: ImportJob) => (job.status === 'failed' ? `the import failed: ${job.error}` : undefined),
  },

  'import list': {
    usage:
      'import list (the latest import jobs, newest first; a job whose process died shows failed, import.interrupted)',
    async run(c) {
      return c.imports.list();
    },
  },

  'import errors': {
    usage: 'import errors <job id> (the bad rows of an import: row, column, code, message)',
    async run(c, _o, [id]) {
      assertThat(id, usage('which import? Give the job id it printed'));
      const job = await c.imports.get(id);
      const errors = [];
      for await (const page of c.imports.errors(job.id)) errors.push(...page);
      return errors;
    },
  },

  'licence list': {
    usage: 'licence list (licence types with their seats and seats used)',
    run: (c) => c.licences.listTypes(),
  },

  'licence create': {
    usage: 'licence create KEY --name N [--seats N] [--required] (--required: sign-in needs a licence of such a type)',
    options: { name: { type: 'string' }, seats: { type: 'string' }, required: { type: 'boolean' } },
    async run(c, o, [key]) {
      return c.licences.createType(
        { key: licenceKey(key), name: need(o, 'name'), seats: seatsOption(o), requiredToSignIn: o.required === true },
        CLI_OPERATOR,
      );
    },
  },

  'licence update': {
    usage: 'licence update KEY [--name N] [--seats N|none] [--required | --not-required]',
    options: {
      name: { type: 'string' },
      seats: { type: 'string' },
      required: { type: 'boolean' },
      'not-required': { type: 'boolean' },
    },
    async run(c, o, [key]) {
      assertThat(!(o.required && o['not-required']), usage('give --required or --not-required, not both'));
      return c.licences.updateType(
        licenceKey(key),
        {
          name: str(o.name),
          seats: seatsOption(o),
          requiredToSignIn: o.required ? true : o['not-required'] ? false : undefined,
        },
        CLI_OPERATOR,
      );
    },
  },

  'licence delete': {
    usage: 'licence delete KEY (and every licence of it)',
    async run(c, _o, [key]) {
      await c.licences.deleteType(licenceKey(key), CLI_OPERATOR);
      return { key, deleted: true };
    },
  },

  'licence assign': {
    usage: 'licence assign KEY <email|id|userCode>',
    async run(c, _o, [key, identifier]) {
      assertThat(identifier, usage('which user? Give an email, id or userCode'));
      const user = await c.identity.find(identifier);
      return { id: user.id, ...(await c.licences.assign(user.id, licenceKey(key), CLI_OPERATOR)) };
    },
  },

  'licence remove': {
    usage: 'licence remove KEY <email|id|userCode>',
    async run(c, _o, [key, identifier]) {
      assertThat(identifier, usage('which user? Give an email, id or userCode'));
      const user = await c.identity.find(identifier);
      return { id: user.id, ...(await c.licences.remove(user.id, licenceKey(key), CLI_OPERATOR)) };
    },
  },

  'mail list': {
    usage: 'mail list [--to EMAIL] [--limit N] (the dev outbox, newest first; N from 1 to 1000, default 20)',
    options: { to: { type: 'string' }, limit: { type: 'string', whole: [1, 1000] } },
    async run(c, o) {
      return c.mailer.outbox(num(o.limit) ?? 20, str(o.to));
    },
  },
};

/** The command whose name (one or two words) begins `words`, the longest first. */
export function findCommand(words: string[]): { name: string; command: Command } | undefined {
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(' ');
    const command = COMMANDS[name];
    if (command) return { name, command };
  }
  return undefined;
}

/** Finds the command that argv names, and parses its options strictly (an unknown one with a "did you mean"). */
export function resolveCommand(argv: string[]) {
  const found = findCommand(argv);
  if (!found) return undefined;
  const { name, command } = found;
  let parsed: { values: Opts; positionals: string[] };
  try {
    const { values, positionals } = parseArgs({
      args: argv.slice(name.split(' ').length),
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
    parsed = { values: values as Opts, positionals };
  } catch (err) {
    const unknown = /^Unknown option '(--[^']+)'/.exec((err as Error).message)?.[1];
    const near =
      unknown &&
      closest(
        unknown,
        Object.keys(command.options ?? {}).map((o) => `--${o}`),
      );
    const problem = unknown
      ? `unknown option ${unknown}${near ? ` (did you mean ${near}?)` : ''}`
      : (err as Error).message;
    throw usage(`${problem}\nusage: gatehouse ${command.usage}`);
  }
  const opts = { ...parsed.values };
  for (const [option, { whole }] of Object.entries(command.options ?? {}))
    if (whole) opts[option] = wholeNumber(opts, option, ...whole);
  return { name, command, opts, positionals: parsed.positionals };
}
