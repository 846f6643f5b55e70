import argon2 from 'argon2';
import { fail } from '../errors/codes.js';
import { createSemaphore } from '../util/semaphore.js';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * How many argon2 computations run at once, and how many may wait. argon2 runs on
 * libuv's thread pool, which also serves other work; bounded, a flood of sign-ins
 * leaves the rest of the server its share of the cores.
 */
export interface Argon2Limits {
  concurrency: number;
  queueMax: number;
}

/**
 * argon2id hashing at the configured cost, with a dummy hash for unknown users.
 * Every hash and verification waits for a slot; with the queue full it throws
 * RetryLater `server.busy` (503).
 */
export function createPasswordHasherService(
  params: Argon2Params,
  limits: Argon2Limits = { concurrency: Number.MAX_SAFE_INTEGER, queueMax: 0 },
) {
  const options = { type: argon2.argon2id, ...params } as const;
  const slots = createSemaphore(limits.concurrency, limits.queueMax, () => fail('server.busy'));
  // Verified when the identifier is unknown, so both answers take the same time.
  const dummy = argon2.hash('gatehouse-dummy-password', options);

  return {
    hash: (password: string) => slots.run(() => argon2.hash(password, options)),
    async verify(hash: string | null, password: string): Promise<boolean> {
      const stored = hash ?? (await dummy);
      return slots.run(() => argon2.verify(stored, password).catch(() => false));
    },
    /** Spends the time of a real verification and always fails. */
    async verifyDummy(password: string): Promise<false> {
      const stored = await dummy;
      await slots.run(() => argon2.verify(stored, password).catch(() => false));
      return false;
    },
    needsRehash: (hash: string) => argon2.needsRehash(hash, options),
    /** Computations running and waiting. */
    load: () => slots.stats(),
  };
}
export type PasswordHasherService = ReturnType<typeof createPasswordHasherService>;
