import type { Knex } from 'knex';

/**
 * Self-registration (issue 13, section 9). A sign-up is a request until its email
 * is confirmed: the person's email, names and password hash (argon2id), and the
 * SHA-256 of the link's token, as in password_reset_tokens. The user is created
 * only when the link is used, so nobody holds an address they cannot read mail at,
 * and administrators see only confirmed people. Requests are deleted once used or
 * expired (housekeeping).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sign_up_requests', (t) => {
    t.bigIncrements('id');
    t.text('email').notNullable();
    t.text('given_name').notNullable();
    t.text('family_name').notNullable();
    t.text('password_hash').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['expires_at']);
  });
  await knex.raw('CREATE INDEX sign_up_requests_email ON sign_up_requests (lower(email)) WHERE used_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sign_up_requests');
}
