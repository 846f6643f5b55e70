import type { Knex } from 'knex';

const GUEST_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';
const STATUSES = "'active','new','import','temporary','pending','inactive','locked','deleted'";
const ROLES = "'individual','manager','hr','admin','super_admin'";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_groups', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.timestamps(true, true);
  });
  await knex.raw('CREATE UNIQUE INDEX account_groups_name_key ON account_groups (lower(name))');

  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('kind').notNullable().checkIn(['provider', 'customer', 'guest']);
    t.timestamps(true, true);
  });
  await knex.raw('CREATE UNIQUE INDEX accounts_name_key ON accounts (lower(name))');
  await knex.raw("CREATE UNIQUE INDEX accounts_one_guest ON accounts (kind) WHERE kind = 'guest'");
  await knex('accounts').insert({ id: GUEST_ACCOUNT_ID, name: 'Guest', kind: 'guest' });

  await knex.schema.createTable('account_group_members', (t) => {
    t.uuid('account_group_id').notNullable().references('account_groups.id').onDelete('CASCADE');
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.primary(['account_group_id', 'account_id']);
    t.index(['account_id']);
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('user_code').notNullable();
    t.text('email');
    t.text('title');
    t.text('given_name');
    t.text('middle_name');
    t.text('family_name');
    t.text('external_id');
    t.text('status').notNullable().defaultTo('new');
    t.text('main_role').notNullable().defaultTo('individual');
    t.uuid('main_account_id').references('accounts.id').onDelete('SET NULL');
    t.uuid('direct_manager_id').references('users.id').onDelete('SET NULL');
    t.text('preferred_language');
    t.text('timezone');
    t.specificType('tags', 'text[]').notNullable().defaultTo('{}');
    t.jsonb('custom_attributes').notNullable().defaultTo('{}');
    // Credentials: read only through the credentials repository.
    t.text('password_hash');
    t.timestamp('password_changed_at', { useTz: true });
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true });
    t.text('status_before_lock');
    t.timestamp('last_sign_in_at', { useTz: true });
    t.timestamps(true, true);
    t.integer('version').notNullable().defaultTo(1);
  });
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN (${STATUSES}))`);
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_main_role_check CHECK (main_role IN (${ROLES}))`);
  await knex.raw('ALTER TABLE users ADD CONSTRAINT users_failed_attempts_check CHECK (failed_attempts >= 0)');
  // Identifiers are unique case-insensitively among users that are not deleted.
  await knex.raw("CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE status <> 'deleted'");
  await knex.raw("CREATE UNIQUE INDEX users_user_code_key ON users (lower(user_code)) WHERE status <> 'deleted'");
  await knex.raw('CREATE INDEX users_external_id_idx ON users (external_id)');
  await knex.raw('CREATE INDEX users_status_idx ON users (status)');
  await knex.raw('CREATE INDEX users_main_account_idx ON users (main_account_id)');
  await knex.raw('CREATE INDEX users_created_at_idx ON users (created_at, id)');

  await knex.schema.createTable('employments', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.date('start_date');
    t.date('end_date');
    t.boolean('is_main').notNullable().defaultTo(false);
    t.timestamps(true, true);
    t.index(['account_id']);
  });
  await knex.raw('CREATE UNIQUE INDEX employments_user_account_key ON employments (user_id, account_id)');
  await knex.raw('CREATE UNIQUE INDEX employments_one_main ON employments (user_id) WHERE is_main');

  await knex.schema.createTable('role_assignments', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('role').notNullable();
    t.uuid('account_id').references('accounts.id').onDelete('CASCADE');
    t.uuid('account_group_id').references('account_groups.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['role']);
  });
  await knex.raw(`ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check CHECK (role IN (${ROLES}))`);
  await knex.raw(
    'ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_one_scope CHECK (account_id IS NULL OR account_group_id IS NULL)',
  );
  await knex.raw(`CREATE UNIQUE INDEX role_assignments_key ON role_assignments
    (user_id, role, coalesce(account_id, '00000000-0000-0000-0000-000000000000'::uuid),
     coalesce(account_group_id, '00000000-0000-0000-0000-000000000000'::uuid))`);

  await knex.schema.createTable('groups', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('display_name').notNullable();
    t.text('external_id');
    t.timestamps(true, true);
    t.integer('version').notNullable().defaultTo(1);
  });
  await knex.raw('CREATE UNIQUE INDEX groups_display_name_key ON groups (lower(display_name))');

  await knex.schema.createTable('group_members', (t) => {
    t.uuid('group_id').notNullable().references('groups.id').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['group_id', 'user_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('password_history', (t) => {
    t.bigIncrements('id');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('password_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'created_at']);
  });

  await knex.schema.createTable('password_reset_tokens', (t) => {
    t.bigIncrements('id');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor_type').notNullable(); // user | scim_token | cli | system | anonymous
    t.text('actor_id');
    t.text('actor_name');
    t.text('on_behalf_of'); // impersonated user, when an admin acts as one
    t.text('action').notNullable();
    t.text('target_type');
    t.text('target_id');
    t.jsonb('changes');
    t.text('ip');
    t.jsonb('details');
    t.index(['at']);
    t.index(['target_id', 'at']);
    t.index(['actor_id', 'at']);
    t.index(['action', 'at']);
  });

  // Every oidc-provider model (Session, Grant, AccessToken, RefreshToken, ...) in one table.
  await knex.schema.createTable('oidc_payloads', (t) => {
    t.text('id').notNullable();
    t.text('kind').notNullable();
    t.jsonb('payload').notNullable();
    t.text('grant_id');
    t.text('uid');
    t.text('user_code');
    t.text('account_id');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['kind', 'id']);
  });
  await knex.raw('CREATE INDEX oidc_payloads_grant_id_idx ON oidc_payloads (grant_id) WHERE grant_id IS NOT NULL');
  await knex.raw('CREATE UNIQUE INDEX oidc_payloads_uid_key ON oidc_payloads (kind, uid) WHERE uid IS NOT NULL');
  await knex.raw(
    'CREATE UNIQUE INDEX oidc_payloads_user_code_key ON oidc_payloads (kind, user_code) WHERE user_code IS NOT NULL',
  );
  await knex.raw('CREATE INDEX oidc_payloads_account_idx ON oidc_payloads (account_id) WHERE account_id IS NOT NULL');
  await knex.raw('CREATE INDEX oidc_payloads_expires_at_idx ON oidc_payloads (expires_at)');

  await knex.schema.createTable('oidc_clients', (t) => {
    t.text('client_id').primary();
    t.jsonb('metadata').notNullable(); // oidc-provider client metadata, without client_secret
    t.text('secret_encrypted'); // AES-256-GCM under GATEHOUSE_SECRET
    t.boolean('first_party').notNullable().defaultTo(false);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('resource_servers', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('indicator').notNullable().unique();
    t.specificType('scopes', 'text[]').notNullable().defaultTo('{}');
    t.integer('access_token_ttl');
    t.boolean('first_party_only').notNullable().defaultTo(false);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('signing_keys', (t) => {
    t.text('kid').primary();
    t.text('alg').notNullable();
    t.jsonb('public_jwk').notNullable();
    t.text('private_jwk_encrypted').notNullable(); // AES-256-GCM under GATEHOUSE_SECRET
    t.text('state').notNullable().defaultTo('active').checkIn(['active', 'retired']);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('retired_at', { useTz: true });
    // A retired key stays in JWKS until every token it signed has expired.
    t.timestamp('publish_until', { useTz: true });
  });

  await knex.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('id');
    t.text('to').notNullable();
    t.text('subject').notNullable();
    t.text('text').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('settings', (t) => {
    t.text('key').primary();
    t.jsonb('value').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'settings',
    'mail_outbox',
    'signing_keys',
    'resource_servers',
    'oidc_clients',
    'oidc_payloads',
    'audit_events',
    'password_reset_tokens',
    'password_history',
    'group_members',
    'groups',
    'role_assignments',
    'employments',
    'users',
    'account_group_members',
    'accounts',
    'account_groups',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
