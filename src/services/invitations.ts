import type { Logger } from 'pino';
import type { User } from '../domain/user.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { invitationState, type InvitationState } from '../policies/invitation.js';
import { maySignIn } from '../policies/status.js';
import type { InvitationsRepository } from '../repositories/invitations.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Clock } from '../util/clock.js';
import type { Operator } from '../domain/operator.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import type { PasswordResetService } from './password-reset.js';
import type { UserReachService } from './user-reach.js';

/** An invitation as the admin API shows it. */
export interface Invitation {
  state: InvitationState;
  scheduledAt: Date | null;
  sentAt: Date | null;
  confirmedAt: Date | null;
}

/** The scheduler, in the audit. */
export const INVITATIONS_ACTOR: Actor = { type: 'system', name: 'invitations' };

/** How many due invitations one run of the scheduler sends at most. */
const BATCH = 100;

const noEmail = () => fail('user.no_email', { toSend: 'invitation' });
const notInvitable = (status: string) => fail('user.not_invitable', { status });

/** Whom an invitation may go to: users who may sign in, and `pending` ones (whom completing it activates). */
const invitable = (user: User) => maySignIn(user.status) || user.status === 'pending';

/** The longest personal message an invitation carries. */
export const INVITATION_MESSAGE_MAX = 1000;

/**
 * A personal message as plain text set apart in a mail: control characters (but line
 * breaks and tabs) removed, at most INVITATION_MESSAGE_MAX characters, every line
 * quoted with "> " so it never passes for the mail's own text or link.
 */
export const quotedMessage = (message: string) =>
  message
    .replace(/\r\n?/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '')
    .trim()
    .slice(0, INVITATION_MESSAGE_MAX)
    .split('\n')
    .map((line) => `> ${line}`.trimEnd())
    .join('\n');

/**
 * Invitations (SPEC "Administration"): a mail with a link to choose a password,
 * now or at a set time (the scheduler sends what is due every minute). The link
 * is a password-reset link that lasts longer (`linkTtlSeconds`, 7 days by
 * default); a new invitation voids the user's earlier links. Errors:
 *   404 user.not_found, 403 admin_api.forbidden_target  (reach)
 *   409 user.no_email              nothing to send the invitation to
 *   409 user.not_invitable         inactive, locked or deleted: reactivate first
 *   409 invitation.not_scheduled   cancelling when nothing is scheduled
 *   409 invitation.message_scheduled  a personal message goes only with an invitation sent now
 */
