import type { PGliteInterface } from '@electric-sql/pglite';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Db } from './database.js';

/** The channel every instance listens on and every change is announced on (`pg_notify`, in the change's transaction). */
export const CHANGES_CHANNEL = 'gatehouse_changes';

export interface ChangeListenerDeps {
  /** A notice's payload, as it was sent. */
  notice(payload: string): void;
  /** The listener is back after a loss: notices sent meanwhile are lost, so anything may have changed. */
  resync(): void;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** The first and the longest wait before connecting again (doubling in between). */
  retryMs?: { first: number; longest: number };
}

export interface ChangeListener {
  close(): Promise<void>;
}

/** The embedded PGlite behind `db`, or undefined on PostgreSQL. */
function embeddedOf(db: Db): PGliteInterface | undefined {
  const connection = db.client.config.connection as unknown;
  return typeof connection === 'function' ? (connection() as { pglite?: PGliteInterface }).pglite : undefined;
}

/**
 * Listens on CHANGES_CHANNEL. On PostgreSQL: a dedicated connection (outside the
 * pool, without statement deadlines: it only waits), opened again after a loss
 * with a growing wait, then `resync`. On the embedded PGlite, one process holds the
 * database: the same LISTEN on its only session, whose notices arrive in-process
 * (every instance built on that PGlite hears them).
 */
export async function openChangeListener(db: Db, deps: ChangeListenerDeps): Promise<ChangeListener> {
  const embedded = embeddedOf(db);
  if (embedded) {
    const heard = (channel: string, payload: string) => {
      if (channel === CHANGES_CHANNEL) deps.notice(payload);
    };
    embedded.onNotification(heard);
    // Through knex: it runs when no transaction holds the one connection.
    await db.raw(`LISTEN ${CHANGES_CHANNEL}`);
    return { close: async () => embedded.offNotification(heard) };
  }
  return listenOnPostgres(db.client.config.connection as string | Knex.PgConnectionConfig, deps);
}

/** Resolves once the first attempt to listen is over (a failure is retried in the background). */
async function listenOnPostgres(
  connection: string | Knex.PgConnectionConfig,
  deps: ChangeListenerDeps,
): Promise<ChangeListener> {
  const { first, longest } = deps.retryMs ?? { first: 250, longest: 10_000 };
  const {
    statement_timeout: _s,
    query_timeout: _q,
    ...settings
  } = typeof connection === 'string' ? { connectionString: connection } : (connection as Record<string, unknown>);
  const config = { ...settings, keepAlive: true } as pg.ClientConfig;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let wait = first;
  let closed = false;
  let lost = false;

  async function connect(): Promise<void> {
    retry = undefined;
    if (closed) return;
    const client = new pg.Client(config);
    let dead = false;
    const lose = (err?: unknown) => {
      if (dead) return;
      dead = true;
      lost = true;
      if (current === client) current = undefined;
      client.end().catch(() => undefined);
      if (closed) return;
      deps.log.warn({ err, retryInMs: wait }, 'instances.listener_lost');
      retry = setTimeout(connect, wait);
      retry.unref();
      wait = Math.min(wait * 2, longest);
    };
    client.on('error', lose);
    client.on('end', () => lose());
    client.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL && n.payload !== undefined) deps.notice(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      lose(err);
      return;
    }
    if (dead) return;
    if (closed) {
      dead = true;
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    wait = first;
    if (lost) {
      lost = false;
      deps.log.info({}, 'instances.listener_restored');
      deps.resync();
    }
  }

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
