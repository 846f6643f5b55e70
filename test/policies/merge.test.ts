import test from 'ava';
import type { User } from '../../src/domain/user.js';
import { mergeConflicts, mergedFields } from '../../src/policies/merge.js';

const user = (over: Partial<User>): User =>
  ({
    id: 'k',
    userCode: 'K',
    email: null,
    title: null,
    givenName: null,
    middleName: null,
    familyName: null,
    externalId: null,
    status: 'active',
    mainAccountId: null,
    mainRole: 'individual',
    directManagerId: null,
    preferredLanguage: null,
    timezone: null,
    displayName: null,
    nickName: null,
    nameFormatted: null,
    honorificSuffix: null,
    jobTitle: null,
    userType: null,
    locale: null,
    profileUrl: null,
    employeeNumber: null,
    costCenter: null,
    division: null,
    department: null,
    tags: [],
    customAttributes: {},
    lastSignInAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    version: 1,
    ...over,
  }) as User;

const CONFLICTS: ReadonlyArray<[string, Partial<User>, Partial<User>, string[]]> = [
  ['nothing set', {}, {}, []],
  ['the same externalId', { externalId: 'X' }, { externalId: 'X' }, []],
  ['only one externalId', { externalId: 'X' }, {}, []],
  ['different externalIds', { externalId: 'X' }, { externalId: 'Y' }, ['externalId']],
  ['different employee numbers', { employeeNumber: '1' }, { employeeNumber: '2' }, ['employeeNumber']],
  [
    'both',
    { externalId: 'X', employeeNumber: '1' },
    { externalId: 'Y', employeeNumber: '2' },
    ['externalId', 'employeeNumber'],
  ],
  [
    'different emails and names are not conflicts',
    { email: 'a@x', givenName: 'A' },
    { email: 'b@x', givenName: 'B' },
    [],
  ],
];
for (const [name, keep, merge, fields] of CONFLICTS) {
  test(`conflicts: ${name}`, (t) => {
    t.deepEqual(
      mergeConflicts(user({ id: 'k', ...keep }), user({ id: 'm', ...merge })).map((c) => c.field),
      fields,
    );
  });
}

test('a conflict names both values', (t) => {
  t.deepEqual(mergeConflicts(user({ externalId: 'X' }), user({ id: 'm', externalId: 'Y' })), [
    { field: 'externalId', keep: 'X', merge: 'Y' },
  ]);
});

test('the kept user takes only what it lacks', (t) => {
  const keep = user({ id: 'k', email: 'k@x', givenName: 'Kim', tags: ['a'], customAttributes: { size: 1 } });
  const merge = user({
    id: 'm',
    email: 'm@x',
    givenName: 'Kimberly',
    jobTitle: 'Trainer',
    externalId: 'HR-1',
    tags: ['a', 'b'],
    customAttributes: { size: 2, shoe: 3 },
  });
  t.deepEqual(mergedFields(keep, merge), {
    externalId: 'HR-1',
    jobTitle: 'Trainer',
    tags: ['a', 'b'],
    customAttributes: { shoe: 3, size: 1 },
  });
  t.deepEqual(mergedFields(user({ id: 'k' }), user({ id: 'm', email: 'm@x' })), { email: 'm@x' });
  t.deepEqual(mergedFields(keep, user({ id: 'm' })), {});
});

test('a manager that was the merged user, or would be the kept user itself, is not kept', (t) => {
  t.deepEqual(mergedFields(user({ id: 'k', directManagerId: 'm' }), user({ id: 'm' })), { directManagerId: null });
  t.deepEqual(mergedFields(user({ id: 'k', directManagerId: 'm' }), user({ id: 'm', directManagerId: 'boss' })), {
    directManagerId: 'boss',
  });
  t.deepEqual(mergedFields(user({ id: 'k' }), user({ id: 'm', directManagerId: 'k' })), {});
  t.deepEqual(mergedFields(user({ id: 'k', directManagerId: 'own' }), user({ id: 'm', directManagerId: 'boss' })), {});
});
