import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/database.js';
import { webhookEventOf } from '../policies/webhook-events.js';
import type { AuditEventsRepository } from '../repositories/audit-events.js';
import type { WebhooksRepository } from '../repositories/webhooks.js';
import type { Clock } from '../util/clock.js';
import type { JobQueueService } from './job-queue.js';

/** What an audited change says that a webhook needs (an audit event, written or stored). */
type AuditedChange = Parameters<typeof webhookEventOf>[0] & { targetId?: string | null };

/**
 * Turns audited changes of users into webhook deliveries: one row of the
 * delivery log per endpoint that asked for the event, and one queued job each,
 * written in the change's transaction (the audit service calls this with it), so
 * a change rolled back sends nothing and one committed is sent even if the
 * process stops at once. The body (`{ id, type, occurredAt, data }`) is the same
 * for every endpoint; `id` lets a receiver drop a delivery it has already had.
 */
export function createWebhookOutboxService(deps: {
  webhooks: WebhooksRepository;
  audit: AuditEventsRepository;
  queue: JobQueueService;
  clock: Clock;
}) {
  async function deliver(
    changes: readonly AuditedChange[],
    subscribed: Map<string, string[]>,
    trx?: Executor,
  ): Promise<void> {
    const occurredAt = deps.clock.now().toISOString();
    const deliveries = changes.flatMap((change) => {
      const type = webhookEventOf(change);
      const endpoints = type ? (subscribed.get(type) ?? []) : [];
      if (!type || !change.targetId || !endpoints.length) return [];
      const data = { userId: change.targetId, changes: change.changes ?? {} };
      const body = JSON.stringify({ id: randomUUID(), type, occurredAt, data });
      return endpoints.map((webhookId) => ({ webhookId, event: type, body }));
    });
    const ids = await deps.webhooks.addDeliveries(deliveries, trx);
    await deps.queue.sendMany(
      'webhook-delivery',
      ids.map((deliveryId) => ({ deliveryId })),
      trx,
    );
  }

  return {
    async enqueue(change: AuditedChange, trx?: Executor): Promise<void> {
      if (!webhookEventOf(change) || !change.targetId) return;
      await deliver([change], await deps.webhooks.subscriptions(trx), trx);
    },

    /** The users an import job created and changed, in its transaction (an import audits them in bulk, not one by one). */
    async enqueueImported(jobId: string, trx: Executor): Promise<void> {
      const subscribed = await deps.webhooks.subscriptions(trx);
      if (subscribed.size) await deliver(await deps.audit.ofImportedUsers(jobId, trx), subscribed, trx);
    },
  };
}
export type WebhookOutboxService = ReturnType<typeof createWebhookOutboxService>;
