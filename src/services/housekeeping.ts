import type { Logger } from 'pino';

/** A periodic task: `run` every `everyMs`; a failure is logged as `failure` and the next run comes as planned. */
export interface Chore {
  everyMs: number;
  run: () => Promise<unknown>;
  failure: string;
}

/**
 * The server's upkeep: tasks once at start (a failure stops the start), then
 * periodic chores (expired rows, due invitations, abandoned imports …) until stopped.
 */
export function createHousekeepingService(deps: { atStart: (() => Promise<unknown>)[]; chores: Chore[]; log: Logger }) {
  let timers: NodeJS.Timeout[] = [];
  return {
    /** Runs the start tasks, then starts `more` (chores of the HTTP side, such as key reloads) and the container's chores. */
    async start(more: Chore[] = []): Promise<void> {
      for (const task of deps.atStart) await task();
      timers = [...more, ...deps.chores].map((c) =>
        setInterval(() => c.run().catch((err) => deps.log.error({ err }, c.failure)), c.everyMs),
      );
    },
    stop(): void {
      for (const t of timers) clearInterval(t);
      timers = [];
    },
  };
}
export type HousekeepingService = ReturnType<typeof createHousekeepingService>;
