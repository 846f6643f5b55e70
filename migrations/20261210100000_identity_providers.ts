import type { Knex } from 'knex';

/**
 * Upstream identity providers (OpenID Connect or SAML 2.0) people sign in with,
 * the email domains and accounts whose people use each, and the links from an
 * upstream's subject to a Gatehouse user. An OIDC client secret and private key
 * are sealed (AES-GCM, the secret box of `idp-secret`, bound to the provider's id).
 * A domain belongs to one provider at most, so home-realm discovery has one answer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('identity_providers', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable().unique();
    t.text('type').notNullable().checkIn(['oidc', 'saml']);
    t.text('display_name').notNullable();
    t.text('logo_url');
    t.boolean('shown_publicly').notNullable().defaultTo(false);
    t.boolean('required').notNullable().defaultTo(false);
    t.boolean('trusted_for_mfa').notNullable().defaultTo(false);
    t.boolean('enabled').notNullable().defaultTo(true);
    // OpenID Connect
    t.text('oidc_issuer');
    t.text('oidc_client_id');
    t.text('oidc_client_secret_sealed');
    t.text('oidc_private_key_sealed');
    t.specificType('oidc_scopes', 'text[]').notNullable().defaultTo('{openid,email,profile}');
    t.boolean('oidc_pkce').notNullable().defaultTo(true);
    t.text('oidc_token_auth')
      .notNullable()
      .defaultTo('client_secret_basic')
      .checkIn(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    // SAML 2.0
    t.text('saml_metadata_url');
    t.text('saml_metadata_xml');
    t.text('saml_idp_entity_id');
    t.text('saml_sso_url');
    t.specificType('saml_certificates', 'text[]').notNullable().defaultTo('{}');
    t.text('saml_sp_entity_id');
    // Just-in-time provisioning and attribute mapping
    t.boolean('jit_enabled').notNullable().defaultTo(false);
    t.text('jit_role').notNullable().defaultTo('individual');
    t.text('jit_status').notNullable().defaultTo('active');
    t.uuid('jit_account_id').references('accounts.id').onDelete('SET NULL');
    t.jsonb('attribute_mapping').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE identity_providers ADD CONSTRAINT identity_providers_oidc_complete
    CHECK (type <> 'oidc' OR (oidc_issuer IS NOT NULL AND oidc_client_id IS NOT NULL))`);
  await knex.raw(`ALTER TABLE identity_providers ADD CONSTRAINT identity_providers_saml_source
    CHECK (type <> 'saml' OR saml_metadata_url IS NOT NULL OR saml_metadata_xml IS NOT NULL OR saml_sso_url IS NOT NULL)`);

  await knex.schema.createTable('identity_provider_domains', (t) => {
    t.text('domain').primary();
    t.uuid('provider_id').notNullable().references('identity_providers.id').onDelete('CASCADE');
    t.timestamp('verified_at', { useTz: true });
    t.text('verified_by');
  });
  await knex.raw('CREATE INDEX identity_provider_domains_by_provider ON identity_provider_domains (provider_id)');
  await knex.raw(
    'ALTER TABLE identity_provider_domains ADD CONSTRAINT identity_provider_domains_lower CHECK (domain = lower(domain))',
  );

  await knex.schema.createTable('identity_provider_accounts', (t) => {
    t.uuid('provider_id').notNullable().references('identity_providers.id').onDelete('CASCADE');
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.primary(['provider_id', 'account_id']);
  });

  await knex.schema.createTable('identity_provider_links', (t) => {
    t.uuid('provider_id').notNullable().references('identity_providers.id').onDelete('CASCADE');
    t.text('subject').notNullable();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_signed_in_at', { useTz: true });
    t.primary(['provider_id', 'subject']);
  });
  await knex.raw(
    'CREATE INDEX identity_provider_links_by_user ON identity_provider_links (user_id, last_signed_in_at DESC)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('identity_provider_links');
  await knex.schema.dropTable('identity_provider_accounts');
  await knex.schema.dropTable('identity_provider_domains');
  await knex.schema.dropTable('identity_providers');
}
