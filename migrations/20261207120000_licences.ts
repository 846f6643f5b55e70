import type { Knex } from 'knex';

/**
 * Licence types (`office`, `intranet`, `guest` …) with an optional number of
 * seats, and the licences users hold. A type `required_to_sign_in` makes sign-in
 * need at least one licence of such a type. Seats are counted under a lock of
 * the type's row (repositories/licences.ts), not by a constraint.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('licence_types', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('key').notNullable();
    t.text('name').notNullable();
    t.integer('seats');
    t.boolean('required_to_sign_in').notNullable().defaultTo(false);
    t.timestamps(true, true);
    t.integer('version').notNullable().defaultTo(1);
  });
  await knex.raw('CREATE UNIQUE INDEX licence_types_key ON licence_types (key)');
  await knex.raw(
    "ALTER TABLE licence_types ADD CONSTRAINT licence_types_key_check CHECK (key ~ '^[a-z0-9][a-z0-9_.-]*$')",
  );
  await knex.raw(
    'ALTER TABLE licence_types ADD CONSTRAINT licence_types_seats_check CHECK (seats IS NULL OR seats >= 0)',
  );
  await knex.raw('CREATE INDEX licence_types_required_idx ON licence_types (id) WHERE required_to_sign_in');

  await knex.schema.createTable('user_licences', (t) => {
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('licence_type_id').notNullable().references('licence_types.id').onDelete('CASCADE');
    t.timestamp('assigned_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'licence_type_id']);
    t.index(['licence_type_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('user_licences');
  await knex.schema.dropTableIfExists('licence_types');
}
