import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db, Executor } from '../db/database.js';
import { queueSql } from '../db/queue-sql.js';

/** The queues of outbound calls: back-channel logout tokens, webhook deliveries. */
export const QUEUES = ['backchannel-logout', 'webhook-delivery'] as const;
export type QueueName = (typeof QUEUES)[number];

/** How failed jobs are tried again: `limit` more times, after `delaySeconds` doubled at each (with jitter). */
export interface QueueRetry {
  limit: number;
  delaySeconds: number;
  /** How often an idle worker looks for jobs. */
  pollSeconds: number;
}

/** Longer than an outbound call's deadline (OUTBOUND_TIMEOUT_MS, at most a minute is sensible). */
const JOB_EXPIRY_SECONDS = 120;

export interface QueuedJob<T> {
  id: string;
  data: T;
  /** Attempts that failed before this one. */
  retryCount: number;
  /** This is the last attempt: a failure is final. */
  last: boolean;
}

/**
 * A durable job queue in PostgreSQL (pg-boss 10), on the application's own
 * connections (`db/queue-sql.ts`), so it runs on embedded PGlite too. A job sent
 * with a transaction is committed or rolled back with it (the outbox pattern); a
 * job survives a restart and is tried again with exponential backoff until
 * `retry.limit`. `prepare()` installs pg-boss's schema and the queues (every
 * process that sends: the server and the CLI); `work()` starts a worker (the
 * server only); `stop()` waits for the jobs in hand.
 */
export function createJobQueueService(deps: { db: Db; log: Logger; retry: QueueRetry }) {
  const { retry } = deps;
  const make = (supervise: boolean) => {
    const boss = new PgBoss({
      db: queueSql(deps.db),
      schedule: false,
      // Upkeep (jobs whose worker died are failed, then retried; old jobs deleted) runs where the workers do.
      supervise,
      deleteAfterDays: 7,
    } as PgBoss.ConstructorOptions);
    boss.on('error', (err) => deps.log.error({ err }, 'queue.error'));
    return boss;
  };
  const sender = make(false);
  const JOB_OPTIONS = {
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: true,
    // A job whose worker stopped mid-way (a crash) is failed after this and tried again.
    expireInSeconds: JOB_EXPIRY_SECONDS,
  };
  const connection = (trx?: Executor) => (trx ? { db: queueSql(trx) } : {});
  let worker: Promise<PgBoss> | undefined;
  let prepared: Promise<void> | undefined;

  async function install(): Promise<void> {
    await sender.start();
    const existing = new Set((await sender.getQueues()).map((q) => q.name));
    for (const name of QUEUES) if (!existing.has(name)) await sender.createQueue(name);
  }
  async function startWorker(): Promise<PgBoss> {
    const boss = make(true);
    await boss.start();
    return boss;
  }

  return {
    prepare(): Promise<void> {
      prepared ??= install();
      return prepared;
    },

    /** Enqueues a job, in `trx` when given; it runs once that transaction commits. */
    async send(name: QueueName, data: object, trx?: Executor): Promise<string> {
      const id = await sender.send(name, data, { ...JOB_OPTIONS, ...connection(trx) });
      // pg-boss returns null when the queue does not exist: losing the job silently is worse than failing the change.
      if (!id) throw new Error(`queue.not_prepared: ${name}`);
      return id;
    },

    /** Enqueues a job for each of `data` in one statement, in `trx` when given. */
    async sendMany(name: QueueName, data: readonly object[], trx?: Executor): Promise<void> {
      if (data.length)
        await sender.insert(
          data.map((d) => ({ name, data: d, ...JOB_OPTIONS })),
          connection(trx),
        );
    },

    /** Runs `handler` for each job of the queue, one at a time; a throw is a failed attempt, tried again later. */
    async work<T>(name: QueueName, handler: (job: QueuedJob<T>) => Promise<void>): Promise<void> {
      worker ??= startWorker();
      await (await worker).work<T>(
        name,
        { pollingIntervalSeconds: retry.pollSeconds, includeMetadata: true, batchSize: 1 },
        async ([job]) => {
          if (!job) return;
          await handler({
            id: job.id,
            data: job.data,
            retryCount: job.retryCount,
            last: job.retryCount >= job.retryLimit,
          });
        },
      );
    },

    /** Stops the workers (a job in hand finishes) and pg-boss's upkeep. */
    async stop(): Promise<void> {
      const options = { graceful: true, wait: true, close: false, timeout: 10_000 };
      if (worker) await (await worker).stop(options);
      if (prepared) await sender.stop(options);
    },
  };
}
export type JobQueueService = ReturnType<typeof createJobQueueService>;
