import { defined } from '../util/defined.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

export type ResourceName = 'User' | 'Group';
/** A SCIM resource or message as JSON. */
export type ScimDoc = Record<string, unknown>;
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** An attribute definition as RFC 7643 §7 describes it; sub-attributes only on "complex". */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

/**
 * Where an attribute lives in a resource object: `schema` is the extension URN
 * whose object holds it, or undefined for core and common attributes (top level).
 */
export interface ResolvedAttribute {
  readonly schema: string | undefined;
  readonly attribute: AttributeDefinition;
  readonly sub?: AttributeDefinition;
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

function attribute(name: string, type: AttributeType, description: string, options: Options = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

function complex(name: string, description: string, subAttributes: AttributeDefinition[], options: Options = {}) {
  return attribute(name, 'complex', description, { ...options, subAttributes });
}

const typed = (canonicalValues: string[], options: Options = {}) =>
  attribute('type', 'string', "A label for the value's function.", { canonicalValues, ...options });
const primary = attribute('primary', 'boolean', 'Whether this is the preferred value; true on at most one value.');
const display = (options: Options = {}) =>
  attribute('display', 'string', 'A human-readable name, for display only.', options);

const ID = attribute('id', 'string', 'The identifier the service provider assigned to the resource.', {
  caseExact: true,
  mutability: 'readOnly',
  returned: 'always',
  uniqueness: 'server',
});
const EXTERNAL_ID = attribute(
  'externalId',
  'string',
  'The identifier the provisioning client assigned to the resource.',
  {
    caseExact: true,
  },
);
const readOnlyMeta = { mutability: 'readOnly' } as const;
const META = complex(
  'meta',
  'Resource metadata maintained by the service provider.',
  [
    attribute('resourceType', 'string', 'The name of the resource type.', { ...readOnlyMeta, caseExact: true }),
    attribute('created', 'dateTime', 'When the resource was added.', readOnlyMeta),
    attribute('lastModified', 'dateTime', 'When the resource was last updated.', readOnlyMeta),
    attribute('location', 'reference', 'The URI of the resource.', {
      ...readOnlyMeta,
      caseExact: true,
      referenceTypes: ['uri'],
    }),
    attribute('version', 'string', 'The version (ETag) of the resource.', { ...readOnlyMeta, caseExact: true }),
  ],
  readOnlyMeta,
);

/** id, externalId and meta (RFC 7643 §3.1): part of every resource, listed in no schema document. */
const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [ID, EXTERNAL_ID, META];

const USER_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute('userName', 'string', 'The unique identifier the user signs in with.', {
    required: true,
    uniqueness: 'server',
  }),
  complex('name', "The components of the user's name.", [
    attribute('formatted', 'string', 'The full name, formatted for display.'),
    attribute('familyName', 'string', 'The family (last) name.'),
    attribute('givenName', 'string', 'The given (first) name.'),
    attribute('middleName', 'string', 'The middle name(s).'),
    attribute('honorificPrefix', 'string', 'The honorific prefix, such as "Ms.".'),
    attribute('honorificSuffix', 'string', 'The honorific suffix, such as "III".'),
  ]),
  attribute('displayName', 'string', 'The name of the user, suitable for display.'),
  attribute('nickName', 'string', 'The casual name of the user.'),
  attribute('profileUrl', 'reference', "A URI of the user's online profile.", { referenceTypes: ['external'] }),
  attribute('title', 'string', "The user's job title."),
  attribute('userType', 'string', 'The relationship between the organization and the user, such as "Employee".'),
  attribute('preferredLanguage', 'string', "The user's preferred language (RFC 7231 Accept-Language form)."),
  attribute('locale', 'string', "The user's default location, for localizing dates, currency and numbers."),
  attribute('timezone', 'string', "The user's time zone, in IANA database form."),
  attribute('active', 'boolean', 'Whether the user may sign in.'),
  attribute('password', 'string', "The user's clear-text password; never returned.", {
    caseExact: true,
    mutability: 'writeOnly',
    returned: 'never',
  }),
  complex(
    'emails',
    'Email addresses of the user.',
    [attribute('value', 'string', 'The email address.'), display(), typed(['work', 'home', 'other']), primary],
    { multiValued: true },
  ),
  complex(
    'phoneNumbers',
    'Phone numbers of the user.',
    [
      attribute('value', 'string', 'The phone number.'),
      display(),
      typed(['work', 'home', 'mobile', 'fax', 'pager', 'other']),
      primary,
    ],
    { multiValued: true },
  ),
  complex(
    'addresses',
    'Physical mailing addresses of the user.',
    [
      attribute('formatted', 'string', 'The full address, formatted for display.'),
      attribute('streetAddress', 'string', 'The street address.'),
      attribute('locality', 'string', 'The city or locality.'),
      attribute('region', 'string', 'The state or region.'),
      attribute('postalCode', 'string', 'The postal code.'),
      attribute('country', 'string', 'The country, as an ISO 3166-1 alpha-2 code.'),
      typed(['work', 'home', 'other']),
      primary,
    ],
    { multiValued: true },
  ),
  complex(
    'groups',
    'The groups the user belongs to, maintained through the Group resources.',
    [
      attribute('value', 'string', 'The id of the group.', readOnlyMeta),
      attribute('$ref', 'reference', 'The URI of the group.', { ...readOnlyMeta, referenceTypes: ['Group'] }),
      display(readOnlyMeta),
      typed(['direct', 'indirect'], readOnlyMeta),
    ],
    { multiValued: true, mutability: 'readOnly' },
  ),
  complex(
    'roles',
    'Roles of the user.',
    [
      attribute('value', 'string', 'The role.'),
      display(),
      attribute('type', 'string', "A label for the role's function."),
      primary,
    ],
    { multiValued: true },
  ),
];

const ENTERPRISE_USER_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute('employeeNumber', 'string', 'The number the organization assigned to the user.'),
  attribute('costCenter', 'string', 'The name of a cost center.'),
  attribute('organization', 'string', 'The name of an organization.'),
  attribute('division', 'string', 'The name of a division.'),
  attribute('department', 'string', 'The name of a department.'),
  complex('manager', "The user's manager.", [
    attribute('value', 'string', 'The id of the manager, a User of this service provider.'),
    attribute('$ref', 'reference', 'The URI of the manager.', { referenceTypes: ['User'] }),
    attribute('displayName', 'string', "The manager's display name.", readOnlyMeta),
  ]),
];

