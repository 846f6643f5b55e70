import { AppError } from '../errors/app-error.js';
import type { WebhooksRepository } from '../repositories/webhooks.js';
import type { Clock } from '../util/clock.js';
import type { SecretBox } from '../util/crypto.js';
import { SIGNATURE_HEADER, signWebhook } from '../util/webhook-signature.js';
import type { JobQueueService, QueuedJob } from './job-queue.js';
import type { OutboundHttpService } from './outbound-http.js';

/**
 * The worker that sends webhook deliveries: the stored body, signed at each
 * attempt with the endpoint's secret (`Gatehouse-Signature: t=…,v1=…`). A 2xx
 * answer delivers it; any other answer, or none, is a failed attempt, tried again
 * with backoff (the queue's) until the last, which marks it `failed`. An address
 * the SSRF guard refuses fails at once: trying again would not change it. Every
 * attempt is counted in the delivery log.
 */
export function createWebhookDeliveryService(deps: {
  webhooks: WebhooksRepository;
  box: SecretBox;
  outbound: OutboundHttpService;
  queue: JobQueueService;
  clock: Clock;
}) {
  async function deliver(job: QueuedJob<{ deliveryId: string }>): Promise<void> {
    // Gone with its endpoint, or already done: nothing to send.
    const delivery = await deps.webhooks.pending(job.data.deliveryId);
    if (delivery?.status !== 'pending') return;
    const secret = deps.box.open(delivery.secretSealed, delivery.webhookId);
    const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
    let responseStatus: number | null = null;
    let error: string;
    try {
      const answer = await deps.outbound.post(
        delivery.url,
        {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, delivery.body),
          'Gatehouse-Delivery': delivery.id,
        },
        delivery.body,
      );
      responseStatus = answer.status;
      if (answer.status >= 200 && answer.status < 300) {
        await deps.webhooks.recordAttempt(delivery.id, { status: 'delivered', responseStatus, error: null });
        return;
      }
      error = `the receiver answered ${answer.status}`;
    } catch (err) {
      error = (err as Error).message;
      if (err instanceof AppError && err.code === 'outbound.address_refused') {
        await deps.webhooks.recordAttempt(delivery.id, { status: 'failed', responseStatus, error });
        return;
      }
    }
    await deps.webhooks.recordAttempt(delivery.id, { status: job.last ? 'failed' : 'pending', responseStatus, error });
    throw new Error(error);
  }

  return {
    /** Starts the worker (the server; the CLI only enqueues). */
    start: () => deps.queue.work('webhook-delivery', deliver),
  };
}
export type WebhookDeliveryService = ReturnType<typeof createWebhookDeliveryService>;
