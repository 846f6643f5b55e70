import type { Knex } from 'knex';

/**
 * No usable bearer credential at rest: the oidc-provider payloads written before
 * are moved under the SHA-256 of their id (base64url, as the repository writes
 * them) and lose their `jti` (the id again), so live sessions and tokens survive
 * the upgrade while the table holds none of them. Grants and interactions keep
 * their ids (see src/repositories/oidc-payloads.ts); interactions drop the session
 * cookie they copied.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE oidc_payloads
    SET id = rtrim(translate(encode(sha256(convert_to(id, 'UTF8')), 'base64'), '+/', '-_'), '='), payload = payload - 'jti'
    WHERE kind NOT IN ('Grant', 'Interaction')`);
  await knex.raw(`UPDATE oidc_payloads SET payload = payload #- '{session,cookie}' WHERE kind = 'Interaction'`);
}

/** A hash cannot be undone: the rows stored under one go (everyone signs in again). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM oidc_payloads WHERE kind NOT IN ('Grant', 'Interaction')`);
}
