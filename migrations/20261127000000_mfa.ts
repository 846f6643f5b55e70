import type { Knex } from 'knex';

/**
 * Second factors: TOTP secrets (sealed with AES-GCM), WebAuthn credentials,
 * single-use recovery codes (hashed), the WebAuthn challenges in flight, and the
 * MFA failure counter, which is a pool of its own: it never locks the password.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('mfa_failed_attempts').notNullable().defaultTo(0);
    t.timestamp('mfa_locked_until', { useTz: true });
  });
  await knex.raw('ALTER TABLE users ADD CONSTRAINT users_mfa_failed_attempts_check CHECK (mfa_failed_attempts >= 0)');

  await knex.schema.createTable('totp_factors', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('secret_sealed').notNullable(); // AES-256-GCM, bound to the user id
    t.timestamp('confirmed_at', { useTz: true }); // null while enrolment is unfinished
    t.bigInteger('last_step'); // the last accepted time step: a code is good once
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('recovery_codes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('code_hash').notNullable(); // HMAC-SHA-256 under a key derived from GATEHOUSE_SECRET
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['user_id', 'code_hash']);
  });

  await knex.schema.createTable('webauthn_credentials', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('credential_id').notNullable().unique(); // base64url
    t.binary('public_key').notNullable(); // COSE
    t.bigInteger('counter').notNullable().defaultTo(0);
    t.specificType('transports', 'text[]').notNullable().defaultTo('{}');
    t.text('name').notNullable();
    t.text('aaguid');
    t.text('device_type'); // singleDevice | multiDevice
    t.boolean('backed_up').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.index(['user_id']);
  });

  // A challenge is handed out once and consumed once (DELETE … RETURNING).
  await knex.schema.createTable('webauthn_challenges', (t) => {
    t.text('challenge').primary(); // base64url, 32 random bytes
    t.text('purpose').notNullable(); // register | authenticate
    t.uuid('user_id').references('users.id').onDelete('CASCADE'); // null: a passkey sign-in, user unknown yet
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webauthn_challenges');
  await knex.schema.dropTableIfExists('webauthn_credentials');
  await knex.schema.dropTableIfExists('recovery_codes');
  await knex.schema.dropTableIfExists('totp_factors');
  await knex.raw('ALTER TABLE users DROP CONSTRAINT IF EXISTS users_mfa_failed_attempts_check');
  await knex.schema.alterTable('users', (t) => t.dropColumns('mfa_failed_attempts', 'mfa_locked_until'));
}
