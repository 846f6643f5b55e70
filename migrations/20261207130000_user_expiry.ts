import type { Knex } from 'knex';

/**
 * Temporary accounts end:
 *
 *   users.expires_at   when the account stops: from then on the user is refused at
 *                      sign-in and the sweep makes them `inactive` (ending their
 *                      sessions). Null: never. The partial index serves the sweep,
 *                      which reads only users with an expiry who are not inactive
 *                      or deleted yet.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('expires_at', { useTz: true });
  });
  await knex.raw(
    "CREATE INDEX users_expires_at_idx ON users (expires_at) WHERE expires_at IS NOT NULL AND status NOT IN ('inactive', 'deleted')",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS users_expires_at_idx');
  await knex.schema.alterTable('users', (t) => t.dropColumn('expires_at'));
}
