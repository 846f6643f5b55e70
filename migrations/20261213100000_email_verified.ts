import type { Knex } from 'knex';

/**
 * Issue 14, section 4. `email_verified`: the user's email is known to reach them,
 * because a link sent to it was used (invitation, password reset, sign-up
 * confirmation, a change of one's own email) or because an HR system or an
 * administrator says so. Changing the email clears it (repositories/users.ts).
 * `email_changes`: a person's own change of email waiting for the link sent to the
 * new address (SHA-256 of its token, as password_reset_tokens); one per user, the
 * latest request replacing an earlier one. Until the link is used the old email stays.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('email_verified').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('email_changes', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('new_email').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('email_changes');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('email_verified');
  });
}
