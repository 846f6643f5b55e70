/**
 * Writes that arrive while an earlier one is in flight go together. The first call
 * writes at once, alone; the calls made meanwhile wait and go as one batch when it
 * ends (at most `maxBatch` at a time). Unloaded, nothing waits; under load the
 * batches grow with the load and each write's fixed cost (a statement, a round trip,
 * a commit) is shared. Each call resolves once its own item is written. A batch that
 * fails is written again item by item, so a bad item fails its own caller only.
 */
export function coalesce<T>(write: (items: T[]) => Promise<void>, maxBatch = 256): (item: T) => Promise<void> {
  type Waiter = { item: T; resolve: () => void; reject: (err: unknown) => void };
  const queue: Waiter[] = [];
  let writing = false;

  const writeAlone = (w: Waiter) => write([w.item]).then(w.resolve, w.reject);
  const drain = async () => {
    writing = true;
    while (queue.length) {
      const batch = queue.splice(0, maxBatch);
      if (batch.length === 1) {
        await writeAlone(batch[0] as Waiter);
        continue;
      }
      try {
        await write(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch {
        await Promise.all(batch.map(writeAlone));
      }
    }
    writing = false;
  };

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
