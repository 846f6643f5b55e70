import { percentile } from './percentile.js';

export interface TimedLoopOptions<U> {
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** Bounds every worker's loop, whatever the clock says. */
  maxOpsPerWorker: number;
  op: () => Promise<unknown>;
  /** A CPU reading, taken when the measured window opens and when it closes. */
  sample: () => U;
}

/**
 * Runs `op` in `concurrency` loops for warm-up + measured seconds. Latencies count
 * for the operations that end inside the measured window. Any failure is fatal.
 */
export async function timedLoop<U>(o: TimedLoopOptions<U>) {
  const start = performance.now();
  const warmEnd = start + o.warmupSeconds * 1000;
  const end = warmEnd + o.seconds * 1000;
  const latencies: number[] = [];
  let before: U | undefined;
  let after: U | undefined;
  const t0 = setTimeout(() => (before = o.sample()), o.warmupSeconds * 1000);
  const t1 = setTimeout(() => (after = o.sample()), (o.warmupSeconds + o.seconds) * 1000);
  let failed = false;
  try {
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        for (let i = 0; i < o.maxOpsPerWorker && performance.now() < end && !failed; i++) {
          const a = performance.now();
          try {
            await o.op();
          } catch (err) {
            failed = true;
            throw err;
          }
          const b = performance.now();
          if (b >= warmEnd && b <= end) latencies.push(b - a);
        }
      }),
    );
  } finally {
    clearTimeout(t0);
    clearTimeout(t1);
  }
  after ??= o.sample();
  latencies.sort((x, y) => x - y);
  return {
    before,
    after,
    ops: latencies.length,
    opsPerSec: latencies.length / o.seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}
