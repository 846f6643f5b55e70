import type { Db, Executor } from '../db/database.js';

export interface Actor {
  type: 'user' | 'scim_token' | 'client' | 'cli' | 'system' | 'anonymous';
  id?: string | null;
  name?: string | null;
  onBehalfOf?: string | null;
}

export interface AuditEvent {
  actor: Actor;
  action: string;
  targetType?: string;
  targetId?: string | null;
  /** Field name → [old, new]; never a secret. */
  changes?: Record<string, [unknown, unknown]>;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** The columns of an audit row, and an event's values for them (for statements that write one alongside their change). */
export const AUDIT_COLUMNS = ['actor_type', 'actor_id', 'actor_name', 'on_behalf_of', 'action', 'target_type', 'target_id', 'changes', 'ip', 'details'] as const;
export function auditValues(event: AuditEvent): (string | null)[] {
  return [
    event.actor.type,
    event.actor.id ?? null,
    event.actor.name ?? null,
    event.actor.onBehalfOf ?? null,
    event.action,
    event.targetType ?? null,
    event.targetId ?? null,
    event.changes ? JSON.stringify(event.changes) : null,
    event.ip ?? null,
    event.details ? JSON.stringify(event.details) : null,
  ];
}

export function createAuditEventsRepository(db: Db) {
  return {
    async insert(event: AuditEvent, trx: Executor = db): Promise<void> {
      const values = auditValues(event);
      await trx('audit_events').insert(Object.fromEntries(AUDIT_COLUMNS.map((c, i) => [c, values[i]])));
    },
  };
}
export type AuditEventsRepository = ReturnType<typeof createAuditEventsRepository>;
