import test from 'ava';
import { ScimError, type ScimType } from '../../src/scim/errors.js';
import { applyPatch } from '../../src/scim/patch.js';
import { ENTERPRISE_USER, GROUP, PATCH_OP, USER, type ResourceName, type ScimDoc } from '../../src/scim/schemas.js';

const BASE = 'https://idp.example.com/scim/v2';
const ADA = '2819c223-7f76-453a-919d-413861904646';
const BABBAGE = '26118915-6090-4610-87e4-49d8ca9f808d';
const SOMERVILLE = '902c246b-6245-4190-8e05-00816be7344a';
const ENGINEERS = 'e9e30dba-f08f-4109-8486-d5c6a331660a';
const BOB = '08e1d05d-121c-4561-8b96-473d93df9210';
const CAROL = 'c1d2e3f4-0000-4000-8000-000000000003';

const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

function ada(): ScimDoc {
  return {
    schemas: [USER, ENTERPRISE_USER],
    id: ADA,
    externalId: 'ada-hr-1815',
    userName: 'ada@example.com',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    title: 'Analyst',
    active: true,
    emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
    phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
    groups: [{ value: ENGINEERS, $ref: `${BASE}/Groups/${ENGINEERS}`, display: 'Engineers', type: 'direct' }],
    [ENTERPRISE_USER]: {
      department: 'Engineering',
      manager: { value: BABBAGE, $ref: `${BASE}/Users/${BABBAGE}`, displayName: 'Charles Babbage' },
    },
    meta: {
      resourceType: 'User',
      created: '2026-01-01T00:00:00.000Z',
      lastModified: '2026-01-02T00:00:00.000Z',
      location: `${BASE}/Users/${ADA}`,
      version: 'W/"3"',
    },
  };
}

/** A user provisioned with only a home email, no phone and no enterprise attributes. */
function homeOnly(): ScimDoc {
  const { [ENTERPRISE_USER]: _extension, phoneNumbers: _phones, ...rest } = ada();
  return { ...rest, schemas: [USER], emails: [{ value: 'ada@home.example', type: 'home', primary: true }] };
}

const member = (id: string, display: string) => ({ value: id, $ref: `${BASE}/Users/${id}`, display, type: 'User' });

