import type { Executor } from '../db/database.js';
import type { Role } from '../domain/user.js';
import { AUDIT_COLUMNS, auditValues, type AuditEvent } from './audit-events.js';

/** A user about to have their tags changed: their tags and every role they hold. */
export interface TaggedUser {
  id: string;
  tags: string[];
  mainRole: Role;
  roles: Role[];
}

/**
 * Tags of many users at once (a bulk action's set-based path): the users locked and
 * read in one statement, their new tags written in one, their audit events in one.
 */
export function createUserTagsRepository() {
  return {
    /** The users given who are not deleted, locked for the transaction (in id order: no deadlock between two bulks). */
    async lockForChange(ids: readonly string[], trx: Executor): Promise<TaggedUser[]> {
      if (!ids.length) return [];
      const { rows } = (await trx.raw(
        `SELECT u.id, u.tags, u.main_role,
                ARRAY(SELECT r.role FROM role_assignments r WHERE r.user_id = u.id) AS roles
           FROM users u
          WHERE u.id = ANY(?::uuid[]) AND u.status <> 'deleted'
          ORDER BY u.id
            FOR NO KEY UPDATE OF u`,
        [[...ids]],
      )) as { rows: { id: string; tags: string[]; main_role: Role; roles: Role[] | string }[] };
      return rows.map((r) => ({
        id: r.id,
        tags: r.tags,
        mainRole: r.main_role,
        roles:
          typeof r.roles === 'string'
            ? (r.roles
                .replace(/^\{|\}$/g, '')
                .split(',')
                .filter(Boolean) as Role[])
            : r.roles,
      }));
    },

    /** Sets each user's tags (bumping their version) and records one audit event per user. */
    async setTags(list: readonly { id: string; tags: string[] }[], events: readonly AuditEvent[], trx: Executor) {
      if (!list.length) return;
      await trx.raw(
        `UPDATE users u SET tags = ARRAY(SELECT jsonb_array_elements_text(r.tags)), version = u.version + 1, updated_at = now()
           FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, tags jsonb)
          WHERE u.id = r.id`,
        [JSON.stringify(list)],
      );
      await trx('audit_events').insert(
        events.map((e) => {
          const values = auditValues(e);
          return Object.fromEntries(AUDIT_COLUMNS.map((c, i) => [c, values[i]]));
        }),
      );
    },
  };
}
export type UserTagsRepository = ReturnType<typeof createUserTagsRepository>;
