import { randomUUID } from 'node:crypto';
import type { Transact } from '../db/database.js';
import {
  DEFAULT_ATTRIBUTE_MAPPING,
  IDENTITY_PROVIDER_NAME,
  MAPPABLE_ROLES,
  type AttributeMapping,
  type IdentityProvider,
  type IdentityProviderType,
  type MappableRole,
  type OidcSecrets,
  type OidcSettings,
} from '../domain/identity-provider.js';
import type { Operator } from '../domain/operator.js';
import type { Status } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import {
  KEEP_SEALED,
  type IdentityProviderRow,
  type IdentityProvidersRepository,
} from '../repositories/identity-providers.js';
import type { SecretBox } from '../util/crypto.js';
import { isUuid } from '../util/uuid.js';
import type { AuditService } from './audit.js';

/** What an administrator gives to create a provider (or changes of it: `update` merges them). */
export interface IdentityProviderInput {
  name: string;
  type: IdentityProviderType;
  displayName?: string;
  logoUrl?: string | null;
  shownPublicly?: boolean;
  required?: boolean;
  trustedForMfa?: boolean;
  enabled?: boolean;
  domains?: string[];
  accountIds?: string[];
  oidc?: {
    issuer?: string;
    clientId?: string;
    clientSecret?: string;
    /** A private JWK (JSON) for `private_key_jwt`. */
    privateKey?: string;
    scopes?: string[];
    pkce?: boolean;
    tokenAuth?: OidcSettings['tokenAuth'];
  };
  saml?: {
    metadataUrl?: string | null;
    metadataXml?: string | null;
    idpEntityId?: string | null;
    ssoUrl?: string | null;
    certificates?: string[];
    spEntityId?: string;
  };
  jit?: { enabled?: boolean; role?: MappableRole; status?: JitStatus; accountId?: string | null };
  mapping?: Partial<AttributeMapping>;
}
export type IdentityProviderChanges = Omit<Partial<IdentityProviderInput>, 'name' | 'type'>;

/** What a SAML IdP's metadata says (the SAML side provides the reader: services/saml-idp-metadata.ts). */
export interface SamlMetadata {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
}
/** Reads SAML IdP metadata given as XML or fetched from its URL. */
export type SamlMetadataParser = (source: { xml: string } | { url: string }) => Promise<SamlMetadata>;

/** Statuses a just-in-time user may start in. */
export const JIT_STATUSES = ['active', 'new', 'pending'] as const satisfies readonly Status[];
export type JitStatus = (typeof JIT_STATUSES)[number];

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const invalid = (problem: string) => fail('idp.invalid', { problem });
const isRole = (r: string): r is MappableRole => (MAPPABLE_ROLES as readonly string[]).includes(r);

/**
 * Identity providers as a super admin configures them (admin API and CLI): each
 * change is checked, its secrets sealed (bound to the provider's id), and audited
 * in its transaction. Errors: `idp.invalid` 400, `idp.name_taken` 409,
 * `idp.domain_taken` 409, `idp.not_found` 404.
 */
