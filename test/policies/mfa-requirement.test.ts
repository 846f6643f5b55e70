import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import type { Role } from '../../src/domain/user.js';
import { evaluateMfaLock, type MfaLockState } from '../../src/policies/mfa-lockout.js';
import { mfaRequirement, type MfaRequirement } from '../../src/policies/mfa-requirement.js';

const DEFAULT: readonly Role[] = ['admin', 'super_admin'];

const CASES: ReadonlyArray<{
  name: string;
  roles: Role[];
  hasFactor: boolean;
  requested: boolean;
  requiredRoles?: readonly Role[];
  expected: MfaRequirement;
}> = [
  {
    name: 'individual, no factor, not requested: password only',
    roles: ['individual'],
    hasFactor: false,
    requested: false,
    expected: 'none',
  },
  {
    name: 'individual with a factor: verify',
    roles: ['individual'],
    hasFactor: true,
    requested: false,
    expected: 'verify',
  },
  {
    name: 'individual, no factor, the client asks for MFA: enrol',
    roles: ['individual'],
    hasFactor: false,
    requested: true,
    expected: 'enrol',
  },
  {
    name: 'individual with a factor, requested: verify',
    roles: ['individual'],
    hasFactor: true,
    requested: true,
    expected: 'verify',
  },
  { name: 'admin without a factor: enrol', roles: ['admin'], hasFactor: false, requested: false, expected: 'enrol' },
  {
    name: 'super_admin without a factor: enrol',
    roles: ['super_admin'],
    hasFactor: false,
    requested: false,
    expected: 'enrol',
  },
  { name: 'admin with a factor: verify', roles: ['admin'], hasFactor: true, requested: false, expected: 'verify' },
  {
    name: 'one required role among several is enough',
    roles: ['individual', 'hr', 'admin'],
    hasFactor: false,
    requested: false,
    expected: 'enrol',
  },
  {
    name: 'manager and hr are not required by default',
    roles: ['manager', 'hr'],
    hasFactor: false,
    requested: false,
    expected: 'none',
  },
  { name: 'no roles at all, no factor: none', roles: [], hasFactor: false, requested: false, expected: 'none' },
  { name: 'no roles at all, with a factor: verify', roles: [], hasFactor: true, requested: false, expected: 'verify' },
  {
    name: 'a setting that requires hr',
    roles: ['hr'],
    hasFactor: false,
    requested: false,
    requiredRoles: ['hr'],
    expected: 'enrol',
  },
  {
    name: 'a setting that requires nobody: admin without a factor is let through',
    roles: ['admin'],
    hasFactor: false,
    requested: false,
    requiredRoles: [],
    expected: 'none',
  },
  {
    name: 'a setting that requires nobody: still enrol when requested',
    roles: ['admin'],
    hasFactor: false,
    requested: true,
    requiredRoles: [],
    expected: 'enrol',
  },
  {
    name: 'a setting that requires nobody: a factor is still verified',
    roles: ['individual'],
    hasFactor: true,
    requested: false,
    requiredRoles: [],
    expected: 'verify',
  },
];

for (const c of CASES) {
  test(`mfaRequirement: ${c.name}`, (t) => {
    t.is(
      mfaRequirement(
        { roles: c.roles, hasFactor: c.hasFactor, requested: c.requested },
        { requiredRoles: c.requiredRoles ?? DEFAULT },
      ),
      c.expected,
    );
  });
}

const now = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const LOCKS: ReadonlyArray<{ name: string; failedAttempts: number; lockedUntil: Date | null; expected: MfaLockState }> =
  [
    { name: 'a free counter is open', failedAttempts: 0, lockedUntil: null, expected: 'open' },
    { name: 'one below the max is open', failedAttempts: 4, lockedUntil: null, expected: 'open' },
    {
      name: 'a full counter without an end is locked until a reset',
      failedAttempts: 5,
      lockedUntil: null,
      expected: 'locked',
    },
    { name: 'a timed lock still running is locked', failedAttempts: 5, lockedUntil: at(1), expected: 'locked' },
    { name: 'a timed lock ending now has expired', failedAttempts: 5, lockedUntil: at(0), expected: 'expired' },
    {
      name: 'a timed lock that ended long ago has expired',
      failedAttempts: 5,
      lockedUntil: at(-86_400_000),
      expected: 'expired',
    },
  ];
for (const c of LOCKS) {
  test(`evaluateMfaLock: ${c.name}`, (t) => {
    t.is(
      evaluateMfaLock({ failedAttempts: c.failedAttempts, lockedUntil: c.lockedUntil }, { maxAttempts: 5 }, now),
      c.expected,
    );
  });
}

test('MFA_REQUIRED_ROLES: admins by default; an empty value means no role', (t) => {
  t.deepEqual(loadConfig({}).mfa.requiredRoles, ['admin', 'super_admin']);
  t.deepEqual(loadConfig({ MFA_REQUIRED_ROLES: '' }).mfa.requiredRoles, []);
  t.deepEqual(loadConfig({ MFA_REQUIRED_ROLES: 'hr, admin' }).mfa.requiredRoles, ['hr', 'admin']);
  t.throws(() => loadConfig({ MFA_REQUIRED_ROLES: 'root' }), { message: /MFA_REQUIRED_ROLES/ });
});
