import type { Knex } from 'knex';

/**
 * Rate limits every instance shares: the table rate-limiter-flexible's
 * RateLimiterPostgres keeps (one row per limited key: points used in the current
 * window and when it ends, in epoch milliseconds), made here so that no DDL runs
 * at start. Keys are `<limit>:<sha-256 of the identifier or IP>`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
  });
  // The periodic cleanup deletes rows whose window has ended.
  await knex.raw('CREATE INDEX rate_limits_expire_idx ON rate_limits (expire)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limits');
}