function engineers(): ScimDoc {
  return {
    schemas: [GROUP],
    id: ENGINEERS,
    displayName: 'Engineers',
    members: [member(ADA, 'Ada Lovelace'), member(BOB, 'Bob')],
    meta: { resourceType: 'Group', location: `${BASE}/Groups/${ENGINEERS}`, version: 'W/"7"' },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Applies the patch to a frozen copy of `current`, so any write to it throws. */
function patched(resource: ResourceName, current: ScimDoc, body: unknown) {
  const snapshot = structuredClone(current);
  const frozen = deepFreeze(structuredClone(current));
  return { result: applyPatch(resource, frozen, body), untouched: () => frozen, snapshot };
}

type Case = {
  title: string;
  resource?: ResourceName;
  current: () => ScimDoc;
  operations: unknown[];
  expected: ScimDoc;
};

const CASES: Case[] = [
  // Microsoft Entra ID
  {
    title: 'Entra: Replace active "False" disables the user',
    current: ada,
    operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    expected: { ...ada(), active: false },
  },
  {
    title: 'Entra: Replace active "True" enables the user',
    current: () => ({ ...ada(), active: false }),
    operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    expected: ada(),
  },
  {
    title: 'Entra: Replace emails[type eq "work"].value changes the work email in place',
    current: ada,
    operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'ada.lovelace@example.com' }],
    expected: { ...ada(), emails: [{ value: 'ada.lovelace@example.com', type: 'work', primary: true }] },
  },
  {
    title: 'Entra: Add emails[type eq "work"].value on a user without a work email creates it',
    current: homeOnly,
    operations: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'ada@example.org' }],
    expected: {
      ...homeOnly(),
      emails: [
        { value: 'ada@home.example', type: 'home', primary: true },
        { type: 'work', value: 'ada@example.org' },
      ],
    },
  },
  {
    title: 'Entra: Replace emails[type eq "work"].value on a user without emails creates the list',
    current: () => {
      const { emails: _emails, ...rest } = homeOnly();
      return rest;
    },
    operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'ada@example.org' }],
    expected: (() => {
      const { emails: _emails, ...rest } = homeOnly();
      return { ...rest, emails: [{ type: 'work', value: 'ada@example.org' }] };
    })(),
  },
  {
    title: 'Entra: Replace emails[type eq "work"].value with "" removes the work email',
    current: () => ({
      ...ada(),
      emails: [...(ada().emails as ScimDoc[]), { value: 'ada@home.example', type: 'home' }],
    }),
    operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: '' }],
    expected: { ...ada(), emails: [{ value: 'ada@home.example', type: 'home' }] },
  },
  {
    title: 'Remove emails[type eq "work"].value removes the work email',
    current: ada,
    operations: [{ op: 'Remove', path: 'emails[type eq "work"].value' }],
    expected: (() => {
      const { emails: _emails, ...rest } = ada();
      return rest;
    })(),
  },
  {
    title: 'Entra: Add phoneNumbers[type eq "mobile"].value appends a mobile number',
    current: ada,
    operations: [{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+44 7700 900123' }],
    expected: {
      ...ada(),
      phoneNumbers: [
        { value: '+44 20 7946 0000', type: 'work' },
        { type: 'mobile', value: '+44 7700 900123' },
      ],
    },
  },
  {
    title: 'Entra: Replace title and Add the work email in one request',
    current: ada,
    operations: [
      { op: 'Replace', path: 'title', value: 'Mathematician' },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'countess@example.com' },
    ],
    expected: {
      ...ada(),
      title: 'Mathematician',
      emails: [{ value: 'countess@example.com', type: 'work', primary: true }],
    },
  },
  {
    title: 'Entra: Replace name.givenName',
    current: ada,
    operations: [{ op: 'Replace', path: 'name.givenName', value: 'Augusta' }],
    expected: { ...ada(), name: { givenName: 'Augusta', familyName: 'Lovelace' } },
  },
  {
    title: 'Entra: a Replace without path takes dotted, filtered and URN-prefixed keys',
    current: ada,
    operations: [
      {
        op: 'Replace',
        value: {
          'name.givenName': 'Augusta',
          'name.familyName': 'King',
          active: 'False',
          [`${ENTERPRISE_USER}:department`]: 'Analytical Engines',
          'emails[type eq "work"].value': 'augusta@example.com',
        },
      },
    ],
    expected: {
      ...ada(),
      name: { givenName: 'Augusta', familyName: 'King' },
      active: false,
      emails: [{ value: 'augusta@example.com', type: 'work', primary: true }],
      [ENTERPRISE_USER]: { ...(ada()[ENTERPRISE_USER] as ScimDoc), department: 'Analytical Engines' },
    },
  },
  {
    title: 'Entra: Add the enterprise manager as a plain id creates the extension',
    current: homeOnly,
    operations: [{ op: 'Add', path: `${ENTERPRISE_USER}:manager`, value: BABBAGE }],
    expected: { ...homeOnly(), schemas: [USER, ENTERPRISE_USER], [ENTERPRISE_USER]: { manager: { value: BABBAGE } } },
  },
  {
    title: 'Entra: Add a new manager id replaces the manager and drops what was derived from the old one',
    current: ada,
    operations: [{ op: 'Add', path: `${ENTERPRISE_USER}:manager`, value: SOMERVILLE }],
    expected: { ...ada(), [ENTERPRISE_USER]: { department: 'Engineering', manager: { value: SOMERVILLE } } },
  },
  {
    title: 'Replace the manager given as { value }',
    current: ada,
    operations: [{ op: 'replace', path: `${ENTERPRISE_USER}:manager`, value: { value: SOMERVILLE } }],
    expected: { ...ada(), [ENTERPRISE_USER]: { department: 'Engineering', manager: { value: SOMERVILLE } } },
  },
  {
    title: 'Entra: Remove the manager keeps the other enterprise attributes',
    current: ada,
    operations: [{ op: 'Remove', path: `${ENTERPRISE_USER}:manager` }],
    expected: { ...ada(), [ENTERPRISE_USER]: { department: 'Engineering' } },
  },
  {
    title: 'Remove the last enterprise attribute removes the extension object',
    current: () => ({ ...ada(), [ENTERPRISE_USER]: { manager: { value: BABBAGE } } }),
    operations: [{ op: 'Remove', path: `${ENTERPRISE_USER}:manager` }],
    expected: (() => {
      const { [ENTERPRISE_USER]: _extension, ...rest } = ada();
      return rest;
    })(),
  },
  {
    title: 'Entra: Replace a core attribute written with the core schema URN',
    current: ada,
    operations: [{ op: 'Replace', path: `${USER}:displayName`, value: 'Countess of Lovelace' }],
    expected: { ...ada(), displayName: 'Countess of Lovelace' },
  },
  {
    title: 'The extension URN as a key holds an object of its attributes',
    current: ada,
    operations: [{ op: 'add', value: { [ENTERPRISE_USER]: { employeeNumber: '1815', costCenter: 'CC-42' } } }],
    expected: {
      ...ada(),
      [ENTERPRISE_USER]: { ...(ada()[ENTERPRISE_USER] as ScimDoc), employeeNumber: '1815', costCenter: 'CC-42' },
    },
  },
  {
    title: 'Attribute names, sub-attribute names and filter attributes are case-insensitive',
    current: ada,
    operations: [
      { op: 'replace', path: 'NAME.GIVENNAME', value: 'Augusta' },
      { op: 'replace', path: 'Emails[Type eq "WORK"].Value', value: 'augusta@example.com' },
      {
        op: 'replace',
        path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DEPARTMENT',
        value: 'Research',
      },
    ],
    expected: {
      ...ada(),
      name: { givenName: 'Augusta', familyName: 'Lovelace' },
      emails: [{ value: 'augusta@example.com', type: 'work', primary: true }],
      [ENTERPRISE_USER]: { ...(ada()[ENTERPRISE_USER] as ScimDoc), department: 'Research' },
    },
  },
  // Okta
  {
    title: 'Okta: replace without path { active: false } deactivates',
    current: ada,
    operations: [{ op: 'replace', value: { active: false } }],
    expected: { ...ada(), active: false },
  },
  {
    title: 'Okta: replace without path { password } leaves the password for the caller',
    current: ada,
    operations: [{ op: 'replace', value: { password: 't1meMa$heen' } }],
    expected: { ...ada(), password: 't1meMa$heen' },
  },
  // Values
  {
    title: 'replace with "" or null unassigns the attribute',
    current: ada,
    operations: [
      { op: 'replace', path: 'displayName', value: '' },
      { op: 'replace', path: 'title', value: null },
      { op: 'replace', path: 'name.familyName', value: null },
    ],
    expected: (() => {
      const { displayName: _d, title: _t, ...rest } = ada();
      return { ...rest, name: { givenName: 'Ada' } };
    })(),
  },
  {
    title: 'add of an email that is already there adds no duplicate',
    current: ada,
    operations: [{ op: 'add', path: 'emails', value: [{ value: 'ADA@example.com', type: 'work' }] }],
    expected: ada(),
  },
  {
    title: 'add of a primary email takes primary from the previous one',
    current: ada,
    operations: [{ op: 'add', path: 'emails', value: { value: 'ada@home.example', type: 'home', primary: true } }],
    expected: {
      ...ada(),
      emails: [
        { value: 'ada@example.com', type: 'work' },
        { value: 'ada@home.example', type: 'home', primary: true },
      ],
    },
  },
  {
    title: 'replace emails[type eq "work"].display sets a sub-attribute on every match',
    current: () => ({
      ...ada(),
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'b@example.com', type: 'work' },
      ],
    }),
    operations: [{ op: 'replace', path: 'emails[type eq "work"].display', value: 'Work' }],
    expected: {
      ...ada(),
      emails: [
        { value: 'a@example.com', type: 'work', display: 'Work' },
        { value: 'b@example.com', type: 'work', display: 'Work' },
      ],
    },
  },
  {
    title: 'remove of a sub-attribute of matching elements',
    current: ada,
    operations: [{ op: 'remove', path: 'emails[type eq "work"].primary' }],
    expected: { ...ada(), emails: [{ value: 'ada@example.com', type: 'work' }] },
  },
  {
    title: 'remove whose filter matches nothing changes nothing',
    current: ada,
    operations: [{ op: 'remove', path: 'emails[type eq "home"]' }],
    expected: ada(),
  },
  {
    title: 'remove of the only email removes the attribute',
    current: ada,
    operations: [{ op: 'remove', path: 'emails[type eq "work"]' }],
    expected: (() => {
      const { emails: _emails, ...rest } = ada();
      return rest;
    })(),
  },
  {
    title: 'a readOnly id sent with its current value is ignored',
    current: ada,
    operations: [{ op: 'replace', value: { id: ADA, userName: 'countess@example.com' } }],
    expected: { ...ada(), userName: 'countess@example.com' },
  },
  {
    title: 'a value without path may repeat "schemas"',
    current: ada,
    operations: [{ op: 'replace', value: { schemas: [USER], nickName: 'Countess' } }],
    expected: { ...ada(), nickName: 'Countess' },
  },
  // RFC 7644 §3.5.2
  {
    title: 'RFC 7644 §3.5.2.1: add without path adds emails and sets nickname',
    current: ada,
    operations: [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }],
    expected: {
      ...ada(),
      emails: [...(ada().emails as ScimDoc[]), { value: 'babs@jensen.org', type: 'home' }],
      nickName: 'Babs',
    },
  },
  {
    title: 'RFC 7644 §3.5.2.2: remove emails[type eq "work" and value ew "example.com"]',
    current: () => ({
      ...ada(),
      emails: [
        { value: 'ada@example.com', type: 'work' },
        { value: 'ada@example.org', type: 'work' },
      ],
    }),
    operations: [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
    expected: { ...ada(), emails: [{ value: 'ada@example.org', type: 'work' }] },
  },
  {
    title: 'RFC 7644 §3.5.2.3: replace without path replaces the whole emails list',
    current: ada,
    operations: [
      {
        op: 'replace',
        value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickname: 'Babs' },
      },
    ],
    expected: { ...ada(), emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' },
  },
  {
    title: 'RFC 7644 §3.5.2.3: replace a complex attribute merges the given sub-attributes',
    current: ada,
    operations: [{ op: 'replace', path: 'name', value: { familyName: 'King', honorificPrefix: 'Countess' } }],
    expected: { ...ada(), name: { givenName: 'Ada', familyName: 'King', honorificPrefix: 'Countess' } },
  },
  {
    title: 'RFC 7644 §3.5.2.3: replace addresses[type eq "work"] replaces the matching address',
    current: () => ({
      ...ada(),
      addresses: [
        { type: 'work', streetAddress: '1 Old Street', locality: 'London', primary: true },
        { type: 'home', streetAddress: '12 St James Square', locality: 'London' },
      ],
    }),
    operations: [
      {
        op: 'replace',
        path: 'addresses[type eq "work"]',
        value: {
          type: 'work',
          streetAddress: '911 Universal City Plaza',
          locality: 'Hollywood',
          region: 'CA',
          postalCode: '91608',
          country: 'US',
          primary: true,
        },
      },
    ],
    expected: {
      ...ada(),
      addresses: [
        {
          type: 'work',
          streetAddress: '911 Universal City Plaza',
          locality: 'Hollywood',
          region: 'CA',
          postalCode: '91608',
          country: 'US',
          primary: true,
        },
        { type: 'home', streetAddress: '12 St James Square', locality: 'London' },
      ],
    },
  },
  {
    title: 'RFC 7644 §3.5.2.3: replace addresses[type eq "work"].streetAddress',
    current: () => ({ ...ada(), addresses: [{ type: 'work', streetAddress: '1 Old Street', locality: 'London' }] }),
    operations: [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }],
    expected: { ...ada(), addresses: [{ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'London' }] },
  },
  // Groups
  {
    title: 'Entra: Add members appends the new member',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'Add', path: 'members', value: [{ value: CAROL }] }],
    expected: { ...engineers(), members: [...(engineers().members as ScimDoc[]), { value: CAROL }] },
  },
  {
    title: "Okta: add members with display keeps the id (display is the server's)",
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'add', path: 'members', value: [{ value: CAROL, display: 'carol@example.com' }] }],
    expected: { ...engineers(), members: [...(engineers().members as ScimDoc[]), { value: CAROL }] },
  },
  {
    title: 'add of a member already there adds no duplicate',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'add', path: 'members', value: [{ value: BOB }] }],
    expected: engineers(),
  },
  {
    title: 'Okta: remove members[value eq "…"] removes that member',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'remove', path: `members[value eq "${BOB}"]` }],
    expected: { ...engineers(), members: [member(ADA, 'Ada Lovelace')] },
  },
  {
    title: 'Entra: Remove members with a value array removes only those',
    resource: 'Group',
    current: () => ({ ...engineers(), members: [...(engineers().members as ScimDoc[]), member(CAROL, 'Carol')] }),
    operations: [{ op: 'Remove', path: 'members', value: [{ value: ADA }, { value: CAROL }] }],
    expected: { ...engineers(), members: [member(BOB, 'Bob')] },
  },
  {
    title: 'Okta: replace without path { id, displayName } renames the group',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'replace', value: { id: ENGINEERS, displayName: 'Analytical Engineers' } }],
    expected: { ...engineers(), displayName: 'Analytical Engineers' },
  },
  {
    title: 'Okta: replace members replaces the whole list',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'replace', path: 'members', value: [{ value: CAROL, display: 'Carol' }, { value: BOB }] }],
    expected: { ...engineers(), members: [{ value: CAROL }, { value: BOB }] },
  },
  {
    title: 'Entra: Replace displayName',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'Replace', path: 'displayName', value: 'Difference Engineers' }],
    expected: { ...engineers(), displayName: 'Difference Engineers' },
  },
  {
    title: 'RFC 7644 §3.5.2.2: remove members removes them all',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'remove', path: 'members' }],
    expected: (() => {
      const { members: _members, ...rest } = engineers();
      return rest;
    })(),
  },
  {
    title: 'RFC 7644 §3.5.2.2: remove one member and add another in one request',
    resource: 'Group',
    current: engineers,
    operations: [
      { op: 'remove', path: `members[value eq"${ADA}"]` },
      { op: 'add', path: 'members', value: [{ display: 'Carol', $ref: `${BASE}/Users/${CAROL}`, value: CAROL }] },
    ],
    expected: { ...engineers(), members: [member(BOB, 'Bob'), { $ref: `${BASE}/Users/${CAROL}`, value: CAROL }] },
  },
  {
    title: 'member ids compare case-insensitively (members.value is not caseExact)',
    resource: 'Group',
    current: engineers,
    operations: [{ op: 'remove', path: `members[value eq "${BOB.toUpperCase()}"]` }],
    expected: { ...engineers(), members: [member(ADA, 'Ada Lovelace')] },
  },
];

