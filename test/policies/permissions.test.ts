import test from 'ava';
import { ROLES, type Role, type RoleAssignment } from '../../src/domain/user.js';
import type { AdminPowers } from '../../src/domain/operator.js';
import {
  type AdminAction,
  adminPowers,
  mayChange,
  mayDo,
  mayGrant,
  PERMISSIONS,
} from '../../src/policies/permissions.js';

/**
 * SPEC "Who may do what": the verdict for each caller role (columns), on each admin
 * action and on each target role (rows). A target row is what `mayChange` says of a
 * user holding that role, and what `mayGrant` says of giving it.
 */
const TABLE = `
                          individual  manager  hr   admin  super_admin
  users.read              no          yes      yes  yes    yes
  users.edit              no          yes      yes  yes    yes
  users.status            no          no       yes  yes    yes
  users.identifiers       no          no       yes  yes    yes
  users.password          no          no       yes  yes    yes
  users.invite            no          no       yes  yes    yes
  users.sessions          no          no       yes  yes    yes
  users.employments       no          no       yes  yes    yes
  users.groups            no          no       yes  yes    yes
  users.mfa               no          no       yes  yes    yes
  users.create            no          no       no   yes    yes
  users.bulk              no          no       no   yes    yes
  users.import            no          no       no   yes    yes
  users.export            no          no       no   yes    yes
  users.merge             no          no       no   yes    yes
  users.delete            no          no       no   yes    yes
  users.anonymise         no          no       no   yes    yes
  users.roles             no          no       no   yes    yes
  directory.read          no          yes      yes  yes    yes
  directory.write         no          no       no   yes    yes
  audit.read              no          no       no   yes    yes
  settings                no          no       no   no     yes
  target individual       yes         yes      yes  yes    yes
  target manager          no          yes      yes  yes    yes
  target hr               no          no       yes  yes    yes
  target admin            no          no       no   yes    yes
  target super_admin      no          no       no   no     yes
`;

const [header, ...lines] = TABLE.trim()
  .split('\n')
  .map((line) => line.trim().split(/\s+/));
const callers = header as Role[];
const rows = lines.map((cells) => {
  const target = cells[0] === 'target' ? (cells.splice(0, 2)[1] as Role) : undefined;
  const action = target ? undefined : (cells.shift() as AdminAction);
  return { action, target, verdicts: cells.map((cell) => cell === 'yes') };
});
const powers = (role: Role): AdminPowers => ({ role, scope: { all: true } });

test('the table has every role as a column and every action and target role as a row', (t) => {
  t.deepEqual(callers, [...ROLES]);
  t.deepEqual(rows.flatMap((r) => (r.action ? [r.action] : [])).sort(), Object.keys(PERMISSIONS).sort());
  t.deepEqual(
    rows.flatMap((r) => (r.target ? [r.target] : [])),
    [...ROLES],
  );
  for (const row of rows) t.is(row.verdicts.length, ROLES.length, row.action ?? row.target);
});

for (const { action, target, verdicts } of rows) {
  callers.forEach((caller, i) => {
    const verdict = verdicts[i]!;
    if (action) {
      test(`${caller} ${verdict ? 'may' : 'may not'} do ${action}`, (t) => {
        t.is(mayDo(powers(caller), action), verdict);
      });
    } else if (target) {
      test(`${caller} ${verdict ? 'may' : 'may not'} change a ${target} or grant ${target}`, (t) => {
        t.is(mayChange(powers(caller), target), verdict);
        t.is(mayGrant(powers(caller), target), verdict);
      });
    }
  });
}

/** A caller's powers from their main role and role assignments (scoped to an account `A` or account group `G`). */
const assign = (role: Role, scope: 'A' | 'G' | '-' = '-'): RoleAssignment => ({
  role,
  accountId: scope === 'A' ? 'A' : null,
  accountGroupId: scope === 'G' ? 'G' : null,
});
const THEIRS = (accountIds: string[], accountGroupIds: string[]) =>
  ({ all: false, accountIds, accountGroupIds }) as const;
const EVERYONE = { all: true } as const;
const POWERS: ReadonlyArray<{ main: Role; assignments: RoleAssignment[]; role: Role; scope: AdminPowers['scope'] }> = [
  { main: 'individual', assignments: [], role: 'individual', scope: THEIRS([], []) },
  { main: 'manager', assignments: [], role: 'manager', scope: THEIRS([], []) },
  { main: 'hr', assignments: [], role: 'hr', scope: EVERYONE },
  { main: 'super_admin', assignments: [], role: 'super_admin', scope: EVERYONE },
  { main: 'individual', assignments: [assign('manager', 'A')], role: 'manager', scope: THEIRS(['A'], []) },
  { main: 'individual', assignments: [assign('admin', 'G')], role: 'manager', scope: THEIRS([], ['G']) },
  { main: 'individual', assignments: [assign('individual', 'A')], role: 'individual', scope: THEIRS([], []) },
  { main: 'individual', assignments: [assign('hr')], role: 'hr', scope: EVERYONE },
  { main: 'hr', assignments: [assign('manager', 'A')], role: 'hr', scope: EVERYONE },
  {
    main: 'manager',
    assignments: [assign('manager', 'A'), assign('hr', 'G')],
    role: 'manager',
    scope: THEIRS(['A'], ['G']),
  },
];

for (const row of POWERS) {
  const given = [row.main, ...row.assignments.map((a) => `${a.role}@${a.accountId ?? a.accountGroupId ?? 'all'}`)].join(
    ' + ',
  );
  test(`powers of ${given}: ${row.role}, ${row.scope.all ? 'everyone' : 'their scopes'}`, (t) => {
    t.deepEqual(adminPowers(row.main, row.assignments), { role: row.role, scope: row.scope });
  });
}
