import type { Knex } from 'knex';

/**
 * The users of an account (the users list's `accountId` filter and a manager's
 * scope): (account_id, user_id) answers them from the index alone, so counting an
 * account's 10,000 users is a merge with the users' primary key, not a hash of the
 * whole users table. It replaces the index on account_id alone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX employments_account_user ON employments (account_id, user_id)');
  await knex.raw('DROP INDEX employments_account_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX employments_account_id_index ON employments (account_id)');
  await knex.raw('DROP INDEX employments_account_user');
}
