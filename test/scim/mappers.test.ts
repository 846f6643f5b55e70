import test from 'ava';
import type { User } from '../../src/domain/user.js';
import { checkIfMatch } from '../../src/scim/etag.js';
import { fromScimGroup, toScimGroup } from '../../src/scim/group-mapper.js';
import { parseListQuery } from '../../src/scim/list-query.js';
import { ENTERPRISE_USER, USER } from '../../src/scim/schemas.js';
import { fromScimUser, toScimUser, userChanges } from '../../src/scim/user-mapper.js';

const BASE = 'https://id.example.com/scim/v2';
const at = new Date('2026-11-25T10:00:00.000Z');

const user: User = {
  id: '5d48a0a8-e6d6-4a2e-9d0b-2a6e2c8f1b11',
  userCode: 'ada@example.com',
  email: 'ada@example.com',
  emailVerified: true,
  title: 'Dr',
  givenName: 'Ada',
  middleName: null,
  familyName: 'Lovelace',
  externalId: 'hr-1815',
  status: 'active',
  mainAccountId: 'a1',
  mainRole: 'manager',
  directManagerId: 'm1',
  preferredLanguage: 'en-GB',
  timezone: 'Europe/London',
  displayName: 'Ada Lovelace',
  nickName: null,
  nameFormatted: null,
  honorificSuffix: null,
  jobTitle: 'Analyst',
  userType: 'Employee',
  locale: 'en-GB',
  profileUrl: null,
  employeeNumber: '1815',
  costCenter: null,
  division: null,
  department: 'Engines',
  tags: [],
  customAttributes: {},
  lastSignInAt: null,
  expiresAt: null,
  createdAt: at,
  updatedAt: at,
  version: 7,
};
const record = {
  user,
  contacts: {
    emails: [{ value: 'ada@example.com', type: 'work', display: null, primary: true }],
    phoneNumbers: [{ value: '+44 20 0000', type: 'mobile', display: null, primary: false }],
    addresses: [],
  },
  roles: ['individual', 'manager'] as const,
  groups: [{ id: 'g1', displayName: 'Analysts' }],
  organization: 'Analytical Society',
  manager: { id: 'm1', displayName: 'Charles Babbage' },
};

test('toScimUser maps the domain onto the core and enterprise schemas, without empty attributes', (t) => {
  const doc = toScimUser({ ...record, roles: [...record.roles] }, BASE);
  t.deepEqual(doc, {
    schemas: [USER, ENTERPRISE_USER],
    id: user.id,
    externalId: 'hr-1815',
    userName: 'ada@example.com',
    name: { familyName: 'Lovelace', givenName: 'Ada', honorificPrefix: 'Dr' },
    displayName: 'Ada Lovelace',
    title: 'Analyst',
    userType: 'Employee',
    preferredLanguage: 'en-GB',
    locale: 'en-GB',
    timezone: 'Europe/London',
    active: true,
    emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
    phoneNumbers: [{ value: '+44 20 0000', type: 'mobile' }],
    groups: [{ value: 'g1', $ref: `${BASE}/Groups/g1`, display: 'Analysts', type: 'direct' }],
    roles: [
      { value: 'individual', display: 'individual' },
      { value: 'manager', display: 'manager', primary: true },
    ],
    [ENTERPRISE_USER]: {
      employeeNumber: '1815',
      organization: 'Analytical Society',
      department: 'Engines',
      manager: { value: 'm1', $ref: `${BASE}/Users/m1`, displayName: 'Charles Babbage' },
    },
    meta: {
      resourceType: 'User',
      created: at.toISOString(),
      lastModified: at.toISOString(),
      location: `${BASE}/Users/${user.id}`,
      version: 'W/"7"',
    },
  });
  t.is(toScimUser({ ...record, roles: [...record.roles], user: { ...user, status: 'inactive' } }, BASE).active, false);
  t.is(
    toScimUser({ ...record, roles: [...record.roles], user: { ...user, status: 'locked' } }, BASE).active,
    true,
    'only a deactivation is active: false',
  );
});

