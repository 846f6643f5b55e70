import { systemClock, type Clock } from './clock.js';

/**
 * A small in-process cache for rows that are read on every request and change
 * rarely (clients, resource servers). Misses are not cached, so a new row is seen
 * at once; a changed or removed one when its change notice arrives (`delete`, or
 * `clear` when notices may have been lost), or within `ttlMs` at the latest.
 * A load that was under way when an entry was dropped is returned but not kept:
 * it may have read the row from before the change.
 */
export function createTtlCache<V>(ttlMs: number, maxEntries = 1000, clock: Clock = systemClock) {
  const entries = new Map<string, { value: V; expires: number }>();
  let generation = 0;
  return {
    async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
      const hit = entries.get(key);
      if (hit && hit.expires > clock.now().getTime()) return hit.value;
      const started = generation;
      const value = await load();
      if (value === undefined) {
        entries.delete(key);
        return undefined;
      }
      if (started !== generation) return value;
      const oldest = entries.keys().next();
      if (entries.size >= maxEntries && !oldest.done) entries.delete(oldest.value);
      entries.set(key, { value, expires: clock.now().getTime() + ttlMs });
      return value;
    },
    delete(key: string): void {
      generation++;
      entries.delete(key);
    },
    clear(): void {
      generation++;
      entries.clear();
    },
  };
}