for (const row of CASES) {
  test(row.title, (t) => {
    const { result, untouched, snapshot } = patched(row.resource ?? 'User', row.current(), patchOp(...row.operations));
    t.deepEqual(result, row.expected);
    t.deepEqual(untouched(), snapshot);
  });
}

const FILTERS: { filter: string; left: string[] }[] = [
  { filter: 'value eq "b@example.org"', left: ['a@example.com', 'c@example.net'] },
  { filter: 'value ne "b@example.org"', left: ['b@example.org'] },
  { filter: 'value co "example.n"', left: ['a@example.com', 'b@example.org'] },
  { filter: 'value sw "A@"', left: ['b@example.org', 'c@example.net'] },
  { filter: 'value ew ".org"', left: ['a@example.com', 'c@example.net'] },
  { filter: 'value gt "b"', left: ['a@example.com'] },
  { filter: 'value ge "b@example.org"', left: ['a@example.com'] },
  { filter: 'value lt "b"', left: ['b@example.org', 'c@example.net'] },
  { filter: 'value le "b@example.org"', left: ['c@example.net'] },
  { filter: 'display pr', left: ['b@example.org', 'c@example.net'] },
  { filter: 'primary eq true', left: ['b@example.org', 'c@example.net'] },
  { filter: 'type eq "work" and not (primary eq true)', left: ['a@example.com', 'c@example.net'] },
  { filter: 'type eq "home" or value ew ".com"', left: ['b@example.org'] },
  { filter: 'not (type eq "work")', left: ['a@example.com', 'b@example.org'] },
];

