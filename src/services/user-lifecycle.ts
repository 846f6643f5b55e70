import type { Logger } from 'pino';
import type { Transact } from '../db/database.js';
import type { Operator } from '../domain/operator.js';
import type { User } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { evaluateExpiry } from '../policies/expiry.js';
import type { UserAnonymiseRepository } from '../repositories/user-anonymise.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Clock } from '../util/clock.js';
import { defined } from '../util/defined.js';
import type { AuditService } from './audit.js';
import type { MailTemplatesService } from './mail-templates.js';
import type { MfaService } from './mfa.js';
import type { UserReachService } from './user-reach.js';

/**
 * A user's life cycle beyond create and delete (SPEC "Administration"), one user at a
 * time (bulk actions call these per user): undo the first delete, approve a pending
 * user, reset their second factors. Each checks the operator's reach and writes its
 * audit event in the change's transaction. Errors:
 *   404 user.not_found, 403 admin_api.forbidden_target   (reach)
 *   409 user.not_deleted         restoring a user who is not deleted
 *   409 user.already_anonymised  restoring an anonymised user (it cannot be undone)
 *   409 user.email_taken, user.user_code_taken  another user took the identifier meanwhile
 *   409 user.not_pending         approving a user who is not pending
 *   409 user.expired             approving a user whose account has ended
 */
export function createUserLifecycleService(deps: {
  transact: Transact;
  users: UsersRepository;
  erasure: Pick<UserAnonymiseRepository, 'anonymisedAt'>;
  mfa: Pick<MfaService, 'reset'>;
  mails: Pick<MailTemplatesService, 'send'>;
  audit: AuditService;
  reach: UserReachService;
  clock: Clock;
  log: Logger;
  duplicateEmails: () => boolean;
  /** Where a person signs in (the approval mail's link). */
  signInUrl: string;
}) {
  const { users, transact, audit, reach } = deps;

  return {
    /**
     * Undoes the first delete: a `deleted` user becomes `inactive` (reactivate them
     * after, if wanted), with their roles, employments and groups as they were.
     */
    async restore(userId: string, by: Operator): Promise<User> {
      return transact(async (trx) => {
        const user = await reach(userId, by, { change: true, lock: true, includeDeleted: true }, trx);
        assertThat(user.status === 'deleted', () => fail('user.not_deleted', { status: user.status }));
        assertThat(!(await deps.erasure.anonymisedAt(userId, trx)), () => fail('user.already_anonymised'));
        // A deleted user's email and userCode were free for others meanwhile.
        if (user.email && !deps.duplicateEmails())
          assertThat(!(await users.isTaken('email', user.email, trx)), () => fail('user.email_taken'));
        assertThat(!(await users.isTaken('user_code', user.userCode, trx)), () => fail('user.user_code_taken'));
        const result = defined(await users.setStatus(userId, 'inactive', trx), 'the user');
        await audit.by(by).record(
          {
            action: 'user.restored',
            targetType: 'user',
            targetId: userId,
            changes: { status: ['deleted', 'inactive'] },
          },
          trx,
        );
        return result.user;
      });
    },

    /** Lifts a lock by hand: the user goes back to the status they had before it (`active` when none was kept). */
    async unlock(userId: string, by: Operator): Promise<User> {
      return transact(async (trx) => {
        const before = await reach(userId, by, { change: true, lock: true }, trx);
        assertThat(before.status === 'locked', () => fail('user.not_locked', { status: before.status }));
        const user = defined(await users.unlock(userId, trx), 'the user');
        await audit.by(by).record(
          {
            action: 'user.status_changed',
            targetType: 'user',
            targetId: userId,
            changes: { status: ['locked', user.status] },
          },
          trx,
        );
        return user;
      });
    },

    /**
     * Approves a `pending` user: `active`, and mailed (the `approval` template, in their
     * language) when they have an
     * email. The approval stands if the mail fails (logged; `notified` says false).
     */
    async approve(userId: string, by: Operator): Promise<{ user: User; notified: boolean }> {
      const user = await transact(async (trx) => {
        const before = await reach(userId, by, { change: true, lock: true }, trx);
        assertThat(before.status === 'pending', () => fail('user.not_pending', { status: before.status }));
        assertThat(evaluateExpiry(before, deps.clock.now()) === 'current', () =>
          fail('user.expired', { expiresAt: new Date(before.expiresAt ?? 0).toISOString() }),
        );
        const result = defined(await users.setStatus(userId, 'active', trx), 'the user');
        await audit.by(by).record(
          {
            action: 'user.approved',
            targetType: 'user',
            targetId: userId,
            changes: { status: ['pending', 'active'] },
            details: { notify: Boolean(before.email) },
          },
          trx,
        );
        return result.user;
      });
      if (!user.email) return { user, notified: false };
      try {
        await deps.mails.send('approval', { ...user, email: user.email }, { link: deps.signInUrl });
        return { user, notified: true };
      } catch (err) {
        deps.log.error({ err, userId }, 'user.approval_mail_failed');
        return { user, notified: false };
      }
    },

    /** Removes every second factor (TOTP, passkeys, recovery codes) and lifts the MFA lock: they enrol again. */
    async resetMfa(userId: string, by: Operator): Promise<void> {
      await reach(userId, by, { change: true });
      await deps.mfa.reset(userId, by.actor, by.ip);
    },
  };
}
export type UserLifecycleService = ReturnType<typeof createUserLifecycleService>;
