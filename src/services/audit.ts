import type { Executor } from '../db/database.js';
import type { Actor } from '../domain/actor.js';
import type { Operator } from '../domain/operator.js';
import type { AuditCursor, AuditEvent, AuditEventsRepository, AuditFilter } from '../repositories/audit-events.js';
import type { UserReachService } from './user-reach.js';

export type { AuditEvent } from '../repositories/audit-events.js';

export const CLI_ACTOR = { type: 'cli', name: 'gatehouse-cli' } as const;

/** Who purges the audit log on schedule. */
export const RETENTION_ACTOR: Actor = { type: 'system', name: 'audit-retention' };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Who did it and from where: an operator, a SCIM caller. */
export interface AuditSource {
  actor: Actor;
  ip?: string | null;
}

/**
 * Records who did what. Called inside the transaction of the change it describes;
 * `by(operator).record(event)` takes the actor and address from the operator.
 */
export function createAuditService(deps: {
  events: AuditEventsRepository;
  /** Runs with each event, in its transaction (the webhooks' outbox). */
  onRecord?: (event: AuditEvent, trx?: Executor) => Promise<void>;
}) {
  const record = async (event: AuditEvent, trx?: Executor) => {
    await deps.events.insert(event, trx);
    await deps.onRecord?.(event, trx);
  };
  return {
    record,
    by: ({ actor, ip }: AuditSource) => ({
      record: (event: Omit<AuditEvent, 'actor' | 'ip'>, trx?: Executor) => record({ actor, ip, ...event }, trx),
    }),
  };
}
export type AuditService = ReturnType<typeof createAuditService>;

/**
 * Reading the audit log (newest first, keyset paged; a user's sign-ins) and keeping it within the
 * retention setting: `purgeExpired` deletes events older than
 * `auditRetentionDays` (null keeps them for ever) and records that it did.
 */
export function createAuditLogService(deps: {
  events: AuditEventsRepository;
  audit: AuditService;
  retentionDays: () => number | null;
  reach: UserReachService;
}) {
  return {
    page: (input: { filter: AuditFilter; limit: number; cursor?: AuditCursor }) => deps.events.page(input),

    /** A user's sign-in attempts (`signin.*`), newest first; a user out of the operator's reach is 404. */
    async signInsOf(userId: string, by: Operator, input: { limit: number; cursor?: AuditCursor }) {
      await deps.reach(userId, by, { change: false });
      return deps.events.page({ filter: { targetId: userId, action: 'signin.*' }, ...input });
    },

    async purgeExpired(now: Date, actor: Actor = RETENTION_ACTOR): Promise<{ deleted: number; before: Date | null }> {
      const days = deps.retentionDays();
      if (days === null) return { deleted: 0, before: null };
      const before = new Date(now.getTime() - days * DAY_MS);
      const deleted = await deps.events.deleteOlderThan(before);
      if (deleted)
        await deps.audit.record({
          actor,
          action: 'audit.purged',
          details: { deleted, before: before.toISOString(), retentionDays: days },
        });
      return { deleted, before };
    },
  };
}
export type AuditLogService = ReturnType<typeof createAuditLogService>;
