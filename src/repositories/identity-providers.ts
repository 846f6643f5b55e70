import type { Db, Executor } from '../db/database.js';
import {
  DEFAULT_ATTRIBUTE_MAPPING,
  type AttributeMapping,
  type IdentityProvider,
  type IdentityProviderType,
  type OidcSettings,
} from '../domain/identity-provider.js';
import type { Role, Status } from '../domain/user.js';

/** What a provider's row holds besides its domains and accounts; the secrets arrive sealed. */
export type IdentityProviderRow = Omit<
  IdentityProvider,
  'id' | 'domains' | 'accountIds' | 'oidc' | 'createdAt' | 'updatedAt'
> & {
  oidc:
    | (Omit<OidcSettings, 'hasClientSecret' | 'hasPrivateKey'> & {
        secretSealed: string | null;
        privateKeySealed: string | null;
      })
    | null;
};

const COLUMNS = [
  'id',
  'name',
  'type',
  'display_name',
  'logo_url',
  'shown_publicly',
  'required',
  'trusted_for_mfa',
  'enabled',
  'oidc_issuer',
  'oidc_client_id',
  'oidc_scopes',
  'oidc_pkce',
  'oidc_token_auth',
  'saml_metadata_url',
  'saml_metadata_xml',
  'saml_idp_entity_id',
  'saml_sso_url',
  'saml_certificates',
  'saml_sp_entity_id',
  'jit_enabled',
  'jit_role',
  'jit_status',
  'jit_account_id',
  'attribute_mapping',
  'created_at',
  'updated_at',
].map((c) => `identity_providers.${c}`);

type Row = Record<string, unknown> & {
  id: string;
  name: string;
  type: IdentityProviderType;
  has_secret: boolean;
  has_private_key: boolean;
  domains: { domain: string; verified: boolean }[] | string | null;
  account_ids: string[] | null;
};

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

function toProvider(r: Row): IdentityProvider {
  const str = (k: string) => (r[k] as string | null) ?? null;
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    displayName: r.display_name as string,
    logoUrl: str('logo_url'),
    shownPublicly: r.shown_publicly as boolean,
    required: r.required as boolean,
    trustedForMfa: r.trusted_for_mfa as boolean,
    enabled: r.enabled as boolean,
    domains: json<{ domain: string; verified: boolean }[] | null>(r.domains) ?? [],
    accountIds: r.account_ids ?? [],
    oidc:
      r.type === 'oidc'
        ? {
            issuer: r.oidc_issuer as string,
            clientId: r.oidc_client_id as string,
            scopes: r.oidc_scopes as string[],
            pkce: r.oidc_pkce as boolean,
            tokenAuth: r.oidc_token_auth as OidcSettings['tokenAuth'],
            hasClientSecret: r.has_secret,
            hasPrivateKey: r.has_private_key,
          }
        : null,
    saml:
      r.type === 'saml'
        ? {
            metadataUrl: str('saml_metadata_url'),
            metadataXml: str('saml_metadata_xml'),
            idpEntityId: str('saml_idp_entity_id'),
            ssoUrl: str('saml_sso_url'),
            certificates: r.saml_certificates as string[],
            spEntityId: r.saml_sp_entity_id as string,
          }
        : null,
    jit: {
      enabled: r.jit_enabled as boolean,
      role: r.jit_role as Role,
      status: r.jit_status as Status,
      accountId: str('jit_account_id'),
    },
    mapping: { ...DEFAULT_ATTRIBUTE_MAPPING, ...json<Partial<AttributeMapping>>(r.attribute_mapping) },
    createdAt: new Date(r.created_at as Date),
    updatedAt: new Date(r.updated_at as Date),
  };
}

/** A sealed secret an update leaves as it is. */
export const KEEP_SEALED = 'keep';

