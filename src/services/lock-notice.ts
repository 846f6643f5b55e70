import type { Logger } from 'pino';
import type { UsersRepository } from '../repositories/users.js';
import type { MailTemplatesService } from './mail-templates.js';

/**
 * The lock notice: when failed sign-ins lock an account, its user gets a mail
 * (the `lock_notice` template, in their language) saying so, when the lock ends
 * and where a password reset lifts it at once. It goes after the sign-in has
 * been answered, so the answer takes no longer; a failure is logged only.
 */
export function createLockNoticeService(deps: {
  users: Pick<UsersRepository, 'findById'>;
  mails: Pick<MailTemplatesService, 'send'>;
  issuer: string;
  log: Logger;
}) {
  async function notify(userId: string, lock: { attempts: number; until: Date | null }): Promise<void> {
    const user = await deps.users.findById(userId);
    if (!user?.email) return;
    await deps.mails.send('lock_notice', { ...user, email: user.email }, (say) => ({
      attempts: String(lock.attempts),
      unlock: say.unlock(lock.until, user.timezone),
      link: `${deps.issuer}/forgot-password`,
    }));
  }

  return (userId: string, lock: { attempts: number; until: Date | null }): void => {
    notify(userId, lock).catch((err) => deps.log.error({ err, userId }, 'lock_notice.send_failed'));
  };
}
export type LockNoticeService = ReturnType<typeof createLockNoticeService>;
