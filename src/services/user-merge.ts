import type { User } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { mergeConflicts, mergedFields } from '../policies/merge.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import type { MergeMoves, UserMergeRepository } from '../repositories/user-merge.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Operator } from '../domain/operator.js';
import { isActor } from './admin-auth.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import type { UserReachService } from './user-reach.js';
import { defined } from '../util/defined.js';

/**
 * Merges two duplicate users into the one kept (SPEC "Administration"). Errors:
 *   400 merge.same_user    keepId and mergeId are the same user
 *   400 merge.self         the caller would merge themself away
 *   404 user.not_found     either user is missing, deleted or out of the caller's scope
 *   403 admin_api.forbidden_target  either user is above the caller
 *   409 merge.conflict     both hold different values of an identifier (details.conflicts)
 */
export function createUserMergeService(deps: {
  transact: Transact;
  users: UsersRepository;
  moves: UserMergeRepository;
  payloads: OidcPayloadsRepository;
  audit: AuditService;
  reach: UserReachService;
}) {
  const { users, reach } = deps;

  return {
    /**
     * One transaction: both users locked (in id order), conflicts checked before
     * anything changes, everything moved, the duplicate's sessions and tokens ended,
     * the duplicate removed, its blanks filled on the kept user, one `user.merged` event.
     */
    async merge(keepId: string, mergeId: string, by: Operator): Promise<{ user: User; moved: MergeMoves }> {
      assertThat(keepId.toLowerCase() !== mergeId.toLowerCase(), fail('merge.same_user'));
      assertThat(!isActor(mergeId, by), fail('merge.self'));
      return deps.transact(async (trx) => {
        const locked = new Map<string, User>();
        for (const id of [keepId, mergeId].sort())
          locked.set(id, await reach(id, by, { change: true, lock: true }, trx));
        const keep = defined(locked.get(keepId), 'the kept user');
        const merge = defined(locked.get(mergeId), 'the merged user');

        const conflicts = mergeConflicts(keep, merge);
        assertThat(!conflicts.length, () => fail('merge.conflict', { conflicts }));

        const fill = mergedFields(keep, merge);
        const moved = await deps.moves.moveAll(keep.id, merge.id, trx);
        await deps.payloads.revokeAccount(merge.id, trx);
        await users.remove(merge.id, trx);
        const user = defined(
          Object.keys(fill).length ? await users.update(keep.id, fill, trx) : await users.findById(keep.id, trx),
          'the kept user',
        );
        await deps.audit.by(by).record(
          {
            action: 'user.merged',
            targetType: 'user',
            targetId: keep.id,
            changes: Object.fromEntries(
              Object.keys(fill).map((f) => [f, [keep[f as keyof User], user[f as keyof User]]]),
            ),
            details: {
              kept: { id: keep.id, userCode: keep.userCode },
              merged: { id: merge.id, userCode: merge.userCode, email: merge.email },
              moved,
            },
          },
          trx,
        );
        return { user, moved };
      });
    },
  };
}
export type UserMergeService = ReturnType<typeof createUserMergeService>;
