import { own } from '../util/own.js';

export type ScimResourceName = 'User' | 'Group';

/**
 * A single value in SQL: an expression over the resource row (`users` or
 * `groups`) or over the row of one element of a multi-valued attribute.
 * Strings carry RFC 7643's caseExact; `uuid` holds ids and references to them.
 */
export interface Column {
  sql: string;
  type: 'string' | 'uuid' | 'dateTime' | 'boolean';
  caseExact?: boolean;
}

/** A multi-valued attribute: one row per element, `SELECT 1 <from> AND <condition>`. */
export interface MultiValued {
  from: string;
  subAttributes: Record<string, Column>;
}

/** Everything a filter or a sortBy can reach; keys are lower-cased attribute paths. */
export interface AttributeMap {
  table: 'users' | 'groups';
  schema: string;
  extension?: string;
  single: Record<string, Column>;
  multi: Record<string, MultiValued>;
  sortOnly: Record<string, Column>;
}

export type Attribute = { single: Column } | { multi: MultiValued; subAttribute?: Column };

const text = (sql: string): Column => ({ sql, type: 'string' });
const exact = (sql: string): Column => ({ sql, type: 'string', caseExact: true });
const uuid = (sql: string): Column => ({ sql, type: 'uuid' });
const dateTime = (sql: string): Column => ({ sql, type: 'dateTime' });
const boolean = (sql: string): Column => ({ sql, type: 'boolean' });

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:';

const userValues = (attribute: string, subAttributes: Record<string, Column>): MultiValued => ({
  from: `FROM user_values v WHERE v.user_id = users.id AND v.attribute = '${attribute}'`,
  subAttributes: { ...subAttributes, type: text('v.type'), primary: boolean('v.is_primary') },
});
const contact = { value: text('v.value'), display: text('v.display') };

const USER: AttributeMap = {
  table: 'users',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:user:',
  extension: ENTERPRISE,
  single: {
    id: uuid('users.id'),
    externalid: exact('users.external_id'),
    username: text('users.user_code'),
    'name.formatted': text('users.name_formatted'),
    'name.familyname': text('users.family_name'),
    'name.givenname': text('users.given_name'),
    'name.middlename': text('users.middle_name'),
    'name.honorificprefix': text('users.title'),
    'name.honorificsuffix': text('users.honorific_suffix'),
    displayname: text('users.display_name'),
    nickname: text('users.nick_name'),
    profileurl: text('users.profile_url'),
    title: text('users.job_title'),
    usertype: text('users.user_type'),
    preferredlanguage: text('users.preferred_language'),
    locale: text('users.locale'),
    timezone: text('users.timezone'),
    active: boolean("(users.status <> 'inactive')"),
    'meta.created': dateTime('users.created_at'),
    'meta.lastmodified': dateTime('users.updated_at'),
    'meta.resourcetype': exact("'User'"),
    [`${ENTERPRISE}employeenumber`]: text('users.employee_number'),
    [`${ENTERPRISE}costcenter`]: text('users.cost_center'),
    [`${ENTERPRISE}organization`]: text('(SELECT a.name FROM accounts a WHERE a.id = users.main_account_id)'),
    [`${ENTERPRISE}division`]: text('users.division'),
    [`${ENTERPRISE}department`]: text('users.department'),
    [`${ENTERPRISE}manager`]: uuid('users.direct_manager_id'),
    [`${ENTERPRISE}manager.value`]: uuid('users.direct_manager_id'),
  },
  multi: {
    emails: userValues('emails', contact),
    phonenumbers: userValues('phoneNumbers', contact),
    addresses: userValues('addresses', {
      formatted: text('v.formatted'),
      streetaddress: text('v.street_address'),
      locality: text('v.locality'),
      region: text('v.region'),
      postalcode: text('v.postal_code'),
      country: text('v.country'),
    }),
    roles: {
      from: 'FROM role_assignments r WHERE r.user_id = users.id',
      subAttributes: {
        value: text('r.role'),
        display: text('r.role'),
        type: text('NULL::text'),
        primary: boolean('(r.role = users.main_role)'),
      },
    },
    groups: {
      from: 'FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = users.id',
      subAttributes: { value: uuid('gm.group_id'), display: text('g.display_name') },
    },
  },
  sortOnly: { emails: text('users.email'), 'emails.value': text('users.email') },
};

const GROUP: AttributeMap = {
  table: 'groups',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:group:',
  single: {
    id: uuid('groups.id'),
    externalid: exact('groups.external_id'),
    displayname: text('groups.display_name'),
    'meta.created': dateTime('groups.created_at'),
    'meta.lastmodified': dateTime('groups.updated_at'),
    'meta.resourcetype': exact("'Group'"),
  },
  multi: {
    members: { from: 'FROM group_members m WHERE m.group_id = groups.id', subAttributes: { value: uuid('m.user_id') } },
  },
  sortOnly: {},
};

export const ATTRIBUTE_MAPS: Record<ScimResourceName, AttributeMap> = { User: USER, Group: GROUP };

/**
 * The lower-cased name of an attribute path without its core schema URN;
 * extension attributes keep theirs (an unqualified name falls back to it).
 */
export function attributeKey(map: AttributeMap, path: string): string {
  const name = path.toLowerCase();
  return name.startsWith(map.schema) ? name.slice(map.schema.length) : name;
}

/**
 * What an attribute path names: a single value, or a multi-valued attribute
 * and perhaps one of its sub-attributes. Undefined for anything not mapped
 * (own keys only: `constructor` or `__proto__` is not mapped).
 */
export function findMappedAttribute(map: AttributeMap, path: string): Attribute | undefined {
  const key = attributeKey(map, path);
  const single =
    own(map.single, key) ?? (map.extension && !key.includes(':') ? own(map.single, map.extension + key) : undefined);
  if (single) return { single };
  const [head, subName] = splitOnce(key);
  const multi = own(map.multi, head);
  if (!multi) return undefined;
  if (subName === undefined) return { multi };
  const subAttribute = own(multi.subAttributes, subName);
  return subAttribute && { multi, subAttribute };
}

function splitOnce(key: string): [string, string | undefined] {
  const dot = key.indexOf('.');
  return dot < 0 ? [key, undefined] : [key.slice(0, dot), key.slice(dot + 1)];
}
