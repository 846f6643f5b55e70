import type { Knex } from 'knex';

/**
 * Custom fields (issue 13 §3): the definitions a super admin makes. A user's
 * values stay in `users.custom_attributes` (jsonb, by key); the GIN index serves
 * the users list's `cf.<key>=<value>` filters (containment, `@>`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE custom_fields (
      key text PRIMARY KEY CHECK (key ~ '^[A-Za-z][A-Za-z0-9_]{0,62}$'),
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
      type text NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'option')),
      options jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(options) = 'array'),
      required boolean NOT NULL DEFAULT false,
      claim boolean NOT NULL DEFAULT false,
      position integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((type = 'option') = (jsonb_array_length(options) > 0))
    )`);
  // Keys differ in more than case: `Size` and `size` would be one export column and one claim.
  await knex.raw('CREATE UNIQUE INDEX custom_fields_key_lower_idx ON custom_fields (lower(key))');
  await knex.raw('CREATE INDEX users_custom_attributes_idx ON users USING gin (custom_attributes jsonb_path_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS users_custom_attributes_idx');
  await knex.schema.dropTableIfExists('custom_fields');
}
