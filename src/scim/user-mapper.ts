import { isRole, ROLES, type ContactValue, type DirectoryEntry, type PostalAddress, type Profile, type Role, type User, type UserContacts } from '../domain/user.js';
import { invalidValue } from './errors.js';
import { etag } from './etag.js';
import { ENTERPRISE_USER, USER } from './schemas.js';

/**
 * A SCIM User as written (POST, PUT, or a PATCH result). `undefined` means the
 * request did not say: roles, organization and status then stay as they are.
 */
export interface UserWrite {
  userName: string;
  externalId: string | null;
  active: boolean | undefined;
  profile: Profile;
  contacts: UserContacts;
  /** The primary email (else the first), the domain's `email`. */
  email: string | null;
  roles: { names: Role[]; primary: Role | null } | undefined;
  organization: string | null | undefined;
  managerId: string | null;
  password: string | undefined;
}

export type ScimDoc = Record<string, unknown>;

const compact = (doc: ScimDoc): ScimDoc => Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && !v.length)));
const compactOrUndefined = (doc: ScimDoc) => (Object.keys(compact(doc)).length ? compact(doc) : undefined);

/** The SCIM User of a directory entry. */
export function toScimUser(r: DirectoryEntry, baseUrl: string): ScimDoc {
  const { user } = r;
  const contact = (v: ContactValue) => compact({ value: v.value, type: v.type, display: v.display, primary: v.primary || undefined });
  const address = (a: PostalAddress) =>
    compact({ formatted: a.formatted, streetAddress: a.streetAddress, locality: a.locality, region: a.region, postalCode: a.postalCode, country: a.country, type: a.type, primary: a.primary || undefined });
  return compact({
    schemas: [USER, ENTERPRISE_USER],
    id: user.id,
    externalId: user.externalId,
    userName: user.userCode,
    name: compactOrUndefined({
      formatted: user.nameFormatted,
      familyName: user.familyName,
      givenName: user.givenName,
      middleName: user.middleName,
      honorificPrefix: user.title,
      honorificSuffix: user.honorificSuffix,
    }),
    displayName: user.displayName,
    nickName: user.nickName,
    profileUrl: user.profileUrl,
    title: user.jobTitle,
    userType: user.userType,
    preferredLanguage: user.preferredLanguage,
    locale: user.locale,
    timezone: user.timezone,
    active: user.status !== 'inactive',
    emails: r.contacts.emails.map(contact),
    phoneNumbers: r.contacts.phoneNumbers.map(contact),
    addresses: r.contacts.addresses.map(address),
    groups: r.groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.displayName, type: 'direct' })),
    roles: [...r.roles].sort((a, b) => ROLES.indexOf(a) - ROLES.indexOf(b)).map((role) => compact({ value: role, display: role, primary: role === user.mainRole || undefined })),
    [ENTERPRISE_USER]: compactOrUndefined({
      employeeNumber: user.employeeNumber,
      costCenter: user.costCenter,
      organization: r.organization,
      division: user.division,
      department: user.department,
      manager: r.manager ? { value: r.manager.id, $ref: `${baseUrl}/Users/${r.manager.id}`, displayName: r.manager.displayName } : undefined,
    }),
    meta: {
      resourceType: 'User',
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${user.id}`,
      version: etag(user.version),
    },
  });
}

/** Attribute names are case-insensitive (RFC 7643 §2.1): read through lower-cased keys. */
function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}

const isObject = (v: unknown): v is ScimDoc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The longest attribute value stored: well inside PostgreSQL's index entry limit. */
export const MAX_VALUE_LENGTH = 512;

function text(value: unknown, name: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw invalidValue(`"${name}" must be a string.`);
  if (value.length > MAX_VALUE_LENGTH) throw invalidValue(`"${name}" is longer than ${MAX_VALUE_LENGTH} characters.`);
  return value;
}

function bool(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`"${name}" must be a boolean.`);
}

function list(value: unknown, name: string): ScimDoc[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (!isObject(item)) throw invalidValue(`Each value of "${name}" must be an object.`);
    return item;
  });
}

function onePrimary<T extends { primary: boolean }>(items: T[], name: string): T[] {
  if (items.filter((i) => i.primary).length > 1) throw invalidValue(`At most one of "${name}" may be primary.`);
  return items;
}

function contacts(value: unknown, name: string): ContactValue[] {
  return onePrimary(
    list(value, name).map((v) => {
      const text_ = text(v.value, `${name}.value`);
      if (!text_) throw invalidValue(`Each of "${name}" needs a "value".`);
      return { value: text_, type: text(v.type, `${name}.type`), display: text(v.display, `${name}.display`), primary: bool(v.primary, `${name}.primary`) ?? false };
    }),
    name,
  );
}

function addresses(value: unknown): PostalAddress[] {
  return onePrimary(
    list(value, 'addresses').map((a) => ({
      type: text(a.type, 'addresses.type'),
      primary: bool(a.primary, 'addresses.primary') ?? false,
      formatted: text(a.formatted, 'addresses.formatted'),
      streetAddress: text(a.streetaddress, 'addresses.streetAddress'),
      locality: text(a.locality, 'addresses.locality'),
      region: text(a.region, 'addresses.region'),
      postalCode: text(a.postalcode, 'addresses.postalCode'),
      country: text(a.country, 'addresses.country'),
    })),
    'addresses',
  );
}

function roles(value: unknown): UserWrite['roles'] {
  if (value === undefined || value === null) return undefined;
  const items = (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? { value: v } : v));
  const parsed = list(items, 'roles').map((r) => {
    const name = text(r.value, 'roles.value')?.toLowerCase();
    if (!isRole(name)) throw invalidValue(`Unknown role "${String(r.value)}": roles are ${ROLES.join(', ')}.`);
    return { name, primary: bool(r.primary, 'roles.primary') ?? false };
  });
  onePrimary(parsed, 'roles');
  return { names: [...new Set(parsed.map((r) => r.name))], primary: parsed.find((r) => r.primary)?.name ?? null };
}

function managerId(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw invalidValue('"manager" must be an object with a "value".');
  return text(value.value, 'manager.value');
}

/** Reads a SCIM User document (names case-insensitive); throws `invalidValue` on a bad one. */
export function fromScimUser(input: unknown): UserWrite {
  if (!isObject(input)) throw invalidValue('The body must be a SCIM User object.');
  const doc = lowerKeys(input) as ScimDoc;
  const enterpriseKey = ENTERPRISE_USER.toLowerCase();
  // Extension attributes may also come flattened as "urn:…:User:attribute".
  const ext: ScimDoc = isObject(doc[enterpriseKey]) ? { ...(doc[enterpriseKey] as ScimDoc) } : {};
  for (const [k, v] of Object.entries(doc)) if (k.startsWith(`${enterpriseKey}:`)) ext[k.slice(enterpriseKey.length + 1)] = v;
  const name = isObject(doc.name) ? doc.name : {};

  const userName = text(doc.username, 'userName');
  if (!userName) throw invalidValue('"userName" is required.');
  const emails = contacts(doc.emails, 'emails');

  const profile: Profile = {
    title: text(name.honorificprefix, 'name.honorificPrefix'),
    givenName: text(name.givenname, 'name.givenName'),
    middleName: text(name.middlename, 'name.middleName'),
    familyName: text(name.familyname, 'name.familyName'),
    nameFormatted: text(name.formatted, 'name.formatted'),
    honorificSuffix: text(name.honorificsuffix, 'name.honorificSuffix'),
    displayName: text(doc.displayname, 'displayName'),
    nickName: text(doc.nickname, 'nickName'),
    jobTitle: text(doc.title, 'title'),
    userType: text(doc.usertype, 'userType'),
    preferredLanguage: text(doc.preferredlanguage, 'preferredLanguage'),
    locale: text(doc.locale, 'locale'),
    timezone: text(doc.timezone, 'timezone'),
    profileUrl: text(doc.profileurl, 'profileUrl'),
    employeeNumber: text(ext.employeenumber, 'employeeNumber'),
    costCenter: text(ext.costcenter, 'costCenter'),
    division: text(ext.division, 'division'),
    department: text(ext.department, 'department'),
  };
  const password = text(doc.password, 'password') ?? undefined;
  return {
    userName,
    externalId: text(doc.externalid, 'externalId'),
    active: bool(doc.active, 'active'),
    profile,
    contacts: { emails, phoneNumbers: contacts(doc.phonenumbers, 'phoneNumbers'), addresses: addresses(doc.addresses) },
    email: (emails.find((e) => e.primary) ?? emails[0])?.value ?? null,
    roles: roles(doc.roles),
    organization: 'organization' in ext ? text(ext.organization, 'organization') : undefined,
    managerId: managerId(ext.manager),
    password,
  };
}

/** Field → [old, new] for what a write changes (never the password). */
export function userChanges(before: ScimDoc, after: ScimDoc): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'meta' || key === 'groups' || key === 'schemas') continue;
    const [a, b] = [before[key], after[key]];
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[key === ENTERPRISE_USER ? 'enterprise' : key] = [a ?? null, b ?? null];
  }
  return changes;
}

