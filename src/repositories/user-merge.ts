import type { Knex } from 'knex';
import type { Executor } from '../db/database.js';

/** How many rows went over to the kept user, by kind. */
export interface MergeMoves {
  employments: number;
  roles: number;
  groups: number;
  licences: number;
  contacts: number;
  reports: number;
  auditEvents: number;
}

// Rows of the merged user the kept user has already (same account, same role and
// scope, same group) stay behind and go with the merged user; the others move.
const SAME_SCOPE = `coalesce(k.account_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(m.account_id, '00000000-0000-0000-0000-000000000000'::uuid)
  AND coalesce(k.account_group_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(m.account_group_id, '00000000-0000-0000-0000-000000000000'::uuid)`;

// An email or phone is the same when its value is (case-insensitively); an address when every part is.
const SAME_VALUE = `k.attribute = m.attribute AND CASE WHEN m.attribute = 'addresses'
  THEN (k.formatted, k.street_address, k.locality, k.region, k.postal_code, k.country) IS NOT DISTINCT FROM (m.formatted, m.street_address, m.locality, m.region, m.postal_code, m.country)
  ELSE lower(k.value) IS NOT DISTINCT FROM lower(m.value) END`;

/**
 * Moves what belongs to a duplicate user over to the user kept, inside the
 * merge's transaction: employments, role assignments, group memberships, licences, the
 * emails / phone numbers / addresses the kept user lacks (after the kept user's
 * own; primary only where the kept user has none of that kind), the users the
 * duplicate managed, and the audit history (as target, actor or impersonated).
 */
export function createUserMergeRepository() {
  return {
    async moveAll(keepId: string, mergeId: string, trx: Executor): Promise<MergeMoves> {
      // Rows changed: `rowCount` on pg, `affectedRows` on PGlite.
      const run = async (sql: string, bindings: Knex.RawBinding[]) => {
        const result = (await trx.raw(sql, bindings)) as { rowCount?: number | null; affectedRows?: number };
        return Number(result.rowCount ?? result.affectedRows ?? 0);
      };

      const employments = await run(
        `UPDATE employments m SET user_id = ?, is_main = false, updated_at = now()
          WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM employments k WHERE k.user_id = ? AND k.account_id = m.account_id)`,
        [keepId, mergeId, keepId],
      );
      const roles = await run(
        `UPDATE role_assignments m SET user_id = ?
          WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM role_assignments k WHERE k.user_id = ? AND k.role = m.role AND ${SAME_SCOPE})`,
        [keepId, mergeId, keepId],
      );
      // Every group the duplicate was in changes (a member leaves or is replaced): its SCIM version moves.
      await run(
        'UPDATE groups SET version = version + 1, updated_at = now() WHERE id IN (SELECT group_id FROM group_members WHERE user_id = ?)',
        [mergeId],
      );
      const groups = await run(
        `UPDATE group_members m SET user_id = ?
          WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM group_members k WHERE k.user_id = ? AND k.group_id = m.group_id)`,
        [keepId, mergeId, keepId],
      );
      // Licences the kept user lacks move (no seat is taken: the duplicate held them); the rest go with it.
      const licences = await run(
        `UPDATE user_licences m SET user_id = ?
          WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM user_licences k WHERE k.user_id = ? AND k.licence_type_id = m.licence_type_id)`,
        [keepId, mergeId, keepId],
      );
      const contacts = await run(
        `WITH wanted AS (
           SELECT m.id, m.attribute, row_number() OVER (PARTITION BY m.attribute ORDER BY m.position, m.id) AS n
             FROM user_values m
            WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM user_values k WHERE k.user_id = ? AND ${SAME_VALUE})
         ), last AS (
           SELECT attribute, max(position) AS position FROM user_values WHERE user_id = ? GROUP BY attribute
         )
         UPDATE user_values v
            SET user_id = ?, position = coalesce(last.position, -1) + wanted.n, is_primary = v.is_primary AND last.attribute IS NULL
           FROM wanted LEFT JOIN last ON last.attribute = wanted.attribute
          WHERE v.id = wanted.id`,
        [mergeId, keepId, keepId, keepId],
      );
      const reports = await run(
        'UPDATE users SET direct_manager_id = ?, updated_at = now(), version = version + 1 WHERE direct_manager_id = ? AND id NOT IN (?, ?)',
        [keepId, mergeId, keepId, mergeId],
      );
      const auditEvents = await run(
        `UPDATE audit_events SET
           target_id = CASE WHEN target_id = ? THEN ? ELSE target_id END,
           actor_id = CASE WHEN actor_id = ? THEN ? ELSE actor_id END,
           on_behalf_of = CASE WHEN on_behalf_of = ? THEN ? ELSE on_behalf_of END
          WHERE target_id = ? OR actor_id = ? OR on_behalf_of = ?`,
        [mergeId, keepId, mergeId, keepId, mergeId, keepId, mergeId, mergeId, mergeId],
      );
      await run('UPDATE invitations SET invited_by = ? WHERE invited_by = ?', [keepId, mergeId]);
      return { employments, roles, groups, licences, contacts, reports, auditEvents };
    },
  };
}
export type UserMergeRepository = ReturnType<typeof createUserMergeRepository>;
