import { randomUUID } from 'node:crypto';
import type { Transact } from '../db/database.js';
import type { Operator } from '../domain/operator.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { isWebhookEvent, WEBHOOK_EVENTS } from '../policies/webhook-events.js';
import type { Webhook, WebhookDelivery, WebhooksRepository } from '../repositories/webhooks.js';
import { randomToken, type SecretBox } from '../util/crypto.js';
import { isUuid } from '../util/uuid.js';
import type { AuditService } from './audit.js';

/** An http(s) URL without credentials or a fragment. */
function checkUrl(url: string): void {
  const parsed = URL.parse(url);
  assertThat(
    parsed && ['http:', 'https:'].includes(parsed.protocol) && !parsed.username && !parsed.password && !parsed.hash,
    () => fail('webhook.invalid_url'),
  );
}

/** At least one known event; each once. */
function checkedEvents(events: readonly string[]): string[] {
  assertThat(events.length > 0 && events.every(isWebhookEvent), () =>
    fail('webhook.invalid_events', { allowed: WEBHOOK_EVENTS }),
  );
  return [...new Set(events)];
}

/**
 * Webhook endpoints as a super admin registers them (admin API and CLI): the URL,
 * the events wanted, a secret made here and shown once (sealed at rest, bound to
 * the endpoint's id), enabled or not; and their delivery log. Each change is
 * audited in its transaction. Errors: `webhook.invalid_url` 400,
 * `webhook.invalid_events` 400, `webhook.not_found` 404.
 */
export function createWebhooksService(deps: {
  transact: Transact;
  webhooks: WebhooksRepository;
  box: SecretBox;
  audit: AuditService;
}) {
  const { webhooks, audit } = deps;
  const find = async (id: string): Promise<Webhook> => {
    const found = isUuid(id) ? await webhooks.find(id) : undefined;
    assertThat(found, () => fail('webhook.not_found'));
    return found;
  };

  return {
    list: () => webhooks.list(),
    get: find,

    async create(input: { url: string; events: readonly string[] }, by: Operator) {
      checkUrl(input.url);
      const events = checkedEvents(input.events);
      const id = randomUUID();
      const secret = `whsec_${randomToken(32)}`;
      const webhook = await deps.transact(async (trx) => {
        const made = await webhooks.create(
          { id, url: input.url, events, secretSealed: deps.box.seal(secret, id) },
          trx,
        );
        await audit
          .by(by)
          .record(
            { action: 'webhook.created', targetType: 'webhook', targetId: id, details: { url: made.url, events } },
            trx,
          );
        return made;
      });
      return { ...webhook, secret };
    },

    async update(id: string, changes: { url?: string; events?: readonly string[]; enabled?: boolean }, by: Operator) {
      if (changes.url !== undefined) checkUrl(changes.url);
      const events = changes.events && checkedEvents(changes.events);
      return deps.transact(async (trx) => {
        const before = isUuid(id) ? await webhooks.find(id, trx, true) : undefined;
        assertThat(before, () => fail('webhook.not_found'));
        const after = await webhooks.update(id, { url: changes.url, events, enabled: changes.enabled }, trx);
        assertThat(after, () => fail('webhook.not_found'));
        const changed: Record<string, [unknown, unknown]> = {};
        for (const k of ['url', 'events', 'enabled'] as const)
          if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changed[k] = [before[k], after[k]];
        if (Object.keys(changed).length)
          await audit
            .by(by)
            .record({ action: 'webhook.updated', targetType: 'webhook', targetId: id, changes: changed }, trx);
        return after;
      });
    },

    /** Deletes the endpoint with its delivery log; deliveries still queued are dropped. */
    async remove(id: string, by: Operator): Promise<void> {
      await deps.transact(async (trx) => {
        const before = isUuid(id) ? await webhooks.find(id, trx, true) : undefined;
        assertThat(before, () => fail('webhook.not_found'));
        await webhooks.remove(id, trx);
        await audit
          .by(by)
          .record(
            { action: 'webhook.deleted', targetType: 'webhook', targetId: id, details: { url: before.url } },
            trx,
          );
      });
    },

    /** The endpoint's deliveries, newest first. */
    async deliveries(id: string, limit: number): Promise<WebhookDelivery[]> {
      await find(id);
      return webhooks.deliveries(id, limit);
    },
  };
}
export type WebhooksService = ReturnType<typeof createWebhooksService>;
