import type { Knex } from 'knex';

/**
 * Impersonations: an admin acting as a user, through token exchange (RFC 8693)
 * or interactively (the admin's own Gatehouse session switched to the user).
 *
 *   exchange     one row per exchanged token; `grant_id` is the user's grant made
 *                for it, `session_uid` the session of the admin's actor token (opaque
 *                actor tokens only), so that signing out revokes what it made.
 *   interactive  made with a single-use ticket (`ticket_hash`, SHA-256); once
 *                redeemed, `session_uid` is the admin's session now acting as the user.
 *
 * `expires_at` is the end of the impersonation (at most IMPERSONATION_TTL after it
 * starts); `ended_at` / `ended_reason` say when and why it ended earlier.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('impersonations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('kind').notNullable().checkIn(['exchange', 'interactive']);
    t.uuid('actor_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('target_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('client_id');
    t.text('grant_id');
    t.text('session_uid');
    t.text('ticket_hash');
    t.timestamp('ticket_expires_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true });
    t.text('ended_reason');
  });
  // Tokens find their impersonation by grant (exchange) or by session (interactive).
  await knex.raw(
    'CREATE UNIQUE INDEX impersonations_grant_id_key ON impersonations (grant_id) WHERE grant_id IS NOT NULL',
  );
  await knex.raw(
    'CREATE INDEX impersonations_session_uid_idx ON impersonations (session_uid) WHERE session_uid IS NOT NULL',
  );
  await knex.raw(
    'CREATE UNIQUE INDEX impersonations_ticket_hash_key ON impersonations (ticket_hash) WHERE ticket_hash IS NOT NULL',
  );
  // Ending a user's sessions ends what they started and what was done as them.
  await knex.raw('CREATE INDEX impersonations_actor_idx ON impersonations (actor_id) WHERE ended_at IS NULL');
  await knex.raw('CREATE INDEX impersonations_target_idx ON impersonations (target_id) WHERE ended_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('impersonations');
}
