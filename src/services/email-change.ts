import type { Transact } from '../db/database.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { isPlausibleEmail } from '../policies/sign-up.js';
import type { EmailChangesRepository } from '../repositories/email-changes.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Clock } from '../util/clock.js';
import { hashToken, randomToken } from '../util/crypto.js';
import type { AuditService } from './audit.js';
import type { MailTemplatesService } from './mail-templates.js';

/**
 * A person changes their own email (the /account page): a link goes to the new
 * address; only when it is used does the email change, verified. Until then the
 * old email stays, for sign-in and for mail. Errors: `email_change.invalid_email`,
 * `.same_email`, `.invalid_token`, `.taken` (the address got an account meanwhile).
 */
export function createEmailChangeService(deps: {
  transact: Transact;
  changes: EmailChangesRepository;
  users: Pick<UsersRepository, 'findById' | 'lock' | 'isTaken' | 'update' | 'syncPrimaryEmails'>;
  mails: Pick<MailTemplatesService, 'send'>;
  audit: AuditService;
  clock: Clock;
  issuer: string;
  ttlSeconds: number;
  duplicateEmails: () => boolean;
}) {
  const { clock } = deps;
  return {
    async request(userId: string, email: string): Promise<void> {
      const address = email.trim();
      assertThat(isPlausibleEmail(address), fail('email_change.invalid_email'));
      const user = await deps.users.findById(userId);
      assertThat(user, fail('user.not_found'));
      assertThat(address.toLowerCase() !== (user.email ?? '').toLowerCase(), fail('email_change.same_email'));
      const token = randomToken();
      await deps.changes.put(
        userId,
        address,
        hashToken(token),
        new Date(clock.now().getTime() + deps.ttlSeconds * 1000),
      );
      const link = `${deps.issuer}/account/email/confirm?token=${encodeURIComponent(token)}`;
      await deps.mails.send('email_change', { ...user, email: address }, (say) => ({
        link,
        lifetime: say.lifetime(deps.ttlSeconds),
      }));
    },

    /** The address the user's change waits on, if any. */
    pending: async (userId: string): Promise<string | null> =>
      (await deps.changes.pending(userId, clock.now())) ?? null,

    /** The new address a live link stands for (the confirmation page shows it). */
    check: async (token: string): Promise<string | undefined> => deps.changes.peek(hashToken(token), clock.now()),

    /** The link was used: the email changes, verified, with its audit event. */
    async confirm(token: string, ip: string | null): Promise<void> {
      await deps.transact(async (trx) => {
        const change = await deps.changes.take(hashToken(token), clock.now(), trx);
        assertThat(change, fail('email_change.invalid_token'));
        const before = await deps.users.lock(change.userId, trx);
        assertThat(before, fail('email_change.invalid_token'));
        if (!deps.duplicateEmails())
          assertThat(!(await deps.users.isTaken('email', change.newEmail, trx)), fail('email_change.taken'));
        const after = await deps.users.update(change.userId, { email: change.newEmail, emailVerified: true }, trx);
        assertThat(after, fail('email_change.invalid_token'));
        await deps.users.syncPrimaryEmails([after], trx);
        await deps.audit.record(
          {
            actor: { type: 'user', id: after.id },
            ip,
            action: 'user.email_changed',
            targetType: 'user',
            targetId: after.id,
            changes: { email: [before.email, after.email] },
          },
          trx,
        );
      });
    },
  };
}
export type EmailChangeService = ReturnType<typeof createEmailChangeService>;
