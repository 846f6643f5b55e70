import type { AuditEvent, AuditEventsRepository } from '../repositories/audit-events.js';
import type { Executor } from '../db/database.js';

export type { AuditEvent } from '../repositories/audit-events.js';

export const CLI_ACTOR = { type: 'cli', name: 'gatehouse-cli' } as const;

/** Records who did what. Called inside the transaction of the change it describes. */
export function createAuditService(deps: { events: AuditEventsRepository }) {
  return {
    record: (event: AuditEvent, trx?: Executor) => deps.events.insert(event, trx),
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
