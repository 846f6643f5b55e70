import test from 'ava';
import type { Status } from '../../src/domain/user.js';
import {
  evaluateLockout,
  failureLocks,
  lockUntil,
  type LockoutSettings,
  type LockoutState,
} from '../../src/policies/lockout.js';

const now = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const MINUTE = 60_000;
const settings: LockoutSettings = { maxAttempts: 5, minutes: 15 };

const STATES: ReadonlyArray<{
  name: string;
  status: Status;
  failedAttempts: number;
  lockedUntil: Date | null;
  settings?: LockoutSettings;
  expected: LockoutState;
}> = [
  { name: 'fresh counter is open', status: 'active', failedAttempts: 0, lockedUntil: null, expected: 'open' },
  {
    name: 'counter one below the max is open',
    status: 'active',
    failedAttempts: 4,
    lockedUntil: null,
    expected: 'open',
  },
  { name: 'counter at the max is locked', status: 'active', failedAttempts: 5, lockedUntil: null, expected: 'locked' },
  {
    name: 'counter above the max is locked',
    status: 'active',
    failedAttempts: 6,
    lockedUntil: null,
    expected: 'locked',
  },
  {
    name: 'maxAttempts 1: no failure yet is open',
    status: 'active',
    failedAttempts: 0,
    lockedUntil: null,
    settings: { maxAttempts: 1, minutes: 15 },
    expected: 'open',
  },
  {
    name: 'maxAttempts 1: one failure is locked',
    status: 'active',
    failedAttempts: 1,
    lockedUntil: null,
    settings: { maxAttempts: 1, minutes: 15 },
    expected: 'locked',
  },
  {
    name: 'timed lock still running (1 ms left) stays locked',
    status: 'locked',
    failedAttempts: 5,
    lockedUntil: at(1),
    expected: 'locked',
  },
  {
    name: 'timed lock still running (14 min left) stays locked',
    status: 'locked',
    failedAttempts: 5,
    lockedUntil: at(14 * MINUTE),
    expected: 'locked',
  },
  {
    name: 'timed lock ending exactly at now has expired',
    status: 'locked',
    failedAttempts: 5,
    lockedUntil: at(0),
    expected: 'expired',
  },
  {
    name: 'timed lock ended 1 ms ago has expired',
    status: 'locked',
    failedAttempts: 5,
    lockedUntil: at(-1),
    expected: 'expired',
  },
  {
    name: 'timed lock ended long ago has expired',
    status: 'locked',
    failedAttempts: 5,
    lockedUntil: at(-30 * 24 * 60 * MINUTE),
    expected: 'expired',
  },
  {
    name: 'lock until password reset (no end) stays locked',
    status: 'locked',
    failedAttempts: 5,
    lockedUntil: null,
    expected: 'locked',
  },
  {
    name: 'lock until password reset stays locked when minutes is 0',
    status: 'locked',
    failedAttempts: 5,
    lockedUntil: null,
    settings: { maxAttempts: 5, minutes: 0 },
    expected: 'locked',
  },
  {
    name: 'administrator lock with a free counter is open (a correct password reveals the lock)',
    status: 'locked',
    failedAttempts: 0,
    lockedUntil: null,
    expected: 'open',
  },
  {
    name: 'administrator lock with some failures below the max is open',
    status: 'locked',
    failedAttempts: 4,
    lockedUntil: null,
    expected: 'open',
  },
];

for (const row of STATES) {
  test(`evaluateLockout: ${row.name}`, (t) => {
    const state = evaluateLockout(
      { status: row.status, failedAttempts: row.failedAttempts, lockedUntil: row.lockedUntil },
      row.settings ?? settings,
      now,
    );
    t.is(state, row.expected);
  });
}

const FAILURES: ReadonlyArray<{ attempts: number; max: number; locks: boolean }> = [
  { attempts: 1, max: 5, locks: false },
  { attempts: 3, max: 5, locks: false },
  { attempts: 4, max: 5, locks: false },
  { attempts: 5, max: 5, locks: true },
  { attempts: 6, max: 5, locks: true },
  { attempts: 1, max: 1, locks: true },
  { attempts: 9, max: 10, locks: false },
  { attempts: 10, max: 10, locks: true },
];

for (const row of FAILURES) {
  test(`failureLocks: failure #${row.attempts} with maxAttempts ${row.max} ${row.locks ? 'locks' : 'does not lock'}`, (t) => {
    t.is(failureLocks(row.attempts, { maxAttempts: row.max, minutes: 15 }), row.locks);
  });
}

const UNTIL: ReadonlyArray<{ minutes: number; expected: Date | null }> = [
  { minutes: 15, expected: at(15 * MINUTE) },
  { minutes: 1, expected: at(MINUTE) },
  { minutes: 0.5, expected: at(30_000) },
  { minutes: 24 * 60, expected: new Date('2026-01-02T00:00:00Z') },
  { minutes: 0, expected: null },
];

for (const row of UNTIL) {
  test(`lockUntil: ${row.minutes} minutes ${row.expected ? `ends at ${row.expected.toISOString()}` : 'lasts until a password reset (null)'}`, (t) => {
    const until = lockUntil({ maxAttempts: 5, minutes: row.minutes }, now);
    if (row.expected === null) t.is(until, null);
    else t.is(until?.getTime(), row.expected.getTime());
  });
}

test('lockUntil does not mutate now', (t) => {
  const before = now.getTime();
  lockUntil(settings, now);
  t.is(now.getTime(), before);
});

test('a timed lock started by the max-th failure holds for exactly `minutes`, then expires', (t) => {
  let failedAttempts = 0;
  let locked = false;
  while (!locked) {
    failedAttempts++;
    locked = failureLocks(failedAttempts, settings);
  }
  t.is(failedAttempts, settings.maxAttempts);

  const lockedUntil = lockUntil(settings, now);
  const facts = { status: 'locked' as const, failedAttempts, lockedUntil };
  t.is(evaluateLockout(facts, settings, now), 'locked');
  t.is(evaluateLockout(facts, settings, at(15 * MINUTE - 1)), 'locked');
  t.is(evaluateLockout(facts, settings, at(15 * MINUTE)), 'expired');
});

test('a lock until password reset never expires on its own', (t) => {
  const untilReset: LockoutSettings = { maxAttempts: 5, minutes: 0 };
  const facts = { status: 'locked' as const, failedAttempts: 5, lockedUntil: lockUntil(untilReset, now) };
  t.is(facts.lockedUntil, null);
  t.is(evaluateLockout(facts, untilReset, at(365 * 24 * 60 * MINUTE)), 'locked');
});
