import type { Knex } from 'knex';

/**
 * SCIM 2.0: the profile attributes HR systems send, the multi-valued contact
 * attributes (emails, phone numbers, addresses), SCIM bearer tokens, and the
 * indexes that keep filters index lookups.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');

  await knex.schema.alterTable('users', (t) => {
    t.text('display_name');
    t.text('nick_name');
    t.text('name_formatted');
    t.text('honorific_suffix');
    t.text('job_title');
    t.text('user_type');
    t.text('locale');
    t.text('profile_url');
    t.text('employee_number');
    t.text('cost_center');
    t.text('division');
    t.text('department');
  });
  // `co`, `sw` and `ew` filters (and the admin search) on PostgreSQL use these.
  for (const column of ['user_code', 'email', 'given_name', 'family_name', 'display_name']) {
    await knex.raw(`CREATE INDEX users_${column}_trgm ON users USING gin (lower(${column}) gin_trgm_ops)`);
  }

  // emails, phoneNumbers and addresses: one row per value, in the order given.
  await knex.schema.createTable('user_values', (t) => {
    t.bigIncrements('id');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('attribute').notNullable().checkIn(['emails', 'phoneNumbers', 'addresses']);
    t.integer('position').notNullable();
    t.text('value');
    t.text('type');
    t.text('display');
    t.boolean('is_primary').notNullable().defaultTo(false);
    t.text('formatted');
    t.text('street_address');
    t.text('locality');
    t.text('region');
    t.text('postal_code');
    t.text('country');
    t.index(['user_id', 'attribute', 'position']);
  });
  await knex.raw('CREATE INDEX user_values_value_idx ON user_values (attribute, lower(value))');
  await knex.raw('CREATE INDEX user_values_value_trgm ON user_values USING gin (lower(value) gin_trgm_ops)');

  await knex.raw('CREATE INDEX groups_external_id_idx ON groups (external_id)');
  await knex.raw('CREATE INDEX users_family_name_idx ON users (lower(family_name), id)');

  await knex.schema.createTable('scim_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('token_hash').notNullable().unique(); // SHA-256 of a 256-bit random token
    t.specificType('grantable_roles', 'text[]').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
  });
  await knex.raw('CREATE UNIQUE INDEX scim_tokens_name_key ON scim_tokens (lower(name)) WHERE revoked_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('scim_tokens');
  await knex.schema.dropTableIfExists('user_values');
  await knex.raw('DROP INDEX IF EXISTS groups_external_id_idx');
  await knex.raw('DROP INDEX IF EXISTS users_family_name_idx');
  for (const column of ['user_code', 'email', 'given_name', 'family_name', 'display_name']) {
    await knex.raw(`DROP INDEX IF EXISTS users_${column}_trgm`);
  }
  await knex.schema.alterTable('users', (t) => {
    t.dropColumns(
      'display_name',
      'nick_name',
      'name_formatted',
      'honorific_suffix',
      'job_title',
      'user_type',
      'locale',
      'profile_url',
      'employee_number',
      'cost_center',
      'division',
      'department',
    );
  });
}