for (const row of FILTERS) {
  test(`the value filter [${row.filter}] selects the elements of this resource`, (t) => {
    const current = {
      ...ada(),
      emails: [
        { value: 'a@example.com', type: 'work', primary: true, display: 'A' },
        { value: 'b@example.org', type: 'work' },
        { value: 'c@example.net', type: 'home' },
      ],
    };
    const { result } = patched('User', current, patchOp({ op: 'remove', path: `emails[${row.filter}]` }));
    t.deepEqual(
      (result.emails as ScimDoc[]).map((email) => email.value),
      row.left,
    );
  });
}

const FAILURES: { title: string; resource?: ResourceName; body: unknown; scimType: ScimType }[] = [
  { title: 'a body that is not an object', body: 'replace', scimType: 'invalidSyntax' },
  {
    title: 'a body without the PatchOp schema',
    body: { Operations: [{ op: 'replace', path: 'active', value: false }] },
    scimType: 'invalidSyntax',
  },
  { title: 'a body with no operations', body: patchOp(), scimType: 'invalidSyntax' },
  { title: 'an unknown op', body: patchOp({ op: 'update', path: 'active', value: false }), scimType: 'invalidSyntax' },
  {
    title: 'an op that is not a string',
    body: patchOp({ op: 1, path: 'active', value: false }),
    scimType: 'invalidSyntax',
  },
  {
    title: 'a path that is not a string',
    body: patchOp({ op: 'replace', path: ['active'], value: false }),
    scimType: 'invalidSyntax',
  },
  { title: 'add without a value', body: patchOp({ op: 'add', path: 'nickName' }), scimType: 'invalidValue' },
  {
    title: 'an unknown attribute',
    body: patchOp({ op: 'replace', path: 'favouriteColour', value: 'green' }),
    scimType: 'invalidPath',
  },
  {
    title: 'an unknown sub-attribute',
    body: patchOp({ op: 'replace', path: 'name.nickName', value: 'x' }),
    scimType: 'invalidPath',
  },
  {
    title: 'an unknown key in a value without path',
    body: patchOp({ op: 'replace', value: { favouriteColour: 'green' } }),
    scimType: 'invalidPath',
  },
  {
    title: 'an enterprise attribute without its URN',
    body: patchOp({ op: 'replace', path: 'department', value: 'R&D' }),
    scimType: 'invalidPath',
  },
  {
    title: 'an unknown schema URN',
    body: patchOp({ op: 'replace', path: 'urn:example:User:department', value: 'R&D' }),
    scimType: 'invalidPath',
  },
  {
    title: 'an enterprise attribute on a Group',
    resource: 'Group',
    body: patchOp({ op: 'replace', path: `${ENTERPRISE_USER}:department`, value: 'R&D' }),
    scimType: 'invalidPath',
  },
  {
    title: 'a filter on a single-valued attribute',
    body: patchOp({ op: 'replace', path: 'name[givenName eq "Ada"]', value: {} }),
    scimType: 'invalidPath',
  },
  {
    title: 'an unclosed filter',
    body: patchOp({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
    scimType: 'invalidPath',
  },
  {
    title: 'a filter with an unquoted string',
    body: patchOp({ op: 'replace', path: 'emails[type eq work].value', value: 'x' }),
    scimType: 'invalidFilter',
  },
  {
    title: 'a filter on an unknown sub-attribute',
    body: patchOp({ op: 'remove', path: 'emails[kind eq "work"]' }),
    scimType: 'invalidFilter',
  },
  {
    title: 'an ordering filter on a boolean',
    body: patchOp({ op: 'remove', path: 'emails[primary gt true]' }),
    scimType: 'invalidFilter',
  },
  {
    title: 'a boolean that is not one',
    body: patchOp({ op: 'Replace', path: 'active', value: 'yes' }),
    scimType: 'invalidValue',
  },
  {
    title: 'a number for a string',
    body: patchOp({ op: 'replace', path: 'userName', value: 42 }),
    scimType: 'invalidValue',
  },
  {
    title: 'a string for a complex attribute',
    body: patchOp({ op: 'replace', path: 'name', value: 'Ada Lovelace' }),
    scimType: 'invalidValue',
  },
  {
    title: 'a wrongly typed sub-attribute',
    body: patchOp({ op: 'add', path: 'emails', value: [{ value: 5 }] }),
    scimType: 'invalidValue',
  },
  {
    title: 'an unknown sub-attribute inside a value',
    body: patchOp({ op: 'add', path: 'emails', value: [{ address: 'x@y' }] }),
    scimType: 'invalidValue',
  },
  {
    title: 'a value without path that is not an object',
    body: patchOp({ op: 'replace', value: 'x' }),
    scimType: 'invalidValue',
  },
  {
    title: 'two primary emails',
    body: patchOp({
      op: 'replace',
      path: 'emails',
      value: [
        { value: 'a@x', primary: true },
        { value: 'b@x', primary: 'True' },
      ],
    }),
    scimType: 'invalidValue',
  },
  { title: 'remove without a path', body: patchOp({ op: 'remove', value: { active: false } }), scimType: 'noTarget' },
  {
    title: 'a filter that matches nothing and describes no element',
    body: patchOp({ op: 'replace', path: 'emails[value co "nobody"].type', value: 'home' }),
    scimType: 'noTarget',
  },
  { title: 'a new id', body: patchOp({ op: 'replace', value: { id: 'another-id' } }), scimType: 'mutability' },
  { title: 'removing the id', body: patchOp({ op: 'remove', path: 'id' }), scimType: 'mutability' },
  {
    title: 'writing meta',
    body: patchOp({ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }),
    scimType: 'mutability',
  },
  {
    title: 'adding to groups',
    body: patchOp({ op: 'add', path: 'groups', value: [{ value: 'g2' }] }),
    scimType: 'mutability',
  },
  {
    title: 'writing manager.displayName',
    body: patchOp({ op: 'replace', path: `${ENTERPRISE_USER}:manager.displayName`, value: 'Someone Else' }),
    scimType: 'mutability',
  },
  { title: 'removing userName', body: patchOp({ op: 'remove', path: 'userName' }), scimType: 'mutability' },
  {
    title: 'replacing userName with ""',
    body: patchOp({ op: 'replace', path: 'userName', value: '' }),
    scimType: 'mutability',
  },
  {
    title: 'removing a Group displayName',
    resource: 'Group',
    body: patchOp({ op: 'remove', path: 'displayName' }),
    scimType: 'mutability',
  },
  {
    title: 'changing a member id (immutable)',
    resource: 'Group',
    body: patchOp({ op: 'replace', path: `members[value eq "${BOB}"].value`, value: CAROL }),
    scimType: 'mutability',
  },
];

for (const row of FAILURES) {
  test(`refused with ${row.scimType}: ${row.title}`, (t) => {
    const resource = row.resource ?? 'User';
    const current = deepFreeze(resource === 'User' ? ada() : engineers());
    const error = t.throws(() => applyPatch(resource, current, row.body), { instanceOf: ScimError });
    t.is(error?.scimType, row.scimType);
    t.is(error?.status, 400);
  });
}

test('a request whose last operation fails changes nothing', (t) => {
  const current = ada();
  const snapshot = structuredClone(current);
  const body = patchOp(
    { op: 'Replace', path: 'active', value: 'False' },
    { op: 'Replace', path: 'displayName', value: 'Someone' },
    { op: 'Remove', path: `${ENTERPRISE_USER}:manager` },
    { op: 'Add', path: 'favouriteColour', value: 'green' },
  );
  t.throws(() => applyPatch('User', current, body), { instanceOf: ScimError });
  t.deepEqual(current, snapshot);
});

test('the result is a new object that shares nothing with the current one', (t) => {
  const current = ada();
  const result = applyPatch('User', current, patchOp({ op: 'replace', path: 'title', value: 'Countess' }));
  (result.name as ScimDoc).givenName = 'Changed';
  (result.emails as ScimDoc[]).push({ value: 'more@example.com' });
  t.not(result, current);
  t.deepEqual(current, ada());
});

test('"remove" of a member with a filter matching nothing is idempotent', (t) => {
  const body = patchOp({ op: 'remove', path: `members[value eq "${CAROL}"]` });
  t.deepEqual(applyPatch('Group', engineers(), body), engineers());
});

test('the error names what was wrong', (t) => {
  const error = t.throws(() =>
    applyPatch('User', ada(), patchOp({ op: 'replace', path: 'favouriteColour', value: 'x' })),
  );
  t.regex(error?.message ?? '', /favouriteColour/);
});

test('a path filter decodes JSON escapes in its strings, as a list filter does', (t) => {
  const current = { ...homeOnly(), emails: [{ value: 'dom\\ada@home.example', type: 'home' }] };
  const result = applyPatch(
    'User',
    current,
    patchOp({ op: 'replace', path: 'emails[value eq "dom\\\\ada@home.example"].type', value: 'work' }),
  );
  t.deepEqual(result.emails, [{ value: 'dom\\ada@home.example', type: 'work' }]);
});
