import type { Knex } from 'knex';

/**
 * A user's life cycle in administration:
 *
 *   users.anonymised_at        set once, when the personal data was erased;
 *                              anonymising twice is refused, it cannot be undone.
 *   invitations.token_hash     the password link the last invitation mail carried
 *                              (SHA-256, as in password_reset_tokens): completing
 *                              that link confirms the invitation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('anonymised_at', { useTz: true });
  });
  await knex.schema.alterTable('invitations', (t) => {
    t.text('token_hash');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invitations', (t) => t.dropColumn('token_hash'));
  await knex.schema.alterTable('users', (t) => t.dropColumn('anonymised_at'));
}