export function createInvitationsService(deps: {
  transact: Transact;
  users: UsersRepository;
  invitations: InvitationsRepository;
  resets: PasswordResetService;
  audit: AuditService;
  reach: UserReachService;
  clock: Clock;
  log: Logger;
  linkTtlSeconds?: number;
}) {
  const { invitations, clock } = deps;
  const linkOptions = { ttlSeconds: deps.linkTtlSeconds ?? 7 * 86_400, mail: 'invitation' as const };

  async function standing(user: User): Promise<Invitation> {
    const stored = await invitations.find(user.id);
    const { state, confirmedAt } = invitationState(stored, user.lastSignInAt ? new Date(user.lastSignInAt) : null);
    return { state, scheduledAt: stored?.scheduledAt ?? null, sentAt: stored?.sentAt ?? null, confirmedAt };
  }

  /** Mails a scheduled invitation that this run has claimed; false when it could not be sent (and was dropped). */
  async function sendClaimed(userId: string, scheduledAt: Date | null): Promise<boolean> {
    const user = await deps.users.findById(userId);
    if (!user?.email || !invitable(user)) {
      await deps.transact(async (trx) => {
        await invitations.remove(userId, trx);
        await deps.audit.record(
          {
            actor: INVITATIONS_ACTOR,
            action: 'user.invitation_dropped',
            targetType: 'user',
            targetId: userId,
            details: { reason: user ? (user.email ? user.status : 'no_email') : 'no_user' },
          },
          trx,
        );
      });
      return false;
    }
    const link = await deps.resets.issue({ ...user, email: user.email }, linkOptions);
    await deps.transact(async (trx) => {
      await invitations.setLink(user.id, link.tokenHash, trx);
      await deps.audit.record(
        {
          actor: INVITATIONS_ACTOR,
          action: 'user.invited',
          targetType: 'user',
          targetId: user.id,
          details: { scheduledAt: scheduledAt?.toISOString() ?? null },
        },
        trx,
      );
    });
    return true;
  }

  return {
    async get(userId: string, by: Operator): Promise<Invitation> {
      return standing(await deps.reach(userId, by, { change: false }));
    },

    /**
     * Sends the invitation now (no `at`, or `at` not in the future), or schedules it for `at`.
     * A personal `message` goes with one sent now (invite on create).
     */
    async invite(
      userId: string,
      at: Date | undefined,
      by: Operator,
      options: { message?: string } = {},
    ): Promise<Invitation> {
      const now = clock.now();
      const user = await deps.reach(userId, by, { change: true });
      assertThat(user.email, noEmail);
      assertThat(invitable(user), () => notInvitable(user.status));
      const invitedBy = by.actor.id ?? null;
      if (at && at.getTime() > now.getTime()) {
        assertThat(!options.message, () => fail('invitation.message_scheduled'));
        await deps.transact(async (trx) => {
          await deps.reach(userId, by, { change: true, lock: true }, trx);
          await invitations.schedule(userId, at, invitedBy, trx);
          await deps.audit.by(by).record(
            {
              action: 'user.invitation_scheduled',
              targetType: 'user',
              targetId: userId,
              details: { scheduledAt: at.toISOString() },
            },
            trx,
          );
        });
        return standing(user);
      }
      // The mail goes first (it cannot be part of a transaction); its link is recorded with the invitation.
      const { message } = options;
      const personal = message && { from: by.actor.name ?? 'Your administrator', message: quotedMessage(message) };
      const link = await deps.resets.issue(
        { ...user, email: user.email },
        { ...linkOptions, personal: personal || undefined },
      );
      await deps.transact(async (trx) => {
        await deps.reach(userId, by, { change: true, lock: true }, trx);
        await invitations.markSent(userId, now, link.tokenHash, invitedBy, trx);
        await deps.audit.by(by).record(
          {
            action: 'user.invited',
            targetType: 'user',
            targetId: userId,
            ...(message ? { details: { message: true } } : {}),
          },
          trx,
        );
      });
      return standing(user);
    },

    async cancel(userId: string, by: Operator): Promise<void> {
      await deps.transact(async (trx) => {
        await deps.reach(userId, by, { change: true, lock: true }, trx);
        assertThat(await invitations.cancelScheduled(userId, trx), fail('invitation.not_scheduled'));
        await deps.audit
          .by(by)
          .record({ action: 'user.invitation_cancelled', targetType: 'user', targetId: userId }, trx);
      });
    },

    /**
     * The scheduler: sends every invitation due at `now` (the time it records). Each is claimed in one
     * statement first, so servers running side by side never send one twice; one
     * whose mail fails is given back and tried at the next run. Returns how many went.
     */
    async sendDue(now: Date = clock.now()): Promise<number> {
      let sent = 0;
      for (const userId of await invitations.due(now, BATCH)) {
        const scheduledAt = (await invitations.find(userId))?.scheduledAt ?? null;
        if (!(await invitations.claim(userId, now))) continue;
        try {
          if (await sendClaimed(userId, scheduledAt)) sent++;
        } catch (err) {
          deps.log.error({ err, userId }, 'invitations.send_failed');
          await invitations
            .release(userId)
            .catch((e) => deps.log.error({ err: e, userId }, 'invitations.release_failed'));
        }
      }
      return sent;
    },
  };
}
export type InvitationsService = ReturnType<typeof createInvitationsService>;