const GROUP_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute('displayName', 'string', 'The name of the group.', { required: true }),
  complex(
    'members',
    'The members of the group.',
    [
      attribute('value', 'string', 'The id of the member.', { mutability: 'immutable' }),
      attribute('$ref', 'reference', 'The URI of the member.', {
        mutability: 'immutable',
        referenceTypes: ['User', 'Group'],
      }),
      display(readOnlyMeta),
      typed(['User', 'Group'], { mutability: 'immutable' }),
    ],
    { multiValued: true },
  ),
];

interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

const SCHEMAS: readonly SchemaDefinition[] = [
  { id: USER, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES },
  {
    id: ENTERPRISE_USER,
    name: 'EnterpriseUser',
    description: 'Enterprise User',
    attributes: ENTERPRISE_USER_ATTRIBUTES,
  },
  { id: GROUP, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
];

const RESOURCES: Record<
  ResourceName,
  { core: string; extensions: readonly string[]; endpoint: string; description: string }
> = {
  User: { core: USER, extensions: [ENTERPRISE_USER], endpoint: '/Users', description: 'User Account' },
  Group: { core: GROUP, extensions: [], endpoint: '/Groups', description: 'Group' },
};

const schemaById = (id: string) =>
  defined(
    SCHEMAS.find((schema) => schema.id === id),
    `schema ${id}`,
  );
const trimSlash = (baseUrl: string) => baseUrl.replace(/\/+$/, '');
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The core schema URN of a resource type. */
export const coreSchema = (resource: ResourceName) => RESOURCES[resource].core;

/** The schema URNs of a resource type, core first. */
export function resourceSchemas(resource: ResourceName): readonly string[] {
  return [RESOURCES[resource].core, ...RESOURCES[resource].extensions];
}

/** The canonical URN when `name` is (case-insensitively) one of the resource's schemas. */
export function resolveSchema(resource: ResourceName, name: string): string | undefined {
  return resourceSchemas(resource).find((urn) => sameName(urn, name.trim()));
}

/** The attributes held in the object of one schema; common attributes count as core. */
export function schemaAttributes(resource: ResourceName, urn: string): readonly AttributeDefinition[] {
  const own = schemaById(urn).attributes;
  return urn === RESOURCES[resource].core ? [...COMMON_ATTRIBUTES, ...own] : own;
}

export const findAttribute = (attributes: readonly AttributeDefinition[] | undefined, name: string) =>
  attributes?.find((candidate) => sameName(candidate.name, name));

/**
 * Resolves `NAME.givenname`, `emails`, `<urn>:manager.value` (names compared
 * case-insensitively) to its canonical definition and location; undefined when
 * the resource has no such attribute. Extension attributes need their URN.
 */
export function resolveAttribute(resource: ResourceName, path: string): ResolvedAttribute | undefined {
  const { urn, rest } = splitSchemaPrefix(resource, path.trim());
  if (rest === undefined) return undefined;
  const [name, subName, ...extra] = rest.split('.');
  if (name === undefined || extra.length > 0) return undefined;
  const attribute = findAttribute(schemaAttributes(resource, urn), name);
  if (!attribute) return undefined;
  const schema = urn === RESOURCES[resource].core ? undefined : urn;
  if (subName === undefined) return { schema, attribute };
  const sub = findAttribute(attribute.subAttributes, subName);
  return sub ? { schema, attribute, sub } : undefined;
}

function splitSchemaPrefix(resource: ResourceName, path: string): { urn: string; rest: string | undefined } {
  const lower = path.toLowerCase();
  const urn = resourceSchemas(resource).find((candidate) => lower.startsWith(`${candidate.toLowerCase()}:`));
  if (urn) return { urn, rest: path.slice(urn.length + 1) };
  return { urn: RESOURCES[resource].core, rest: lower.startsWith('urn:') ? undefined : path };
}

/** The documents of GET /Schemas (RFC 7643 §7). */
export function schemaDocuments(baseUrl: string) {
  return SCHEMAS.map((schema) => ({
    schemas: [SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${trimSlash(baseUrl)}/Schemas/${schema.id}` },
  }));
}

/** The documents of GET /ResourceTypes (RFC 7643 §6). */
export function resourceTypeDocuments(baseUrl: string) {
  return (Object.keys(RESOURCES) as ResourceName[]).map((name) => ({
    schemas: [RESOURCE_TYPE],
    id: name,
    name,
    endpoint: RESOURCES[name].endpoint,
    description: RESOURCES[name].description,
    schema: RESOURCES[name].core,
    schemaExtensions: RESOURCES[name].extensions.map((schema) => ({ schema, required: false })),
    meta: { resourceType: 'ResourceType', location: `${trimSlash(baseUrl)}/ResourceTypes/${name}` },
  }));
}

export interface ServiceProviderLimits {
  readonly maxOperations: number;
  readonly maxPayloadSize: number;
  readonly maxResults: number;
}

/** The document of GET /ServiceProviderConfig (RFC 7643 §5). */
export function serviceProviderConfig(baseUrl: string, limits: ServiceProviderLimits) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG],
    patch: { supported: true },
    bulk: { supported: true, maxOperations: limits.maxOperations, maxPayloadSize: limits.maxPayloadSize },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a bearer token issued for SCIM provisioning (RFC 6750).',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${trimSlash(baseUrl)}/ServiceProviderConfig` },
  };
}
