import test from 'ava';
import {
  ENTERPRISE_USER,
  GROUP,
  resolveAttribute,
  resourceTypeDocuments,
  schemaDocuments,
  serviceProviderConfig,
  USER,
  type AttributeDefinition,
  type ResourceName,
} from '../../src/scim/schemas.js';

const BASE = 'https://idp.example.com/scim/v2';

const RESOLUTIONS: {
  resource: ResourceName;
  path: string;
  expected: [string | undefined, string, string?] | undefined;
}[] = [
  { resource: 'User', path: 'userName', expected: [undefined, 'userName'] },
  { resource: 'User', path: 'NAME.givenname', expected: [undefined, 'name', 'givenName'] },
  { resource: 'User', path: 'emails', expected: [undefined, 'emails'] },
  { resource: 'User', path: 'id', expected: [undefined, 'id'] },
  { resource: 'User', path: 'Meta.LastModified', expected: [undefined, 'meta', 'lastModified'] },
  { resource: 'User', path: `${USER}:userName`, expected: [undefined, 'userName'] },
  { resource: 'User', path: `${ENTERPRISE_USER}:manager.value`, expected: [ENTERPRISE_USER, 'manager', 'value'] },
  { resource: 'User', path: `${ENTERPRISE_USER.toUpperCase()}:Department`, expected: [ENTERPRISE_USER, 'department'] },
  { resource: 'Group', path: 'MEMBERS.$REF', expected: [undefined, 'members', '$ref'] },
  { resource: 'Group', path: `${GROUP}:displayName`, expected: [undefined, 'displayName'] },
  { resource: 'User', path: 'department', expected: undefined },
  { resource: 'User', path: 'name.nickName', expected: undefined },
  { resource: 'User', path: 'name.givenName.x', expected: undefined },
  { resource: 'User', path: 'members', expected: undefined },
  { resource: 'User', path: `${GROUP}:displayName`, expected: undefined },
  { resource: 'Group', path: `${ENTERPRISE_USER}:department`, expected: undefined },
  { resource: 'Group', path: 'userName', expected: undefined },
];

for (const row of RESOLUTIONS) {
  test(`resolveAttribute(${row.resource}, "${row.path}")`, (t) => {
    const resolved = resolveAttribute(row.resource, row.path);
    t.deepEqual(
      resolved && [resolved.schema, resolved.attribute.name, resolved.sub?.name].slice(0, resolved.sub ? 3 : 2),
      row.expected,
    );
  });
}

const CHARACTERISTICS = [
  'name',
  'type',
  'multiValued',
  'description',
  'required',
  'caseExact',
  'mutability',
  'returned',
  'uniqueness',
];

function everyAttribute(attributes: readonly AttributeDefinition[]): AttributeDefinition[] {
  return attributes.flatMap((attribute) => [attribute, ...(attribute.subAttributes ?? [])]);
}

test('the /Schemas documents are the User, EnterpriseUser and Group schemas with their locations', (t) => {
  const docs = schemaDocuments(`${BASE}/`);
  t.deepEqual(
    docs.map((doc) => [doc.id, doc.name, doc.meta]),
    [
      [USER, 'User', { resourceType: 'Schema', location: `${BASE}/Schemas/${USER}` }],
      [ENTERPRISE_USER, 'EnterpriseUser', { resourceType: 'Schema', location: `${BASE}/Schemas/${ENTERPRISE_USER}` }],
      [GROUP, 'Group', { resourceType: 'Schema', location: `${BASE}/Schemas/${GROUP}` }],
    ],
  );
});

test('every attribute carries the characteristics of RFC 7643 §7, sub-attributes only on complex ones', (t) => {
  for (const doc of schemaDocuments(BASE)) {
    for (const attribute of everyAttribute(doc.attributes)) {
      t.deepEqual(
        CHARACTERISTICS.filter((key) => !(key in attribute)),
        [],
        `${doc.name}.${attribute.name}`,
      );
      t.is(attribute.subAttributes !== undefined, attribute.type === 'complex', `${doc.name}.${attribute.name}`);
    }
  }
});

function attributeOf(schema: string, path: string): AttributeDefinition | undefined {
  const [name, sub] = path.split('.');
  const attribute = schemaDocuments(BASE)
    .find((doc) => doc.id === schema)
    ?.attributes.find((a) => a.name === name);
  return sub ? attribute?.subAttributes?.find((s) => s.name === sub) : attribute;
}

const DEFINITIONS: { schema: string; path: string; expected: Partial<AttributeDefinition> }[] = [
  {
    schema: USER,
    path: 'userName',
    expected: { required: true, uniqueness: 'server', caseExact: false, type: 'string' },
  },
  { schema: USER, path: 'password', expected: { mutability: 'writeOnly', returned: 'never' } },
  { schema: USER, path: 'active', expected: { type: 'boolean' } },
  { schema: USER, path: 'emails', expected: { type: 'complex', multiValued: true } },
  { schema: USER, path: 'emails.type', expected: { canonicalValues: ['work', 'home', 'other'] } },
  {
    schema: USER,
    path: 'phoneNumbers.type',
    expected: { canonicalValues: ['work', 'home', 'mobile', 'fax', 'pager', 'other'] },
  },
  { schema: USER, path: 'groups', expected: { mutability: 'readOnly', multiValued: true } },
  { schema: USER, path: 'profileUrl', expected: { type: 'reference', referenceTypes: ['external'] } },
  { schema: ENTERPRISE_USER, path: 'manager.displayName', expected: { mutability: 'readOnly' } },
  { schema: ENTERPRISE_USER, path: 'manager.$ref', expected: { type: 'reference', referenceTypes: ['User'] } },
  { schema: GROUP, path: 'displayName', expected: { required: true } },
  { schema: GROUP, path: 'members.value', expected: { mutability: 'immutable' } },
];

for (const row of DEFINITIONS) {
  test(`${row.schema.split(':').at(-1)} ${row.path} is defined as ${JSON.stringify(row.expected)}`, (t) => {
    const attribute = attributeOf(row.schema, row.path);
    t.truthy(attribute);
    t.like(attribute, row.expected);
  });
}

test('resolveAttribute knows the common attributes: id is readOnly and always returned, externalId caseExact', (t) => {
  t.like(resolveAttribute('User', 'id')?.attribute, { mutability: 'readOnly', returned: 'always', caseExact: true });
  t.like(resolveAttribute('Group', 'externalId')?.attribute, { caseExact: true, mutability: 'readWrite' });
  t.like(resolveAttribute('Group', 'meta')?.attribute, { mutability: 'readOnly', type: 'complex' });
});

test('the /ResourceTypes documents: User with the optional enterprise extension, and Group', (t) => {
  t.deepEqual(resourceTypeDocuments(BASE), [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER,
      schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Group` },
    },
  ]);
});

test('the /ServiceProviderConfig document states the features and limits', (t) => {
  const config = serviceProviderConfig(BASE, { maxOperations: 100, maxPayloadSize: 1_048_576, maxResults: 200 });
  t.like(config, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: true, maxOperations: 100, maxPayloadSize: 1_048_576 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
  });
  t.is(config.authenticationSchemes.length, 1);
  t.like(config.authenticationSchemes[0], { type: 'oauthbearertoken', primary: true });
});
