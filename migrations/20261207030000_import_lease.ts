import type { Knex } from 'knex';

/**
 * Interrupted imports end as failed. A running import job carries a lease that
 * the process running it renews; a job whose lease ran out (its process died, or
 * lost the database) is marked failed with the code `import.interrupted` by any
 * instance. Failures get a stable code beside their message. Jobs left running
 * by the code before this one have no lease: they count as expired.
 *
 * The dev mail outbox is purged by age: an index on created_at.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_jobs', (t) => {
    t.timestamp('lease_until', { useTz: true });
    t.text('error_code');
  });
  await knex.raw("CREATE INDEX import_jobs_running_lease ON import_jobs (lease_until) WHERE status = 'running'");
  await knex.raw('CREATE INDEX mail_outbox_created_at ON mail_outbox (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS mail_outbox_created_at');
  await knex.raw('DROP INDEX IF EXISTS import_jobs_running_lease');
  await knex.schema.alterTable('import_jobs', (t) => {
    t.dropColumn('error_code');
    t.dropColumn('lease_until');
  });
}
