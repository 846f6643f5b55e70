import test from 'ava';
import { STATUSES, type Status } from '../../src/domain/user.js';
import type { LoginCode } from '../../src/errors/codes.js';
import { maySignIn, STATUS_RULES, statusAfterSignIn } from '../../src/policies/status.js';

/** SPEC "Statuses": who may sign in, the code shown after a correct password, and the status after sign-in. */
const TABLE: ReadonlyArray<{ status: Status; maySignIn: boolean; reason?: LoginCode; after: Status }> = [
  { status: 'active', maySignIn: true, after: 'active' },
  { status: 'new', maySignIn: true, after: 'active' },
  { status: 'import', maySignIn: true, after: 'import' },
  { status: 'temporary', maySignIn: true, after: 'temporary' },
  { status: 'pending', maySignIn: false, reason: 'login.pending', after: 'pending' },
  { status: 'inactive', maySignIn: false, reason: 'login.inactive', after: 'inactive' },
  { status: 'locked', maySignIn: false, reason: 'login.locked', after: 'locked' },
  { status: 'deleted', maySignIn: false, reason: 'login.deleted', after: 'deleted' },
];

test('the table covers every status exactly once', (t) => {
  t.deepEqual(TABLE.map((r) => r.status).sort(), [...STATUSES].sort());
  t.deepEqual(Object.keys(STATUS_RULES).sort(), [...STATUSES].sort());
});

for (const row of TABLE) {
  test(`${row.status}: ${row.maySignIn ? 'may' : 'may not'} sign in`, (t) => {
    t.is(maySignIn(row.status), row.maySignIn);
    t.is(STATUS_RULES[row.status].maySignIn, row.maySignIn);
  });

  if (row.maySignIn) {
    test(`${row.status}: has no refusal reason`, (t) => {
      t.is(STATUS_RULES[row.status].reason, undefined);
    });
  } else {
    test(`${row.status}: a correct password is told ${row.reason}`, (t) => {
      t.is(STATUS_RULES[row.status].reason, row.reason);
    });
  }

  test(`${row.status}: becomes ${row.after} after sign-in`, (t) => {
    t.is(statusAfterSignIn(row.status), row.after);
  });
}

test('statusAfterSignIn is idempotent: a second sign-in changes nothing', (t) => {
  for (const status of STATUSES) {
    const once = statusAfterSignIn(status);
    t.is(statusAfterSignIn(once), once, status);
  }
});
