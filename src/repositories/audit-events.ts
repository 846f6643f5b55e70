import type { Db, Executor } from '../db/database.js';
import type { Actor } from '../domain/actor.js';

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
export const AUDIT_COLUMNS = [
  'actor_type',
  'actor_id',
  'actor_name',
  'on_behalf_of',
  'action',
  'target_type',
  'target_id',
  'changes',
  'ip',
  'details',
] as const;
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

/** An audit event as stored: its id and time added. */
export interface StoredAuditEvent {
  id: number;
  at: Date;
  actor: Actor;
  action: string;
  targetType: string | null;
  targetId: string | null;
  changes: Record<string, [unknown, unknown]> | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

/** What the audit log is filtered on; every field is optional. */
export interface AuditFilter {
  targetId?: string;
  actorId?: string;
  /** Exact, or a prefix when it ends with `*` (`user.*`). */
  action?: string;
  from?: Date;
  to?: Date;
}

/** Where the previous page ended: the exact time (as text, microseconds kept) and id of its last event. */
export interface AuditCursor {
  at: string;
  id: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A row of `audit_events`. */
interface AuditEventRow {
  id: string | number;
  at: Date;
  actor_type: Actor['type'];
  actor_id: Actor['id'];
  actor_name: Actor['name'];
  on_behalf_of: Actor['onBehalfOf'];
  action: string;
  target_type: string | null;
  target_id: string | null;
  changes: Record<string, [unknown, unknown]> | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

const toEvent = (r: AuditEventRow): StoredAuditEvent => ({
  id: Number(r.id),
  at: r.at,
  actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name, onBehalfOf: r.on_behalf_of },
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  changes: r.changes,
  ip: r.ip,
  details: r.details,
});

export function createAuditEventsRepository(db: Db) {
  return {
    async insert(event: AuditEvent, trx: Executor = db): Promise<void> {
      const values = auditValues(event);
      await trx('audit_events').insert(Object.fromEntries(AUDIT_COLUMNS.map((c, i) => [c, values[i]])));
    },

    /** One page of events, newest first; `cursor` continues a previous page. */
    async page(
      input: { filter: AuditFilter; limit: number; cursor?: AuditCursor },
      trx: Executor = db,
    ): Promise<{ events: StoredAuditEvent[]; next: AuditCursor | undefined }> {
      const { filter } = input;
      const q = trx('audit_events').select('*').select(trx.raw('at::text AS at_key'));
      if (filter.targetId) q.where('target_id', filter.targetId);
      if (filter.actorId) q.where('actor_id', filter.actorId);
      if (filter.action?.endsWith('*')) q.whereRaw('action LIKE ?', [`${escapeLike(filter.action.slice(0, -1))}%`]);
      else if (filter.action) q.where('action', filter.action);
      if (filter.from) q.where('at', '>=', filter.from);
      if (filter.to) q.where('at', '<', filter.to);
      if (input.cursor) q.whereRaw('(at, id) < (?::timestamptz, ?)', [input.cursor.at, input.cursor.id]);
      const rows = await q
        .orderBy([
          { column: 'at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(input.limit + 1);
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return {
        events: page.map(toEvent),
        next: rows.length > input.limit && last ? { at: last.at_key, id: Number(last.id) } : undefined,
      };
    },

    /** The changes of users an import job wrote (its audit rows), as events. */
    async ofImportedUsers(jobId: string, trx: Executor = db): Promise<StoredAuditEvent[]> {
      const rows = await trx('audit_events')
        .select('*')
        .where('target_type', 'user')
        .whereRaw("details->>'importJobId' = ?", [jobId])
        .orderBy('id');
      return rows.map(toEvent);
    },

    /** Deletes the events older than `cutoff`, `batch` rows per statement (short locks); answers how many. */
    async deleteOlderThan(cutoff: Date, batch = 5000, trx: Executor = db): Promise<number> {
      let deleted = 0;
      for (;;) {
        const n = await trx('audit_events')
          .whereIn('id', (s) => s.select('id').from('audit_events').where('at', '<', cutoff).orderBy('at').limit(batch))
          .delete();
        deleted += n;
        if (n < batch) return deleted;
      }
    },
  };
}
export type AuditEventsRepository = ReturnType<typeof createAuditEventsRepository>;
