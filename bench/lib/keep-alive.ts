/**
 * Node's fetch with `connections` keep-alive connections per origin. Node bundles
 * undici without exporting it; its global dispatcher is an undici Agent, so its
 * constructor makes a new one with our connection limit.
 */
export function installAgent(connections: number) {
  const key = Symbol.for('undici.globalDispatcher.1');
  const g = globalThis as Record<symbol, unknown>;
  const current = g[key] as { constructor: new (opts: object) => unknown } | undefined;
  if (current)
    g[key] = new current.constructor({
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
    });
}
