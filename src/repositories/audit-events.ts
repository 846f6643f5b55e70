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

export function createAuditEventsRepository(db: Db) {
  return {
    async insert(event: AuditEvent, trx: Executor = db): Promise<void> {
      await trx('audit_events').insert({
        actor_type: event.actor.type,
        actor_id: event.actor.id ?? null,
        actor_name: event.actor.name ?? null,
        on_behalf_of: event.actor.onBehalfOf ?? null,
        action: event.action,
        target_type: event.targetType ?? null,
        target_id: event.targetId ?? null,
        changes: event.changes ? JSON.stringify(event.changes) : null,
        ip: event.ip ?? null,
        details: event.details ? JSON.stringify(event.details) : null,
      });
    },
  };
}
export type AuditEventsRepository = ReturnType<typeof createAuditEventsRepository>;
