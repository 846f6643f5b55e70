import test from 'ava';
import type { Role, Status } from '../../src/domain/user.js';
import { planRoles, RoleNotGrantable, statusForActive } from '../../src/policies/provisioned-roles.js';

const HR_TOKEN: Role[] = ['individual', 'manager', 'hr'];

const cases: {
  name: string;
  current: Role[];
  currentMain: Role | null;
  requested: Role[];
  primary: Role | null;
  held: Role[];
  mainRole: Role;
}[] = [
  {
    name: 'a new user with no roles is an individual',
    current: [],
    currentMain: null,
    requested: [],
    primary: null,
    held: ['individual'],
    mainRole: 'individual',
  },
  {
    name: 'requested roles are granted; the primary is the main role',
    current: [],
    currentMain: null,
    requested: ['manager', 'hr'],
    primary: 'manager',
    held: ['manager', 'hr'],
    mainRole: 'manager',
  },
  {
    name: 'without a primary the highest role is the main one',
    current: [],
    currentMain: null,
    requested: ['individual', 'hr'],
    primary: null,
    held: ['individual', 'hr'],
    mainRole: 'hr',
  },
  {
    name: 'grantable roles left out are removed',
    current: ['individual', 'manager'],
    currentMain: 'manager',
    requested: ['individual'],
    primary: null,
    held: ['individual'],
    mainRole: 'individual',
  },
  {
    name: 'the main role stays while still held',
    current: ['individual', 'hr'],
    currentMain: 'individual',
    requested: ['individual', 'hr'],
    primary: null,
    held: ['individual', 'hr'],
    mainRole: 'individual',
  },
  {
    name: 'roles the token may not grant are kept whatever the request says',
    current: ['admin'],
    currentMain: 'admin',
    requested: ['individual'],
    primary: null,
    held: ['admin', 'individual'],
    mainRole: 'admin',
  },
  {
    name: 'an admin already held may be listed',
    current: ['admin'],
    currentMain: 'admin',
    requested: ['admin', 'manager'],
    primary: 'manager',
    held: ['admin', 'manager'],
    mainRole: 'manager',
  },
  {
    name: 'removing every role leaves individual',
    current: ['manager'],
    currentMain: 'manager',
    requested: [],
    primary: null,
    held: ['individual'],
    mainRole: 'individual',
  },
];

for (const c of cases) {
  test(`planRoles: ${c.name}`, (t) => {
    const plan = planRoles({
      current: c.current,
      currentMain: c.currentMain,
      requested: c.requested,
      primary: c.primary,
      grantable: HR_TOKEN,
    });
    t.deepEqual([...plan.held].sort(), [...c.held].sort());
    t.is(plan.mainRole, c.mainRole);
    t.true(plan.grantable.every((r) => HR_TOKEN.includes(r) || r === 'individual'));
  });
}

test('planRoles refuses a role the token may not grant and the user does not hold', (t) => {
  const err = t.throws(
    () =>
      planRoles({
        current: ['individual'],
        currentMain: 'individual',
        requested: ['individual', 'admin', 'super_admin'],
        primary: null,
        grantable: HR_TOKEN,
      }),
    { instanceOf: RoleNotGrantable },
  );
  t.deepEqual(err!.roles, ['admin', 'super_admin']);
  t.notThrows(() =>
    planRoles({
      current: [],
      currentMain: null,
      requested: ['admin'],
      primary: null,
      grantable: ['individual', 'admin'],
    }),
  );
});

const statuses: [Status | undefined, boolean | undefined, Status][] = [
  [undefined, undefined, 'new'],
  [undefined, true, 'new'],
  [undefined, false, 'inactive'],
  ['active', false, 'inactive'],
  ['locked', false, 'inactive'],
  ['inactive', true, 'active'],
  ['inactive', undefined, 'inactive'],
  ['locked', true, 'locked'],
  ['pending', true, 'pending'],
  ['new', true, 'new'],
];
for (const [current, active, expected] of statuses) {
  test(`statusForActive: ${current ?? '(new user)'} with active ${active} → ${expected}`, (t) => {
    t.is(statusForActive(current, active), expected);
  });
}
