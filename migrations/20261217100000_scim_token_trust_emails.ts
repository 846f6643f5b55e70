import type { Knex } from 'knex';

/**
 * Issue 14, section 4. Whether the system behind a SCIM token vouches for the
 * emails it sends (Keycloak's "Trust Email" of a user federation or identity
 * provider): its users' emails are then `email_verified`. Off unless set when the
 * token is made: Entra ID and Okta send no verified flag, and a token may serve a
 * system that copies addresses typed by people.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('scim_tokens', (t) => {
    t.boolean('trust_emails').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('scim_tokens', (t) => {
    t.dropColumn('trust_emails');
  });
}
