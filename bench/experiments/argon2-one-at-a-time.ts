/**
 * What-if for bench/signin.ts, loaded into the server with
 * `BENCH_SERVER_IMPORT=./bench/experiments/argon2-one-at-a-time.ts`: lets at most
 * BENCH_ARGON2_SLOTS (default 1) argon2 computations run at once, so that on a
 * single core they do not time-slice against each other. Not part of Gatehouse.
 */
import argon2 from 'argon2';

const slots = Math.max(1, Number(process.env.BENCH_ARGON2_SLOTS ?? 1));
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const target = argon2 as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (const name of ['verify', 'hash'] as const) {
  const original = target[name]!;
  target[name] = (...args: unknown[]) => limited(() => original(...args));
}
