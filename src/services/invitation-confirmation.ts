import type { InvitationsRepository } from '../repositories/invitations.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Clock } from '../util/clock.js';
import type { Transact } from '../db/database.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';
import type { IdentityService } from './identity.js';

/**
 * A password link was completed: it confirms the invitation whose mail carried it,
 * and a `pending` user (invited, not yet active) becomes `active`, as in Okta.
 * Separate from the invitations service, which sends links through the password
 * resets that call this.
 */
export function createInvitationConfirmationService(deps: {
  transact: Transact;
  users: UsersRepository;
  invitations: InvitationsRepository;
  identity: Pick<IdentityService, 'writeStatus'>;
  audit: AuditService;
  clock: Clock;
}) {
  return async function confirmByLink(done: { userId: string; tokenHash: string }): Promise<void> {
    await deps.transact(async (trx) => {
      if (!(await deps.invitations.confirmByLink(done.userId, done.tokenHash, deps.clock.now(), trx))) return;
      const actor: Actor = { type: 'user', id: done.userId };
      await deps.audit.record(
        { actor, action: 'user.invitation_confirmed', targetType: 'user', targetId: done.userId },
        trx,
      );
      if ((await deps.users.lock(done.userId, trx))?.status === 'pending')
        await deps.identity.writeStatus(done.userId, 'active', actor, null, trx);
    });
  };
}
