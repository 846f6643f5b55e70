import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../../policies/webhook-events.js';
import type { Webhook, WebhookDelivery } from '../../../repositories/webhooks.js';
import type { WebhooksService } from '../../../services/webhooks.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';
import { timestamp } from './schemas.js';

const EVENTS = z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length);
const URL_FIELD = z.string().min(1).max(2000).describe('An http(s) URL; private addresses are refused when sending');
const WEBHOOK = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const DELIVERY = z.object({
  id: z.uuid(),
  event: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable().describe("The receiver's last HTTP status; null: no answer"),
  lastError: z.string().nullable(),
  createdAt: timestamp,
  lastAttemptAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
});

const webhookJson = (w: Webhook) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  enabled: w.enabled,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});
const deliveryJson = (d: WebhookDelivery) => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  responseStatus: d.responseStatus,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

/**
 * Webhook endpoints for user lifecycle events and their delivery log: super admins
 * only (permission `settings`, as clients). The signing secret is shown once, at creation.
 */
export function webhookRoutes(deps: { baseUrl: string; webhooks: WebhooksService }) {
  return [
    adminRoute({
      method: 'get',
      path: '/webhooks',
      summary: 'Webhook endpoints (without secrets)',
      permission: 'settings',
      responses: { 200: { description: 'Endpoints', schema: z.object({ items: z.array(WEBHOOK) }) }, ...errors(403) },
      async handle(ctx) {
        ctx.body = { items: (await deps.webhooks.list()).map(webhookJson) };
      },
    }),
    adminRoute({
      method: 'post',
      path: '/webhooks',
      summary: 'Register a webhook endpoint for the events given; its signing secret is returned once',
      permission: 'settings',
      body: z.object({ url: URL_FIELD, events: EVENTS }),
      responses: {
        201: {
          description: 'Registered (secret shown once)',
          schema: WEBHOOK.extend({ secret: z.string().describe('The HMAC-SHA256 key of Gatehouse-Signature') }),
        },
        ...errors(400, 403),
      },
      async handle(ctx, { body, by }) {
        const { secret, ...webhook } = await deps.webhooks.create(body, by);
        created(ctx, `${deps.baseUrl}/webhooks/${webhook.id}`, { ...webhookJson(webhook), secret });
      },
    }),
    adminRoute({
      method: 'get',
      path: '/webhooks/{id}',
      summary: 'One webhook endpoint (without its secret)',
      permission: 'settings',
      responses: { 200: { description: 'The endpoint', schema: WEBHOOK }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = webhookJson(await deps.webhooks.get(params.id));
      },
    }),
    adminRoute({
      method: 'patch',
      path: '/webhooks/{id}',
      summary: "Change an endpoint's URL, events or whether it is enabled",
      permission: 'settings',
      body: z
        .object({ url: URL_FIELD.optional(), events: EVENTS.optional(), enabled: z.boolean().optional() })
        .strict(),
      responses: { 200: { description: 'As changed', schema: WEBHOOK }, ...errors(400, 403, 404) },
      async handle(ctx, { params, body, by }) {
        ctx.body = webhookJson(await deps.webhooks.update(params.id, body, by));
      },
    }),
    adminRoute({
      method: 'delete',
      path: '/webhooks/{id}',
      summary: 'Delete an endpoint with its delivery log (deliveries not yet sent are dropped)',
      permission: 'settings',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await deps.webhooks.remove(params.id, by);
        ctx.status = 204;
      },
    }),
    adminRoute({
      method: 'get',
      path: '/webhooks/{id}/deliveries',
      summary: "An endpoint's deliveries, newest first: status, attempts, the receiver's last answer",
      permission: 'settings',
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: {
        200: { description: 'Deliveries', schema: z.object({ items: z.array(DELIVERY) }) },
        ...errors(403, 404),
      },
      async handle(ctx, { params, query }) {
        ctx.body = { items: (await deps.webhooks.deliveries(params.id, query.limit)).map(deliveryJson) };
      },
    }),
  ];
}
