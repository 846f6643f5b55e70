/**
 * The sign-in bound: argon2id verifications per second, one at a time
 * (sequential awaits), at the configured cost. bench/signin.ts runs this as
 * `taskset -c 1 node --import tsx bench/argon2-bound.ts` so that it has one
 * core, like the server. Prints one JSON line on stdout.
 *
 *   BENCH_SECONDS  measured seconds (default 10)
 *   BENCH_WARMUP   warm-up seconds (default 2)
 *   BENCH_ARGON2_CONCURRENCY  verifications in flight (default 1, the bound). More (an
 *                  experiment, not the bound) calls argon2 directly, to show what libuv's
 *                  pool does when it time-slices several on one core.
 */
import argon2 from 'argon2';
import { loadConfig } from '../src/config/config.js';
import { createPasswordHasherService } from '../src/services/password-hasher.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP ?? 2);
const MAX_OPS = 100_000;
const concurrency = Math.max(1, Number(process.env.BENCH_ARGON2_CONCURRENCY ?? 1));

const params = loadConfig().argon2;
const hasher = createPasswordHasherService(params);
const password = 'violet-harbour-47-lantern';
const hash = await hasher.hash(password);
const verify =
  concurrency === 1
    ? (h: string, p: string) => hasher.verify(h, p)
    : (h: string, p: string) => argon2.verify(h, p).catch(() => false);

const start = performance.now();
const warmEnd = start + warmup * 1000;
const end = warmEnd + seconds * 1000;
const latencies: number[] = [];
let failures = 0;
let started = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    // Sequential awaits within each loop.
    while (started < MAX_OPS && performance.now() < end) {
      started++;
      const t0 = performance.now();
      const ok = await verify(hash, password);
      const t1 = performance.now();
      if (!ok) failures++;
      if (t1 >= warmEnd && t1 <= end) latencies.push(t1 - t0);
    }
  }),
);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ params, concurrency, ops: latencies.length, seconds, opsPerSec: latencies.length / seconds, p50: pct(50), p99: pct(99), failures })}\n`,
);