export function createIdentityProvidersService(deps: {
  transact: Transact;
  providers: IdentityProvidersRepository;
  box: SecretBox;
  audit: AuditService;
  issuer: string;
  /** Plain-http upstream URLs are accepted (development and tests: OUTBOUND_ALLOW_PRIVATE). */
  allowHttp: boolean;
  /** Reads SAML IdP metadata (entity id, SSO URL, certificates); without it, those fields are given by hand. */
  samlMetadata?: SamlMetadataParser;
}) {
  const { providers, box, audit } = deps;

  const checkUrl = (url: string, what: string) => {
    const parsed = URL.parse(url);
    const schemes = deps.allowHttp ? ['https:', 'http:'] : ['https:'];
    assertThat(
      parsed && schemes.includes(parsed.protocol) && !parsed.username && !parsed.hash,
      invalid(`${what} must be an absolute ${deps.allowHttp ? 'http(s)' : 'https'} URL without credentials`),
    );
  };

  const find = async (idOrName: string): Promise<IdentityProvider> => {
    const found = isUuid(idOrName) ? await providers.find(idOrName) : await providers.findByName(idOrName);
    assertThat(found, () => fail('idp.not_found'));
    return found;
  };

  /** The row `input` makes over `before` (a new provider: none); secrets sealed for `id`. */
  async function rowOf(
    id: string,
    input: IdentityProviderInput,
    before?: IdentityProvider,
  ): Promise<IdentityProviderRow> {
    assertThat(IDENTITY_PROVIDER_NAME.test(input.name), invalid('name: lower-case letters, digits and -'));
    // Shown inline on the sign-in page (its CSP loads images from Gatehouse and data: URLs only).
    assertThat(
      !input.logoUrl || (input.logoUrl.startsWith('data:image/') && input.logoUrl.length <= 65_536),
      invalid('logoUrl must be a data:image/ URL of at most 64 KiB'),
    );
    const jit = {
      ...(before?.jit ?? { enabled: false, role: 'individual', status: 'active', accountId: null }),
      ...input.jit,
    };
    assertThat(isRole(jit.role), invalid(`jit role must be one of ${MAPPABLE_ROLES.join(', ')}`));
    assertThat(
      (JIT_STATUSES as readonly string[]).includes(jit.status),
      invalid(`jit status must be one of ${JIT_STATUSES.join(', ')}`),
    );
    const mapping = { ...DEFAULT_ATTRIBUTE_MAPPING, ...before?.mapping, ...input.mapping };
    assertThat(
      Object.values(mapping.roles).every(isRole),
      invalid(`mapped roles must be among ${MAPPABLE_ROLES.join(', ')}`),
    );
    return {
      name: input.name,
      type: input.type,
      displayName: input.displayName ?? before?.displayName ?? input.name,
      logoUrl: input.logoUrl !== undefined ? input.logoUrl : (before?.logoUrl ?? null),
      shownPublicly: input.shownPublicly ?? before?.shownPublicly ?? false,
      required: input.required ?? before?.required ?? false,
      trustedForMfa: input.trustedForMfa ?? before?.trustedForMfa ?? false,
      enabled: input.enabled ?? before?.enabled ?? true,
      oidc: input.type === 'oidc' ? oidcRow(id, input.oidc ?? {}, before?.oidc ?? null, before) : null,
      saml: input.type === 'saml' ? await samlRow(input.name, input.saml ?? {}, before) : null,
      jit: jit as IdentityProviderRow['jit'],
      mapping,
    };
  }

  function oidcRow(
    id: string,
    o: NonNullable<IdentityProviderInput['oidc']>,
    was: OidcSettings | null,
    before: IdentityProvider | undefined,
  ): IdentityProviderRow['oidc'] {
    const issuer = o.issuer ?? was?.issuer;
    const clientId = o.clientId ?? was?.clientId;
    assertThat(issuer, invalid('an OpenID Connect provider needs its issuer'));
    assertThat(clientId, invalid('an OpenID Connect provider needs a client id'));
    checkUrl(issuer, 'issuer');
    const tokenAuth = o.tokenAuth ?? was?.tokenAuth ?? (o.privateKey ? 'private_key_jwt' : 'client_secret_basic');
    if (o.privateKey) {
      let jwk: { d?: unknown; kty?: unknown } = {};
      try {
        jwk = JSON.parse(o.privateKey);
      } catch {}
      assertThat(typeof jwk.d === 'string' && typeof jwk.kty === 'string', invalid('privateKey must be a private JWK'));
    }
    const hasSecret = o.clientSecret !== undefined || (was?.hasClientSecret ?? false);
    const hasKey = o.privateKey !== undefined || (was?.hasPrivateKey ?? false);
    assertThat(
      tokenAuth === 'private_key_jwt' ? hasKey : hasSecret,
      invalid(tokenAuth === 'private_key_jwt' ? 'private_key_jwt needs a private key' : 'a client secret is required'),
    );
    const scopes = o.scopes ?? was?.scopes ?? ['openid', 'email', 'profile'];
    assertThat(scopes.includes('openid'), invalid('scopes must include openid'));
    return {
      issuer,
      clientId,
      scopes,
      pkce: o.pkce ?? was?.pkce ?? true,
      tokenAuth,
      // A secret not given again is kept as sealed (`keep`: the repository's update leaves it).
      secretSealed: o.clientSecret !== undefined ? box.seal(o.clientSecret, id) : before ? KEEP_SEALED : null,
      privateKeySealed: o.privateKey !== undefined ? box.seal(o.privateKey, id) : before ? KEEP_SEALED : null,
    };
  }

  async function samlRow(
    name: string,
    s: NonNullable<IdentityProviderInput['saml']>,
    before: IdentityProvider | undefined,
  ): Promise<IdentityProviderRow['saml']> {
    const was = before?.saml;
    const merged = {
      metadataUrl: s.metadataUrl !== undefined ? s.metadataUrl : (was?.metadataUrl ?? null),
      metadataXml: s.metadataXml !== undefined ? s.metadataXml : (was?.metadataXml ?? null),
      idpEntityId: s.idpEntityId !== undefined ? s.idpEntityId : (was?.idpEntityId ?? null),
      ssoUrl: s.ssoUrl !== undefined ? s.ssoUrl : (was?.ssoUrl ?? null),
      certificates: s.certificates ?? was?.certificates ?? [],
      spEntityId: s.spEntityId ?? was?.spEntityId ?? `${deps.issuer}/federation/${name}/metadata`,
    };
    assertThat(
      merged.metadataUrl || merged.metadataXml || merged.ssoUrl,
      invalid('a SAML provider needs its metadata (URL or XML) or its SSO URL'),
    );
    if (merged.metadataUrl) checkUrl(merged.metadataUrl, 'metadataUrl');
    if (merged.ssoUrl) checkUrl(merged.ssoUrl, 'ssoUrl');
    // Metadata given (as XML, else by URL, fetched now) fills what was not given by hand.
    const source = s.metadataXml ? { xml: s.metadataXml } : s.metadataUrl ? { url: s.metadataUrl } : undefined;
    if (source && deps.samlMetadata) {
      const read = await deps.samlMetadata(source).catch((err: Error) => {
        throw invalid(`the SAML metadata could not be read: ${err.message}`);
      });
      merged.idpEntityId = s.idpEntityId ?? read.entityId;
      merged.ssoUrl = s.ssoUrl ?? read.ssoUrl;
      merged.certificates = s.certificates ?? read.certificates;
    }
    return merged;
  }

  function checkedDomains(domains: readonly string[]): string[] {
    const lower = [...new Set(domains.map((d) => d.trim().toLowerCase()).filter(Boolean))];
    const bad = lower.filter((d) => !DOMAIN.test(d));
    assertThat(!bad.length, invalid(`not an email domain: ${bad.join(', ')}`));
    return lower;
  }

  /** Writes the row, domains and accounts of `id` in `trx`. */
  async function write(
    id: string,
    row: IdentityProviderRow,
    input: Pick<IdentityProviderInput, 'domains' | 'accountIds'>,
    by: Operator,
    trx: Parameters<Parameters<Transact>[0]>[0],
    isNew: boolean,
  ) {
    if (isNew) await providers.create(id, row, trx);
    else await providers.update(id, row, trx);
    if (input.domains) {
      const domains = checkedDomains(input.domains);
      const held = await providers.domainsHeldElsewhere(domains, id, trx);
      assertThat(!held.length, () => fail('idp.domain_taken', { domains: held }));
      const verifier = `${by.actor.type}:${by.actor.id ?? by.actor.name ?? ''}`;
      await providers.replaceDomains(id, domains, verifier, trx);
    }
    if (input.accountIds) {
      const ids = [...new Set(input.accountIds)];
      assertThat(ids.every(isUuid), invalid('accountIds must be account ids'));
      assertThat((await providers.countAccounts(ids, trx)) === ids.length, invalid('an account given does not exist'));
      await providers.replaceAccounts(id, ids, trx);
    }
    if (row.jit.accountId) {
      assertThat(isUuid(row.jit.accountId), invalid('jit accountId must be an account id'));
      assertThat(
        (await providers.countAccounts([row.jit.accountId], trx)) === 1,
        invalid('the jit account does not exist'),
      );
    }
  }

  return {
    list: () => providers.list(),
    get: find,

    async create(input: IdentityProviderInput, by: Operator): Promise<IdentityProvider> {
      const id = randomUUID();
      const row = await rowOf(id, input);
      return deps.transact(async (trx) => {
        assertThat(!(await providers.findByName(input.name, trx)), () => fail('idp.name_taken'));
        await write(id, row, input, by, trx, true);
        await audit.by(by).record(
          {
            action: 'identity_provider.created',
            targetType: 'identity_provider',
            targetId: id,
            details: { name: row.name, type: row.type, domains: input.domains ?? [], required: row.required },
          },
          trx,
        );
        return (await providers.find(id, trx)) as IdentityProvider;
      });
    },

    async update(idOrName: string, changes: IdentityProviderChanges, by: Operator): Promise<IdentityProvider> {
      const before = await find(idOrName);
      const row = await rowOf(before.id, { ...changes, name: before.name, type: before.type }, before);
      return deps.transact(async (trx) => {
        await write(before.id, row, changes, by, trx, false);
        const changed = Object.keys(changes).filter((k) => !['oidc', 'saml'].includes(k));
        if (changes.oidc) changed.push(...Object.keys(changes.oidc).map((k) => `oidc.${k}`));
        if (changes.saml) changed.push(...Object.keys(changes.saml).map((k) => `saml.${k}`));
        await audit.by(by).record(
          {
            action: 'identity_provider.updated',
            targetType: 'identity_provider',
            targetId: before.id,
            details: { name: before.name, changed },
          },
          trx,
        );
        return (await providers.find(before.id, trx)) as IdentityProvider;
      });
    },

    /** Deletes the provider with its domains, accounts and links (users stay). */
    async remove(idOrName: string, by: Operator): Promise<IdentityProvider> {
      const before = await find(idOrName);
      await deps.transact(async (trx) => {
        assertThat(await providers.remove(before.id, trx), () => fail('idp.not_found'));
        await audit.by(by).record(
          {
            action: 'identity_provider.deleted',
            targetType: 'identity_provider',
            targetId: before.id,
            details: { name: before.name, type: before.type },
          },
          trx,
        );
      });
      return before;
    },

    /** The provider's OIDC secrets, opened to call the upstream (never shown). */
    async secrets(provider: IdentityProvider): Promise<OidcSecrets> {
      const sealed = await providers.sealedSecrets(provider.id);
      return {
        clientSecret: sealed?.secret ? box.open(sealed.secret, provider.id) : null,
        privateKey: sealed?.privateKey ? box.open(sealed.privateKey, provider.id) : null,
      };
    },

    /** Where the upstream sends people back: register these there. */
    endpoints: (name: string) => ({
      redirectUri: `${deps.issuer}/federation/${name}/callback`,
      acsUrl: `${deps.issuer}/federation/${name}/acs`,
    }),
  };
}
export type IdentityProvidersService = ReturnType<typeof createIdentityProvidersService>;
