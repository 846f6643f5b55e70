import type { Config } from '../config/config.js';
import type { Db, Transact } from '../db/database.js';
import type { AuditEventsRepository } from '../repositories/audit-events.js';
import type { ClientsRepository } from '../repositories/clients.js';
import type { OidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import { createWebhooksRepository } from '../repositories/webhooks.js';
import type { AuditService } from '../services/audit.js';
import { createBackchannelLogoutService, type SignLogout } from '../services/backchannel-logout.js';
import { createJobQueueService } from '../services/job-queue.js';
import { createOutboundHttpService } from '../services/outbound-http.js';
import { createWebhookDeliveryService } from '../services/webhook-delivery.js';
import { createWebhookOutboxService } from '../services/webhook-outbox.js';
import { createWebhooksService } from '../services/webhooks.js';
import type { Clock } from '../util/clock.js';
import { createSecretBox } from '../util/crypto.js';
import type { Logger } from 'pino';

/**
 * Telling applications at once: the durable queue (pg-boss), the SSRF-guarded
 * outbound calls, back-channel logout and webhooks. Built before the audit service,
 * which hands each audited change to `webhookOutbox`; `adminWebhooks` is made once
 * the audit service exists.
 */
export async function createNotifyArea(deps: {
  config: Config;
  log: Logger;
  clock: Clock;
  secret: string;
  db: Db;
  transact: Transact;
  repos: { payloads: OidcPayloadsRepository; clients: ClientsRepository; audit: AuditEventsRepository };
}) {
  const { config, log, clock, db } = deps;
  const { payloads, clients, audit } = deps.repos;
  const queue = createJobQueueService({ db, log, retry: config.outbound.retry });
  await queue.prepare();
  const outbound = createOutboundHttpService(config.outbound);
  const webhooks = createWebhooksRepository(db);
  const box = createSecretBox(deps.secret, 'webhook-secret');
  const webhookDelivery = createWebhookDeliveryService({ webhooks, box, outbound, queue, clock });
  const backchannelLogout = createBackchannelLogoutService({ ...deps, payloads, clients, queue, outbound });
  return {
    queue,
    backchannelLogout,
    webhookOutbox: createWebhookOutboxService({ webhooks, audit, queue, clock }),
    adminWebhooks: (audit: AuditService) => createWebhooksService({ transact: deps.transact, webhooks, box, audit }),
    /** Starts the workers (the server; the CLI only enqueues); `signLogout` signs with the provider's keys. */
    async startWorkers(signLogout: SignLogout): Promise<void> {
      await backchannelLogout.start(signLogout);
      await webhookDelivery.start();
    },
  };
}