function toColumns(p: IdentityProviderRow): Record<string, unknown> {
  const columns: Record<string, unknown> = {
    name: p.name,
    type: p.type,
    display_name: p.displayName,
    logo_url: p.logoUrl,
    shown_publicly: p.shownPublicly,
    required: p.required,
    trusted_for_mfa: p.trustedForMfa,
    enabled: p.enabled,
    oidc_issuer: p.oidc?.issuer ?? null,
    oidc_client_id: p.oidc?.clientId ?? null,
    oidc_client_secret_sealed: p.oidc?.secretSealed ?? null,
    oidc_private_key_sealed: p.oidc?.privateKeySealed ?? null,
    oidc_scopes: p.oidc?.scopes ?? ['openid', 'email', 'profile'],
    oidc_pkce: p.oidc?.pkce ?? true,
    oidc_token_auth: p.oidc?.tokenAuth ?? 'client_secret_basic',
    saml_metadata_url: p.saml?.metadataUrl ?? null,
    saml_metadata_xml: p.saml?.metadataXml ?? null,
    saml_idp_entity_id: p.saml?.idpEntityId ?? null,
    saml_sso_url: p.saml?.ssoUrl ?? null,
    saml_certificates: p.saml?.certificates ?? [],
    saml_sp_entity_id: p.saml?.spEntityId ?? null,
    jit_enabled: p.jit.enabled,
    jit_role: p.jit.role,
    jit_status: p.jit.status,
    jit_account_id: p.jit.accountId,
    attribute_mapping: JSON.stringify(p.mapping),
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== KEEP_SEALED));
}

/**
 * Identity providers with their domains and accounts, and the links from an
 * upstream subject to a user. Reads never return a secret; `sealedSecrets` does.
 */
