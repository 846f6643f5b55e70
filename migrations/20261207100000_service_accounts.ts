import type { Knex } from 'knex';

/**
 * Service accounts and secret rotation.
 * - A confidential client may hold one admin role (`service_account_role`): its
 *   client-credentials tokens for the admin API act with that role's powers. A
 *   `manager` reaches the accounts and account groups listed in
 *   `client_managed_scopes` (gone with the client, the account or the group).
 * - A rotated secret may stay valid for a grace period: the previous one is kept
 *   as its SHA-256 (it is only ever compared) with the time it stops working.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_clients', (t) => {
    t.text('service_account_role');
    t.text('previous_secret_hash');
    t.timestamp('previous_secret_expires_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE oidc_clients ADD CONSTRAINT oidc_clients_service_account_role_check
    CHECK (service_account_role IN ('manager', 'hr', 'admin', 'super_admin'))`);
  await knex.raw(`ALTER TABLE oidc_clients ADD CONSTRAINT oidc_clients_previous_secret_check
    CHECK ((previous_secret_hash IS NULL) = (previous_secret_expires_at IS NULL))`);

  await knex.schema.createTable('client_managed_scopes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('client_id').notNullable().references('oidc_clients.client_id').onDelete('CASCADE');
    t.uuid('account_id').references('accounts.id').onDelete('CASCADE');
    t.uuid('account_group_id').references('account_groups.id').onDelete('CASCADE');
  });
  await knex.raw(`ALTER TABLE client_managed_scopes ADD CONSTRAINT client_managed_scopes_one_scope
    CHECK ((account_id IS NULL) <> (account_group_id IS NULL))`);
  await knex.raw(`CREATE UNIQUE INDEX client_managed_scopes_key ON client_managed_scopes
    (client_id, coalesce(account_id, '00000000-0000-0000-0000-000000000000'::uuid),
     coalesce(account_group_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('client_managed_scopes');
  await knex.raw('ALTER TABLE oidc_clients DROP CONSTRAINT IF EXISTS oidc_clients_previous_secret_check');
  await knex.raw('ALTER TABLE oidc_clients DROP CONSTRAINT IF EXISTS oidc_clients_service_account_role_check');
  await knex.schema.alterTable('oidc_clients', (t) => {
    t.dropColumn('previous_secret_expires_at');
    t.dropColumn('previous_secret_hash');
    t.dropColumn('service_account_role');
  });
}
