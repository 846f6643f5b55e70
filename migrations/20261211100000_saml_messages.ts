import type { Knex } from 'knex';

/**
 * Upstream SAML: the AuthnRequests Gatehouse sent and is waiting answers for
 * (consumed once, by the answer that names them in InResponseTo, and only before
 * they expire), and the ids of assertions already accepted (kept until the
 * assertion itself expires, so a replay is refused while it could still be valid).
 * Both are keyed by the provider's name; expired rows are purged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('saml_requests', (t) => {
    t.text('provider').notNullable();
    t.text('request_id').notNullable();
    t.text('relay_state').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['provider', 'request_id']);
  });
  await knex.raw('CREATE INDEX saml_requests_expiry ON saml_requests (expires_at)');

  await knex.schema.createTable('saml_assertions_seen', (t) => {
    t.text('provider').notNullable();
    t.text('assertion_id').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['provider', 'assertion_id']);
  });
  await knex.raw('CREATE INDEX saml_assertions_seen_expiry ON saml_assertions_seen (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('saml_assertions_seen');
  await knex.schema.dropTable('saml_requests');
}
