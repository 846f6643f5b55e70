/**
 * At most `size` tasks run at once; up to `queueMax` more wait in order. A task
 * that finds the queue full is refused with `onFull()` at once, never left waiting.
 */
export function createSemaphore(size: number, queueMax: number, onFull: () => Error) {
  let running = 0;
  const waiting: (() => void)[] = [];

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= size) {
        if (waiting.length >= queueMax) throw onFull();
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await task();
      } finally {
        // The slot passes straight to the next waiter, else frees up.
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
    /** Running and waiting tasks (for tests and metrics). */
    stats: () => ({ running, waiting: waiting.length }),
  };
}
export type Semaphore = ReturnType<typeof createSemaphore>;
