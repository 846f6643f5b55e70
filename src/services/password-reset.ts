import type { Logger } from 'pino';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { maySignIn } from '../policies/status.js';
import type { PasswordResetTokensRepository } from '../repositories/password-reset-tokens.js';
import type { UsersRepository } from '../repositories/users.js';
import { hashToken, randomToken } from '../util/crypto.js';
import type { Clock } from '../util/clock.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import type { IdentityService } from './identity.js';
import type { MailRecipient, MailTemplatesService } from './mail-templates.js';

export interface PasswordResetDeps {
  transact: Transact;
  users: UsersRepository;
  tokens: PasswordResetTokensRepository;
  identity: IdentityService;
  /** Renders the link's mail in the user's language and sends it. */
  mails: Pick<MailTemplatesService, 'send'>;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  issuer: string;
  ttlSeconds: number;
  /** Whether one more requested reset mail may go to the user now (counts it); the rate limit per account. */
  mayMail?: (userId: string) => Promise<boolean>;
  /** Told when a link has been used to set a password (invitations confirm with it); its failure is logged only. */
  onCompleted?: (done: { userId: string; tokenHash: string }) => Promise<void>;
}

/** How a link is made: its lifetime and its mail (the `password_reset` template by default). */
export interface LinkOptions {
  ttlSeconds?: number;
  mail?: 'password_reset' | 'invitation';
  /** The invitation's personal message (plain text, quoted) and who wrote it. */
  personal?: { from: string; message: string };
}

/** Whom a link goes to: the user, with what their mail is written for (language, name). */
export type LinkRecipient = Omit<MailRecipient, 'email'> & { id: string; email: string | null };

/**
 * "Forgot password?": single-use links, stored as hashes, valid for one hour
 * (`issue` takes another lifetime and mail: invitations last 7 days). A completed
 * reset applies the policy, lifts a lock and ends the user's sessions. A new link
 * voids the user's earlier ones (reset or invitation), in the transaction that
 * stores it: only the latest mail works.
 */
export function createPasswordResetService(deps: PasswordResetDeps) {
  const { users, tokens, clock } = deps;

  /** Issues a link for a known user and mails it; returns the stored hash of its token. */
  async function issue(
    user: LinkRecipient & { email: string },
    options: LinkOptions = {},
  ): Promise<{ tokenHash: string; expiresAt: Date }> {
    const userId = user.id;
    const ttlSeconds = options.ttlSeconds ?? deps.ttlSeconds;
    const token = randomToken();
    const tokenHash = hashToken(token);
    const expiresAt = new Date(clock.now().getTime() + ttlSeconds * 1000);
    await deps.transact(async (trx) => {
      await tokens.voidAll(userId, clock.now(), trx);
      await tokens.create(userId, tokenHash, expiresAt, trx);
    });
    const link = `${deps.issuer}/reset-password?token=${encodeURIComponent(token)}`;
    if (options.mail === 'invitation') {
      const days = String(Math.round(ttlSeconds / 86_400));
      const { personal } = options;
      await deps.mails.send('invitation', user, (say) => ({
        link,
        days,
        message: personal ? say.personalMessage(personal.from, personal.message) : '',
      }));
    } else {
      await deps.mails.send('password_reset', user, { link, minutes: String(Math.round(ttlSeconds / 60)) });
    }
    return { tokenHash, expiresAt };
  }

  return {
    issue,

    /** An administrator sends the user a link (whatever their status: the link lifts a lock). */
    async send(user: LinkRecipient, actor: Actor, ip: string | null): Promise<void> {
      const { email } = user;
      assertThat(email, fail('user.no_email', { toSend: 'link' }));
      await issue({ ...user, email });
      await deps.audit.record({ actor, ip, action: 'user.password_link_sent', targetType: 'user', targetId: user.id });
    },

    /**
     * By email or userCode. Answers the same whether or not the user exists: the
     * work happens after the caller has answered. Past the per-account limit
     * (`mayMail`) nothing is sent, and the caller still cannot tell.
     */
    request(identifier: string, ip: string | null): void {
      const work = async () => {
        const user = identifier ? await users.findByAnyIdentifier(identifier.trim()) : undefined;
        if (!user?.email || !(maySignIn(user.status) || user.status === 'locked')) return;
        if (deps.mayMail && !(await deps.mayMail(user.id))) {
          deps.log.info({ userId: user.id }, 'password_reset.mail_limited');
          return;
        }
        await issue({ ...user, email: user.email });
        await deps.audit.record({
          actor: { type: 'anonymous' },
          action: 'user.password_reset_requested',
          targetType: 'user',
          targetId: user.id,
          ip,
        });
      };
      work().catch((err) => deps.log.error({ err }, 'password_reset.request_failed'));
    },

    /** Whether a link is still good: its user's sign-in name (for password managers), or undefined. */
    async check(token: string): Promise<string | undefined> {
      const userId = await tokens.peek(hashToken(token), clock.now());
      const user = userId ? await users.findById(userId) : undefined;
      return user ? (user.email ?? user.userCode) : undefined;
    },

    async complete(token: string, password: string, ip: string | null): Promise<void> {
      const hash = hashToken(token);
      const userId = await tokens.peek(hash, clock.now());
      assertThat(userId, fail('password_reset.invalid_token'));
      const user = await users.findById(userId);
      assertThat(user, fail('password_reset.invalid_token'));
      await deps.identity.checkPassword(password, user, user.id);
      // Redeem only after the policy accepted the password, so a refused one keeps the link usable.
      const redeemed = await tokens.redeem(hash, clock.now());
      assertThat(redeemed === userId, fail('password_reset.invalid_token'));
      await tokens.voidAll(userId, clock.now());
      // The link reached the person: their email is verified (an invitation's link too).
      if (user.email) await users.verifyEmail(userId, user.email);
      await deps.identity.storeCheckedPassword(
        userId,
        password,
        { type: 'user', id: userId, name: user.email },
        { reset: true },
      );
      deps.log.info({ userId, ip }, 'password_reset.completed');
      await deps
        .onCompleted?.({ userId, tokenHash: hash })
        .catch((err) => deps.log.error({ err, userId }, 'password_reset.on_completed_failed'));
    },
  };
}
export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
