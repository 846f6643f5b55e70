import test from 'ava';
import { databaseFault } from '../../src/db/database-error.js';

const CASES: ReadonlyArray<{ name: string; err: unknown; fault: ReturnType<typeof databaseFault> }> = [
  {
    name: 'a unique index',
    err: { code: '23505', constraint: 'users_email_key' },
    fault: { kind: 'unique_violation', constraint: 'users_email_key', sqlstate: '23505' },
  },
  {
    name: 'a foreign key',
    err: { code: '23503', constraint: 'users_main_account_id_foreign' },
    fault: { kind: 'foreign_key_violation', constraint: 'users_main_account_id_foreign', sqlstate: '23503' },
  },
  { name: 'a deadlock', err: { code: '40P01' }, fault: { kind: 'deadlock', sqlstate: '40P01' } },
  {
    name: 'a serialisation failure',
    err: { code: '40001' },
    fault: { kind: 'serialization_failure', sqlstate: '40001' },
  },
  { name: 'a cancelled statement', err: { code: '57014' }, fault: { kind: 'unavailable', sqlstate: '57014' } },
  {
    name: 'a refused connection',
    err: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    fault: { kind: 'unavailable' },
  },
  { name: 'a syntax error', err: { code: '42601' }, fault: { kind: 'other', sqlstate: '42601' } },
  { name: 'an application error', err: new Error('boom'), fault: { kind: 'other' } },
  { name: 'nothing', err: undefined, fault: { kind: 'other' } },
];

for (const { name, err, fault } of CASES) {
  test(`databaseFault: ${name}`, (t) => {
    t.deepEqual(databaseFault(err), fault);
  });
}
