import { systemClock, type Clock } from './clock.js';

/**
 * A small in-process cache for rows that are read on every request and change
 * rarely (clients, resource servers). Misses are not cached, so a new row is seen
 * at once; a changed or removed one within `ttlMs` on every instance.
 */
export function createTtlCache<V>(ttlMs: number, maxEntries = 1000, clock: Clock = systemClock) {
  const entries = new Map<string, { value: V; expires: number }>();
  return {
    async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
      const hit = entries.get(key);
      if (hit && hit.expires > clock.now().getTime()) return hit.value;
      const value = await load();
      if (value === undefined) {
        entries.delete(key);
        return undefined;
      }
      const oldest = entries.keys().next();
      if (entries.size >= maxEntries && !oldest.done) entries.delete(oldest.value);
      entries.set(key, { value, expires: clock.now().getTime() + ttlMs });
      return value;
    },
    delete: (key: string) => void entries.delete(key),
  };
}