test('fromScimUser reads names case-insensitively and round-trips what toScimUser wrote', (t) => {
  const w = fromScimUser(toScimUser({ ...record, roles: [...record.roles] }, BASE));
  t.is(w.userName, 'ada@example.com');
  t.is(w.email, 'ada@example.com');
  t.is(w.managerId, 'm1');
  t.is(w.organization, 'Analytical Society');
  t.deepEqual(w.roles, { names: ['individual', 'manager'], primary: 'manager' });
  t.like(w.profile, {
    title: 'Dr',
    givenName: 'Ada',
    familyName: 'Lovelace',
    jobTitle: 'Analyst',
    employeeNumber: '1815',
    department: 'Engines',
  });

  const shouting = fromScimUser({
    USERNAME: 'x',
    Active: 'False',
    NAME: { GivenName: 'X' },
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Flat',
    Emails: [{ Value: 'b@x', Primary: 'true' }, { value: 'a@x' }],
  });
  t.is(shouting.userName, 'x');
  t.is(shouting.active, false);
  t.is(shouting.profile.givenName, 'X');
  t.is(shouting.profile.department, 'Flat', 'a flattened extension attribute counts');
  t.is(shouting.email, 'b@x', 'the primary email is the sign-in email');
  t.is(shouting.organization, undefined, 'organization not given: the main account stays');
  t.is(shouting.roles, undefined);
});

test('fromScimUser refuses what it cannot store', (t) => {
  for (const bad of [
    {},
    { userName: 42 },
    { userName: 'x', active: 'maybe' },
    { userName: 'x', emails: [{ type: 'work' }] },
    {
      userName: 'x',
      emails: [
        { value: 'a@x', primary: true },
        { value: 'b@x', primary: true },
      ],
    },
    { userName: 'x', roles: [{ value: 'wizard' }] },
    { userName: 'x', name: { givenName: ['A'] } },
  ]) {
    const err = t.throws(() => fromScimUser(bad), undefined, JSON.stringify(bad));
    t.like(err, { status: 400, scimType: 'invalidValue' });
  }
});

test('groups map both ways; members are user ids', (t) => {
  const group = { id: 'g1', displayName: 'Analysts', externalId: null, createdAt: at, updatedAt: at, version: 2 };
  const doc = toScimGroup(group, [{ id: 'u1', display: 'Ada' }], BASE);
  t.deepEqual(doc.members, [{ value: 'u1', $ref: `${BASE}/Users/u1`, display: 'Ada', type: 'User' }]);
  t.false('members' in toScimGroup(group, undefined, BASE), 'members not loaded are left out');
  t.deepEqual(fromScimGroup({ DisplayName: 'X', Members: [{ Value: 'u1' }, { value: 'u1' }, { value: 'u2' }] }), {
    displayName: 'X',
    externalId: null,
    memberIds: ['u1', 'u2'],
  });
  t.is(fromScimGroup({ displayName: 'X' }).memberIds, undefined);
  t.throws(() => fromScimGroup({ members: [] }), { message: /displayName/ });
  t.throws(() => fromScimGroup({ displayName: 'X', members: [{ display: 'no value' }] }), { message: /value/ });
});

test('userChanges lists changed attributes with old and new values', (t) => {
  t.deepEqual(
    userChanges(
      { userName: 'a', displayName: 'A', meta: { version: 1 } },
      { userName: 'a', title: 'T', meta: { version: 2 } },
    ),
    { displayName: ['A', null], title: [null, 'T'] },
  );
});

test('list parameters: startIndex below 1 is 1, count is capped, bad numbers are refused', (t) => {
  t.like(parseListQuery({}, 200), { startIndex: 1, count: 200 });
  t.like(parseListQuery({ startIndex: '-4', count: '5000' }, 200), { startIndex: 1, count: 200 });
  t.like(parseListQuery({ STARTINDEX: 3, Count: 0, sortby: 'userName', attributes: ['userName', 'emails'] }, 200), {
    startIndex: 3,
    count: 0,
    sortBy: 'userName',
    attributes: 'userName,emails',
  });
  t.throws(() => parseListQuery({ count: 'ten' }, 200), { message: /count/ });
});

test('If-Match: the current version or * passes; anything else is 412', (t) => {
  t.notThrows(() => checkIfMatch(undefined, 3));
  t.notThrows(() => checkIfMatch('W/"3"', 3));
  t.notThrows(() => checkIfMatch('"3"', 3));
  t.notThrows(() => checkIfMatch('*', 3));
  t.notThrows(() => checkIfMatch('W/"2", W/"3"', 3));
  t.like(
    t.throws(() => checkIfMatch('W/"2"', 3)),
    { status: 412 },
  );
});