export function createIdentityProvidersRepository(db: Db) {
  const select = (trx: Executor) =>
    trx('identity_providers').select(
      ...COLUMNS,
      trx.raw('(identity_providers.oidc_client_secret_sealed IS NOT NULL) AS has_secret'),
      trx.raw('(identity_providers.oidc_private_key_sealed IS NOT NULL) AS has_private_key'),
      trx.raw(`(SELECT coalesce(json_agg(json_build_object('domain', d.domain, 'verified', d.verified_at IS NOT NULL)
                  ORDER BY d.domain), '[]'::json)
                  FROM identity_provider_domains d WHERE d.provider_id = identity_providers.id) AS domains`),
      trx.raw(`ARRAY(SELECT a.account_id FROM identity_provider_accounts a
                 WHERE a.provider_id = identity_providers.id ORDER BY a.account_id) AS account_ids`),
    );
  const one = async (q: ReturnType<typeof select>) => {
    const row = (await q.first()) as Row | undefined;
    return row ? toProvider(row) : undefined;
  };

  return {
    async create(id: string, p: IdentityProviderRow, trx: Executor): Promise<void> {
      await trx('identity_providers').insert({ id, ...toColumns(p) });
    },
    async update(id: string, p: IdentityProviderRow, trx: Executor): Promise<void> {
      await trx('identity_providers')
        .where({ id })
        .update({ ...toColumns(p), updated_at: trx.fn.now() });
    },
    async remove(id: string, trx: Executor): Promise<boolean> {
      return (await trx('identity_providers').where({ id }).delete()) > 0;
    },
    async list(): Promise<IdentityProvider[]> {
      return ((await select(db).orderBy('identity_providers.name')) as Row[]).map(toProvider);
    },
    find: (id: string, trx: Executor = db) => one(select(trx).where('identity_providers.id', id)),
    findByName: (name: string, trx: Executor = db) => one(select(trx).where('identity_providers.name', name)),
    /** The enabled provider a verified email domain belongs to. */
    forDomain: (domain: string) =>
      one(
        select(db)
          .join('identity_provider_domains as hd', 'hd.provider_id', 'identity_providers.id')
          .where('hd.domain', domain.toLowerCase())
          .whereNotNull('hd.verified_at')
          .where('identity_providers.enabled', true),
      ),
    /**
     * The enabled required provider that signs the user in (their password is refused): by
     * the domain of their email (verified) or their main account. One statement.
     */
    async requiredFor(userId: string): Promise<string | undefined> {
      const { rows } = await db.raw(
        `SELECT p.name FROM identity_providers p, users u
          WHERE u.id = ? AND p.enabled AND p.required
            AND (EXISTS (SELECT 1 FROM identity_provider_domains d
                          WHERE d.provider_id = p.id AND d.verified_at IS NOT NULL
                            AND d.domain = lower(substring(u.email from '@([^@]*)$')))
              OR EXISTS (SELECT 1 FROM identity_provider_accounts a
                          WHERE a.provider_id = p.id AND a.account_id = u.main_account_id))
          ORDER BY p.name LIMIT 1`,
        [userId],
      );
      return rows[0]?.name;
    },
    /** The enabled providers shown as buttons on the sign-in page. */
    async shownPublicly(): Promise<IdentityProvider[]> {
      const rows = (await select(db)
        .where({ 'identity_providers.shown_publicly': true, 'identity_providers.enabled': true })
        .orderBy('identity_providers.display_name')) as Row[];
      return rows.map(toProvider);
    },
    /** Which of these domains another provider already holds. */
    async domainsHeldElsewhere(domains: readonly string[], providerId: string, trx: Executor): Promise<string[]> {
      if (!domains.length) return [];
      const rows = await trx('identity_provider_domains')
        .select('domain')
        .whereIn('domain', domains)
        .whereNot('provider_id', providerId);
      return rows.map((r: { domain: string }) => r.domain);
    },
    /** Replaces the provider's domains; each is recorded as verified by `verifiedBy` (a super admin). */
    async replaceDomains(providerId: string, domains: readonly string[], verifiedBy: string, trx: Executor) {
      const kept = await trx('identity_provider_domains').select('domain').where({ provider_id: providerId });
      const had = new Set(kept.map((r: { domain: string }) => r.domain));
      await trx('identity_provider_domains')
        .where({ provider_id: providerId })
        .whereNotIn('domain', domains as string[])
        .delete();
      const added = domains.filter((d) => !had.has(d));
      if (added.length)
        await trx('identity_provider_domains').insert(
          added.map((domain) => ({
            domain,
            provider_id: providerId,
            verified_at: trx.fn.now(),
            verified_by: verifiedBy,
          })),
        );
    },
    async replaceAccounts(providerId: string, accountIds: readonly string[], trx: Executor) {
      await trx('identity_provider_accounts').where({ provider_id: providerId }).delete();
      if (accountIds.length)
        await trx('identity_provider_accounts').insert(
          accountIds.map((account_id) => ({ provider_id: providerId, account_id })),
        );
    },
    /** How many of these accounts exist. */
    async countAccounts(accountIds: readonly string[], trx: Executor): Promise<number> {
      if (!accountIds.length) return 0;
      const [row] = await trx('accounts')
        .count({ n: '*' })
        .whereIn('id', accountIds as string[]);
      return Number(row?.n ?? 0);
    },
    /** The sealed client secret and private key (only to call the upstream). */
    async sealedSecrets(id: string): Promise<{ secret: string | null; privateKey: string | null } | undefined> {
      const row = await db('identity_providers')
        .select('oidc_client_secret_sealed as secret', 'oidc_private_key_sealed as privateKey')
        .where({ id })
        .first();
      return row;
    },

    /** The user linked to the upstream's subject. */
    async linkedUser(providerId: string, subject: string, trx: Executor = db): Promise<string | undefined> {
      const row = await trx('identity_provider_links')
        .select('user_id')
        .where({ provider_id: providerId, subject })
        .first();
      return row?.user_id;
    },
    async link(providerId: string, subject: string, userId: string, trx: Executor = db): Promise<void> {
      await trx('identity_provider_links')
        .insert({ provider_id: providerId, subject, user_id: userId })
        .onConflict(['provider_id', 'subject'])
        .ignore();
    },
    async touchLink(providerId: string, subject: string, trx: Executor = db): Promise<void> {
      await trx('identity_provider_links')
        .where({ provider_id: providerId, subject })
        .update({ last_signed_in_at: trx.fn.now() });
    },
    /** The provider the user last signed in through (the `idp` claim). */
    async lastProviderOf(userId: string): Promise<string | undefined> {
      const row = await db('identity_provider_links as l')
        .join('identity_providers as p', 'p.id', 'l.provider_id')
        .select('p.name')
        .where('l.user_id', userId)
        .whereNotNull('l.last_signed_in_at')
        .orderBy('l.last_signed_in_at', 'desc')
        .first();
      return row?.name;
    },
    /** The one user (not deleted) whose SCIM externalId is `externalId`. */
    async userByExternalId(externalId: string, trx: Executor = db): Promise<string | undefined> {
      const rows = await trx('users')
        .select('id')
        .where({ external_id: externalId })
        .whereNot('status', 'deleted')
        .limit(2);
      return rows.length === 1 ? rows[0].id : undefined;
    },
  };
}
export type IdentityProvidersRepository = ReturnType<typeof createIdentityProvidersRepository>;
