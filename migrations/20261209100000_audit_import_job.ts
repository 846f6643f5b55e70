import type { Knex } from 'knex';

/**
 * The audit rows an import job wrote, found by the job: an import audits its users
 * in bulk, and its webhook deliveries are made from those rows in its transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX audit_events_import_job ON audit_events ((details->>'importJobId')) WHERE details->>'importJobId' IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX audit_events_import_job');
}
