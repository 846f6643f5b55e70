import type { Knex } from 'knex';

/**
 * Administration: sort keys of the users list (keyset paging), invitations
 * and CSV import jobs with their per-row reports.
 */
export async function up(knex: Knex): Promise<void> {
  // Each sort of the users list reads an index in order: (key, id).
  await knex.raw(
    "CREATE INDEX users_sort_last_sign_in ON users ((coalesce(last_sign_in_at, '-infinity'::timestamptz)), id)",
  );
  await knex.raw("CREATE INDEX users_sort_email ON users ((coalesce(lower(email), '')), id)");
  // The list's commonest filters, counted from the index alone.
  await knex.raw('CREATE INDEX users_status_main_role_idx ON users (status, main_role)');
  // Sign-in by email stays an index lookup when the duplicate-email setting drops users_email_key.
  await knex.raw('CREATE INDEX users_email_lower_idx ON users (lower(email))');
  await knex.raw('CREATE INDEX users_sort_user_code ON users ((lower(user_code)), id)');
  await knex.raw("CREATE INDEX users_sort_given_name ON users ((coalesce(lower(given_name), '')), id)");
  await knex.raw("CREATE INDEX users_sort_family_name ON users ((coalesce(lower(family_name), '')), id)");

  await knex.schema.createTable('invitations', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.timestamp('scheduled_at', { useTz: true });
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('confirmed_at', { useTz: true });
    t.text('invited_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX invitations_due_idx ON invitations (scheduled_at) WHERE sent_at IS NULL');

  await knex.schema.createTable('import_jobs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('status').notNullable().checkIn(['running', 'succeeded', 'failed']);
    t.text('key').notNullable().checkIn(['email', 'userCode']);
    t.text('mode').notNullable().checkIn(['add', 'update', 'upsert']);
    t.boolean('dry_run').notNullable();
    t.integer('total').notNullable().defaultTo(0);
    t.integer('processed').notNullable().defaultTo(0);
    t.integer('created').notNullable().defaultTo(0);
    t.integer('updated').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.text('error');
    t.text('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });

  await knex.schema.createTable('import_errors', (t) => {
    t.uuid('job_id').notNullable().references('import_jobs.id').onDelete('CASCADE');
    t.integer('row').notNullable();
    t.text('column');
    t.text('code').notNullable();
    t.text('message').notNullable();
    t.index(['job_id', 'row']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('import_errors');
  await knex.schema.dropTableIfExists('import_jobs');
  await knex.schema.dropTableIfExists('invitations');
  for (const index of [
    'users_status_main_role_idx',
    'users_email_lower_idx',
    'users_sort_last_sign_in',
    'users_sort_email',
    'users_sort_user_code',
    'users_sort_given_name',
    'users_sort_family_name',
  ]) {
    await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  }
}
