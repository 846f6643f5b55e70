import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/database.js';
import { webhookEventOf } from '../policies/webhook-events.js';
import type { AuditEvent } from '../repositories/audit-events.js';
import type { WebhooksRepository } from '../repositories/webhooks.js';
import type { Clock } from '../util/clock.js';
import type { JobQueueService } from './job-queue.js';

/**
 * Turns an audited change of a user into webhook deliveries: one row of the
 * delivery log per endpoint that asked for the event, and one queued job each,
 * written in the change's transaction (the audit service calls this with it), so
 * a change rolled back sends nothing and one committed is sent even if the
 * process stops at once. The body (`{ id, type, occurredAt, data }`) is the same
 * for every endpoint; `id` lets a receiver drop a delivery it has already had.
 */
export function createWebhookOutboxService(deps: {
  webhooks: WebhooksRepository;
  queue: JobQueueService;
  clock: Clock;
}) {
  return {
    async enqueue(event: AuditEvent, trx?: Executor): Promise<void> {
      const type = webhookEventOf(event);
      if (!type || !event.targetId) return;
      const endpoints = await deps.webhooks.subscribedTo(type, trx);
      if (!endpoints.length) return;
      const body = JSON.stringify({
        id: randomUUID(),
        type,
        occurredAt: deps.clock.now().toISOString(),
        data: { userId: event.targetId, changes: event.changes ?? {} },
      });
      for (const deliveryId of await deps.webhooks.addDeliveries(endpoints, type, body, trx))
        await deps.queue.send('webhook-delivery', { deliveryId }, trx);
    },
  };
}
export type WebhookOutboxService = ReturnType<typeof createWebhookOutboxService>;
