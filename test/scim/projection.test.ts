import test from 'ava';
import { project, type ProjectionOptions } from '../../src/scim/projection.js';
import { ENTERPRISE_USER, GROUP, USER, type ResourceName, type ScimDoc } from '../../src/scim/schemas.js';

const BASE = 'https://idp.example.com/scim/v2';
const ID = '2819c223-7f76-453a-919d-413861904646';
const META = {
  resourceType: 'User',
  created: '2026-01-01T00:00:00.000Z',
  location: `${BASE}/Users/${ID}`,
  version: 'W/"3"',
};
const MANAGER = { value: 'm-1', $ref: `${BASE}/Users/m-1`, displayName: 'Charles Babbage' };

function user(): ScimDoc {
  return {
    schemas: [USER, ENTERPRISE_USER],
    id: ID,
    externalId: 'ada-hr-1815',
    userName: 'ada@example.com',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    active: true,
    password: 'should never leave',
    emails: [
      { value: 'ada@example.com', type: 'work', primary: true },
      { value: 'ada@home.example', type: 'home' },
    ],
    [ENTERPRISE_USER]: { department: 'Engineering', manager: MANAGER },
    meta: META,
  };
}

function group(): ScimDoc {
  return {
    schemas: [GROUP],
    id: 'g-1',
    displayName: 'Engineers',
    members: [{ value: ID, $ref: `${BASE}/Users/${ID}`, display: 'Ada Lovelace', type: 'User' }],
    meta: { ...META, resourceType: 'Group' },
  };
}

const withoutPassword = () => {
  const { password: _password, ...rest } = user();
  return rest;
};
const minimal = { schemas: [USER, ENTERPRISE_USER], id: ID };

const CASES: { title: string; resource?: ResourceName; options: ProjectionOptions; expected: ScimDoc }[] = [
  { title: 'by default every attribute but the password, meta included', options: {}, expected: withoutPassword() },
  {
    title: 'empty lists are the default',
    options: { attributes: '', excludedAttributes: ' ' },
    expected: withoutPassword(),
  },
  {
    title: 'attributes=userName keeps schemas and id',
    options: { attributes: 'userName' },
    expected: { ...minimal, userName: 'ada@example.com' },
  },
  { title: 'attributes=id gives the minimal resource', options: { attributes: 'id' }, expected: minimal },
  {
    title: 'attribute names are case-insensitive',
    options: { attributes: 'USERNAME, Name.GivenName' },
    expected: { ...minimal, userName: 'ada@example.com', name: { givenName: 'Ada' } },
  },
  {
    title: 'a sub-attribute of a multi-valued attribute',
    options: { attributes: 'emails.value' },
    expected: { ...minimal, emails: [{ value: 'ada@example.com' }, { value: 'ada@home.example' }] },
  },
  {
    title: 'an attribute and a sub-attribute of it: the whole attribute',
    options: { attributes: 'emails.value,emails' },
    expected: { ...minimal, emails: user().emails },
  },
  {
    title: 'a core attribute with its schema URN',
    options: { attributes: `${USER}:displayName` },
    expected: { ...minimal, displayName: 'Ada Lovelace' },
  },
  {
    title: 'an enterprise attribute with its URN',
    options: { attributes: `${ENTERPRISE_USER}:department` },
    expected: { ...minimal, [ENTERPRISE_USER]: { department: 'Engineering' } },
  },
  {
    title: 'an enterprise sub-attribute with its URN',
    options: { attributes: `${ENTERPRISE_USER}:manager.value` },
    expected: { ...minimal, [ENTERPRISE_USER]: { manager: { value: 'm-1' } } },
  },
  {
    title: 'the whole enterprise extension by its URN',
    options: { attributes: ENTERPRISE_USER.toLowerCase() },
    expected: { ...minimal, [ENTERPRISE_USER]: { department: 'Engineering', manager: MANAGER } },
  },
  { title: 'meta only when asked for', options: { attributes: 'meta' }, expected: { ...minimal, meta: META } },
  {
    title: 'the password even when asked for is not returned',
    options: { attributes: 'password,userName' },
    expected: { ...minimal, userName: 'ada@example.com' },
  },
  {
    title: 'unknown names are ignored',
    options: { attributes: 'favouriteColour,userName,name.nickname,urn:example:x' },
    expected: { ...minimal, userName: 'ada@example.com' },
  },
  {
    title: 'excludedAttributes=emails',
    options: { excludedAttributes: 'emails' },
    expected: (() => {
      const { emails: _emails, ...rest } = withoutPassword();
      return rest;
    })(),
  },
  { title: 'excludedAttributes cannot remove id', options: { excludedAttributes: 'id' }, expected: withoutPassword() },
  {
    title: 'excludedAttributes=name.familyName,emails.primary',
    options: { excludedAttributes: 'name.familyName,EMAILS.PRIMARY' },
    expected: {
      ...withoutPassword(),
      name: { givenName: 'Ada' },
      emails: [
        { value: 'ada@example.com', type: 'work' },
        { value: 'ada@home.example', type: 'home' },
      ],
    },
  },
  {
    title: 'excludedAttributes=meta',
    options: { excludedAttributes: 'meta' },
    expected: (() => {
      const { meta: _meta, ...rest } = withoutPassword();
      return rest;
    })(),
  },
  {
    title: 'excludedAttributes of the whole enterprise extension',
    options: { excludedAttributes: ENTERPRISE_USER },
    expected: (() => {
      const { [ENTERPRISE_USER]: _extension, ...rest } = withoutPassword();
      return rest;
    })(),
  },
  {
    title: 'excludedAttributes of the enterprise manager',
    options: { excludedAttributes: `${ENTERPRISE_USER}:manager` },
    expected: { ...withoutPassword(), [ENTERPRISE_USER]: { department: 'Engineering' } },
  },
  {
    title: 'attributes and excludedAttributes together: selected, then excluded',
    options: { attributes: 'emails', excludedAttributes: 'emails.type' },
    expected: { ...minimal, emails: [{ value: 'ada@example.com', primary: true }, { value: 'ada@home.example' }] },
  },
  {
    title: 'Groups: excludedAttributes=members (as Entra and Okta ask)',
    resource: 'Group',
    options: { excludedAttributes: 'members' },
    expected: (() => {
      const { members: _members, ...rest } = group();
      return rest;
    })(),
  },
  {
    title: 'Groups: attributes=displayName',
    resource: 'Group',
    options: { attributes: 'displayName' },
    expected: { schemas: [GROUP], id: 'g-1', displayName: 'Engineers' },
  },
  {
    title: 'Groups: attributes=members.value',
    resource: 'Group',
    options: { attributes: 'members.value' },
    expected: { schemas: [GROUP], id: 'g-1', members: [{ value: ID }] },
  },
];

for (const row of CASES) {
  test(row.title, (t) => {
    const doc = row.resource === 'Group' ? group() : user();
    t.deepEqual(project(row.resource ?? 'User', doc, row.options), row.expected);
  });
}

test('the document given is not changed', (t) => {
  const doc = user();
  project('User', doc, { attributes: 'emails.value', excludedAttributes: 'name' });
  t.deepEqual(doc, user());
});
