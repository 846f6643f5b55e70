import type { Db, Executor } from '../db/database.js';

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  /** The receiver's last HTTP status; null when it never answered. */
  responseStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
}

/** What the worker needs to send one delivery. */
export interface PendingDelivery {
  id: string;
  url: string;
  secretSealed: string;
  webhookId: string;
  body: string;
  status: DeliveryStatus;
}

type WebhookRow = {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
};
const WEBHOOK_COLUMNS = ['id', 'url', 'events', 'enabled', 'created_at', 'updated_at'];
const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  url: r.url,
  events: r.events,
  enabled: r.enabled,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

type DeliveryRow = {
  id: string;
  webhook_id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
};
const DELIVERY_COLUMNS = [
  'id',
  'webhook_id',
  'event',
  'status',
  'attempts',
  'response_status',
  'last_error',
  'created_at',
  'last_attempt_at',
  'delivered_at',
];
const date = (v: Date | null) => (v ? new Date(v) : null);
const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  webhookId: r.webhook_id,
  event: r.event,
  status: r.status,
  attempts: r.attempts,
  responseStatus: r.response_status,
  lastError: r.last_error,
  createdAt: new Date(r.created_at),
  lastAttemptAt: date(r.last_attempt_at),
  deliveredAt: date(r.delivered_at),
});

/** Webhook endpoints (their secrets sealed by the caller) and the log of deliveries to them. */
export function createWebhooksRepository(db: Db) {
  return {
    async create(
      input: { id: string; url: string; events: string[]; secretSealed: string },
      trx: Executor,
    ): Promise<Webhook> {
      const [row] = await trx('webhooks')
        .insert({ id: input.id, url: input.url, events: input.events, secret_sealed: input.secretSealed })
        .returning(WEBHOOK_COLUMNS);
      return toWebhook(row);
    },
    async list(): Promise<Webhook[]> {
      return (await db('webhooks').select(WEBHOOK_COLUMNS).orderBy(['created_at', 'id'])).map(toWebhook);
    },
    async find(id: string, trx: Executor = db, lock = false): Promise<Webhook | undefined> {
      const q = trx('webhooks').select(WEBHOOK_COLUMNS).where({ id }).first();
      const row = await (lock ? q.forUpdate() : q);
      return row ? toWebhook(row) : undefined;
    },
    async update(
      id: string,
      changes: { url?: string; events?: string[]; enabled?: boolean },
      trx: Executor,
    ): Promise<Webhook | undefined> {
      const [row] = await trx('webhooks')
        .where({ id })
        .update({ ...changes, updated_at: trx.fn.now() })
        .returning(WEBHOOK_COLUMNS);
      return row ? toWebhook(row) : undefined;
    },
    async remove(id: string, trx: Executor): Promise<boolean> {
      return (await trx('webhooks').where({ id }).delete()) > 0;
    },
    /** The enabled endpoints by the events they asked for. */
    async subscriptions(trx: Executor = db): Promise<Map<string, string[]>> {
      const rows: { id: string; events: string[] }[] = await trx('webhooks')
        .select('id', 'events')
        .where({ enabled: true });
      const byEvent = new Map<string, string[]>();
      for (const r of rows) for (const e of r.events) byEvent.set(e, [...(byEvent.get(e) ?? []), r.id]);
      return byEvent;
    },
    /** Pending deliveries, one statement per thousand; their ids, in the order given. */
    async addDeliveries(
      deliveries: readonly { webhookId: string; event: string; body: string }[],
      trx: Executor = db,
    ): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < deliveries.length; i += 1000) {
        const rows = await trx('webhook_deliveries')
          .insert(deliveries.slice(i, i + 1000).map((d) => ({ webhook_id: d.webhookId, event: d.event, body: d.body })))
          .returning('id');
        ids.push(...rows.map((r: { id: string }) => r.id));
      }
      return ids;
    },
    async pending(id: string): Promise<PendingDelivery | undefined> {
      const row = await db('webhook_deliveries as d')
        .join('webhooks as w', 'w.id', 'd.webhook_id')
        .select('d.id', 'w.url', 'w.secret_sealed', 'd.webhook_id', 'd.body', 'd.status')
        .where('d.id', id)
        .first();
      return (
        row && {
          id: row.id,
          url: row.url,
          secretSealed: row.secret_sealed,
          webhookId: row.webhook_id,
          body: row.body,
          status: row.status,
        }
      );
    },
    /** Counts an attempt: its outcome, the receiver's status (null: no answer) and the error, if any. */
    async recordAttempt(
      id: string,
      outcome: { status: DeliveryStatus; responseStatus: number | null; error: string | null },
    ): Promise<void> {
      await db('webhook_deliveries')
        .where({ id })
        .update({
          status: outcome.status,
          attempts: db.raw('attempts + 1'),
          response_status: outcome.responseStatus,
          last_error: outcome.error,
          last_attempt_at: db.fn.now(),
          ...(outcome.status === 'delivered' ? { delivered_at: db.fn.now() } : {}),
        });
    },
    /** An endpoint's deliveries, newest first. */
    async deliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
      const rows = await db('webhook_deliveries')
        .select(DELIVERY_COLUMNS)
        .where({ webhook_id: webhookId })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit);
      return rows.map(toDelivery);
    },
  };
}
export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
