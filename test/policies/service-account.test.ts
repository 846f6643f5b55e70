import test from 'ava';
import type { ServiceAccount } from '../../src/domain/service-account.js';
import { serviceAccountPowers, serviceAccountProblem } from '../../src/policies/service-account.js';

const ACCOUNT = '11111111-1111-4111-8111-111111111111';
const GROUP = '22222222-2222-4222-8222-222222222222';
const confidential = { isPublic: false, grantTypes: ['client_credentials'] };
const sa = (
  role: ServiceAccount['role'],
  accountIds: string[] = [],
  accountGroupIds: string[] = [],
): ServiceAccount => ({
  role,
  accountIds,
  accountGroupIds,
});

test('who may be a service account', (t) => {
  t.is(serviceAccountProblem(sa('hr'), confidential), undefined);
  t.is(serviceAccountProblem(sa('super_admin'), confidential), undefined);
  t.is(serviceAccountProblem(sa('manager', [ACCOUNT]), confidential), undefined);
  t.is(serviceAccountProblem(sa('manager', [], [GROUP]), confidential), undefined);
  t.is(serviceAccountProblem(sa('individual'), confidential), 'service_account_role');
  t.is(
    serviceAccountProblem(sa('hr'), { isPublic: true, grantTypes: ['client_credentials'] }),
    'service_account_public',
  );
  t.is(
    serviceAccountProblem(sa('hr'), { isPublic: false, grantTypes: ['authorization_code'] }),
    'service_account_grant',
  );
  t.is(serviceAccountProblem(sa('admin', [ACCOUNT]), confidential), 'service_account_scope');
  t.is(serviceAccountProblem(sa('manager'), confidential), 'service_account_no_scope');
});

test("a service account's powers are a person's with the same role", (t) => {
  t.deepEqual(serviceAccountPowers(sa('hr')), { role: 'hr', scope: { all: true } });
  t.deepEqual(serviceAccountPowers(sa('super_admin')), { role: 'super_admin', scope: { all: true } });
  t.deepEqual(serviceAccountPowers(sa('manager', [ACCOUNT], [GROUP])), {
    role: 'manager',
    scope: { all: false, accountIds: [ACCOUNT], accountGroupIds: [GROUP] },
  });
});
