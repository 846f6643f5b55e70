import type { Transact } from '../db/database.js';
import type { Operator } from '../domain/operator.js';
import { highestRole } from '../domain/user.js';
import { fail } from '../errors/codes.js';
import { mayChange } from '../policies/permissions.js';
import type { AuditEvent } from '../repositories/audit-events.js';
import type { BulkResult } from '../repositories/bulk-jobs.js';
import type { UserTagsRepository } from '../repositories/user-tags.js';

/**
 * Tags added to and removed from many users in one transaction, with the rules of
 * the single-user change (PATCH /users/{id}): a deleted or missing user is
 * `user.not_found`, one above the operator `admin_api.forbidden_target`, and each
 * user changed gets its `user.updated` event with the tags before and after. For
 * operators who reach every user (hr and above); a manager's bulk goes user by user.
 */
export function createUserTagsService(deps: { transact: Transact; tags: UserTagsRepository }) {
  return {
    async editMany(ids: readonly string[], change: { add?: string[]; remove?: string[] }, by: Operator) {
      if (!by.powers.scope.all) throw new Error('editMany is for operators who reach every user');
      const removed = new Set(change.remove ?? []);
      return deps.transact(async (trx): Promise<BulkResult[]> => {
        const found = new Map((await deps.tags.lockForChange(ids, trx)).map((u) => [u.id, u]));
        const changed: { id: string; tags: string[] }[] = [];
        const events: AuditEvent[] = [];
        const results = ids.map((id): BulkResult => {
          const user = found.get(id);
          if (!user) return refused(id, fail('user.not_found'));
          const targetRole = highestRole([user.mainRole, ...user.roles]);
          if (!mayChange(by.powers, targetRole))
            return refused(id, fail('admin_api.forbidden_target', { role: by.powers.role, targetRole }));
          const tags = [...new Set([...user.tags.filter((t) => !removed.has(t)), ...(change.add ?? [])])];
          if (JSON.stringify(tags) !== JSON.stringify(user.tags)) {
            changed.push({ id, tags });
            events.push({
              actor: by.actor,
              ip: by.ip,
              action: 'user.updated',
              targetType: 'user',
              targetId: id,
              changes: { tags: [user.tags, tags] },
            });
          }
          return { userId: id, errorCode: null, message: null };
        });
        await deps.tags.setTags(changed, events, trx);
        return results;
      });
    },
  };
}
export type UserTagsService = ReturnType<typeof createUserTagsService>;

const refused = (userId: string, err: { code: string; message: string }): BulkResult => ({
  userId,
  errorCode: err.code,
  message: err.message,
});
