import type { Logger } from 'pino';
import type { ChangeListener, ChangeListenerDeps } from '../db/change-listener.js';
import { CHANGE_TOPICS, parseChangeNotice, type ChangeTopic } from '../repositories/change-notices.js';

/** What an instance does when `topic` changed: of one item (`key`), or of any (undefined). */
export type ChangeHandler = (key: string | undefined) => unknown;

export interface InstanceSyncDeps {
  /** Starts listening for change notices (db/change-listener.ts). */
  listen: (handlers: Pick<ChangeListenerDeps, 'notice' | 'resync'>) => Promise<ChangeListener>;
  log: Logger;
}

/**
 * Many instances behave as one: what an instance keeps in memory (settings,
 * clients, resource servers, signing keys, the claims of custom fields) is read
 * again when any instance announces a change (repositories/change-notices.ts,
 * in the change's transaction). When the listener was lost, every handler runs
 * as for a change of anything. The timed refreshes stay as the fallback.
 */
export function createInstanceSyncService(deps: InstanceSyncDeps) {
  const handlers = new Map<ChangeTopic, ChangeHandler[]>();
  let listener: ChangeListener | undefined;

  const run = (topic: ChangeTopic, key: string | undefined) => {
    for (const handler of handlers.get(topic) ?? [])
      Promise.resolve()
        .then(() => handler(key))
        .catch((err) => deps.log.error({ err, topic }, 'instances.change_failed'));
  };

  return {
    /** Runs `handler` whenever `topic` changes on any instance (this one included). */
    on(topic: ChangeTopic, handler: ChangeHandler): void {
      handlers.set(topic, [...(handlers.get(topic) ?? []), handler]);
    },
    /** Starts listening (the HTTP server does; the CLI does not). */
    async start(): Promise<void> {
      listener ??= await deps.listen({
        notice(payload) {
          const notice = parseChangeNotice(payload);
          if (notice) run(notice.topic, notice.key);
        },
        resync: () => {
          for (const topic of CHANGE_TOPICS) run(topic, undefined);
        },
      });
    },
    async stop(): Promise<void> {
      await listener?.close();
      listener = undefined;
    },
  };
}
export type InstanceSyncService = ReturnType<typeof createInstanceSyncService>;
