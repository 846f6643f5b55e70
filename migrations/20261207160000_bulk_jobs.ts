import type { Knex } from 'knex';

/**
 * Bulk actions at the scale of a directory. A bulk action over more users than
 * the inline limit runs as a job: its counters move while it runs, its lease is
 * renewed by the process running it (a job whose lease ran out is failed,
 * `bulk.interrupted`), and each user's outcome is one row of `bulk_job_results`
 * (`error_code` null: done), in the order the users were taken.
 *
 * The users list filters on tags (any of): a GIN index on the array.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bulk_jobs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('action').notNullable();
    t.jsonb('input').notNullable().defaultTo('{}');
    t.text('status').notNullable().checkIn(['running', 'succeeded', 'failed']);
    t.integer('total').notNullable().defaultTo(0);
    t.integer('processed').notNullable().defaultTo(0);
    t.integer('succeeded').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.text('error');
    t.text('error_code');
    t.text('created_by');
    t.timestamp('lease_until', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
  await knex.raw("CREATE INDEX bulk_jobs_running_lease ON bulk_jobs (lease_until) WHERE status = 'running'");
  await knex.raw('CREATE INDEX bulk_jobs_created_at ON bulk_jobs (created_at, id)');

  await knex.schema.createTable('bulk_job_results', (t) => {
    t.uuid('job_id').notNullable().references('bulk_jobs.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.uuid('user_id').notNullable();
    t.text('error_code');
    t.text('message');
    t.primary(['job_id', 'seq']);
  });

  await knex.raw('CREATE INDEX users_tags_gin ON users USING gin (tags)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS users_tags_gin');
  await knex.schema.dropTableIfExists('bulk_job_results');
  await knex.schema.dropTableIfExists('bulk_jobs');
}
