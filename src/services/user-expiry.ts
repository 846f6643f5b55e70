import type { Logger } from 'pino';
import type { Transact } from '../db/database.js';
import type { Actor } from '../domain/actor.js';
import type { UsersRepository } from '../repositories/users.js';
import type { Clock } from '../util/clock.js';
import type { AuditService } from './audit.js';

/** The expiry, in the audit. */
export const EXPIRY_ACTOR: Actor = { type: 'system', name: 'expiry' };

/** How many expired users one transaction of the sweep makes inactive. */
const BATCH = 200;

/**
 * Temporary accounts end (`expiresAt`): at that moment the user becomes `inactive`,
 * audited as `user.expired` by the system, and their sessions, grants and tokens end.
 * Two ways get there, whichever comes first: sign-in (`expire` of the one user, who is
 * refused as inactive) and the periodic sweep (`expireDue`, every minute).
 */
export function createUserExpiryService(deps: {
  transact: Transact;
  users: Pick<UsersRepository, 'expireDue'>;
  audit: AuditService;
  /** Ends every session, grant and token of a user (identity.endSessions). */
  endSessions: (userId: string) => Promise<unknown>;
  clock: Clock;
  log: Logger;
}) {
  /** One transaction: up to BATCH users (or only `onlyId`) made inactive and audited; then their sessions end. */
  async function batch(now: Date, onlyId?: string): Promise<string[]> {
    const expired = await deps.transact(async (trx) => {
      const rows = await deps.users.expireDue(now, { limit: BATCH, onlyId }, trx);
      for (const row of rows)
        await deps.audit.record(
          {
            actor: EXPIRY_ACTOR,
            action: 'user.expired',
            targetType: 'user',
            targetId: row.id,
            changes: { status: [row.before, 'inactive'] },
            details: { expiresAt: new Date(row.expiresAt).toISOString() },
          },
          trx,
        );
      return rows.map((r) => r.id);
    });
    for (const id of expired) await deps.endSessions(id);
    return expired;
  }

  return {
    /** The sweep: every user whose expiry has come by `now` becomes inactive. Returns how many. */
    async expireDue(now: Date = deps.clock.now()): Promise<number> {
      let total = 0;
      for (;;) {
        const done = await batch(now);
        total += done.length;
        if (done.length < BATCH) break;
      }
      if (total) deps.log.info({ expired: total }, 'users.expired');
      return total;
    },

    /** At sign-in: the user whose expiry has come becomes inactive now; false when it had not come (or was done). */
    async expire(userId: string): Promise<boolean> {
      return (await batch(deps.clock.now(), userId)).length > 0;
    },
  };
}
export type UserExpiryService = ReturnType<typeof createUserExpiryService>;
