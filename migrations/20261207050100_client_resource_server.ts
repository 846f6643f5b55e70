import type { Knex } from 'knex';

/**
 * A client may be registered as a resource server (an API): it then introspects
 * the tokens whose audience is that indicator, besides its own.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_clients', (t) => {
    t.text('resource_server');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_clients', (t) => {
    t.dropColumn('resource_server');
  });
}
