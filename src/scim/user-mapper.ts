import {
  isRole,
  ROLES,
  type ContactValue,
  type DirectoryEntry,
  type PostalAddress,
  type Profile,
  type Role,
  type UserContacts,
} from '../domain/user.js';
import { CUSTOM_FIELDS_SCIM_SCHEMA } from '../domain/custom-field.js';
import { isRecord, lowerKeys, readBoolean, readText } from './coerce.js';
import { invalidValue } from './errors.js';
import { etag } from './etag.js';
import { ENTERPRISE_USER, USER, type ScimDoc } from './schemas.js';

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
  /**
   * Custom field values of the Gatehouse extension, by key as given (undefined:
   * the document has no extension object, the values stay). Checked against the
   * field definitions by the service.
   */
  custom: Record<string, unknown> | undefined;
}

/** Leaves out what is not there: null, undefined, empty lists. */
const present = (doc: ScimDoc): ScimDoc =>
  Object.fromEntries(
    Object.entries(doc).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && !v.length)),
  );
const presentOrUndefined = (doc: ScimDoc) => (Object.keys(present(doc)).length ? present(doc) : undefined);

/** The SCIM User of a directory entry; `customKeys`: the custom fields shown in the Gatehouse extension. */
export function toScimUser(r: DirectoryEntry, baseUrl: string, customKeys: readonly string[] = []): ScimDoc {
  const { user } = r;
  const custom = presentOrUndefined(
    Object.fromEntries(customKeys.map((k) => [k, user.customAttributes[k] as ScimDoc[string]])),
  );
  const contact = (v: ContactValue) =>
    present({ value: v.value, type: v.type, display: v.display, primary: v.primary || undefined });
  const address = (a: PostalAddress) =>
    present({
      formatted: a.formatted,
      streetAddress: a.streetAddress,
      locality: a.locality,
      region: a.region,
      postalCode: a.postalCode,
      country: a.country,
      type: a.type,
      primary: a.primary || undefined,
    });
  return present({
    schemas: custom ? [USER, ENTERPRISE_USER, CUSTOM_FIELDS_SCIM_SCHEMA] : [USER, ENTERPRISE_USER],
    id: user.id,
    externalId: user.externalId,
    userName: user.userCode,
    name: presentOrUndefined({
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
    groups: r.groups.map((g) => ({
      value: g.id,
      $ref: `${baseUrl}/Groups/${g.id}`,
      display: g.displayName,
      type: 'direct',
    })),
    roles: [...r.roles]
      .sort((a, b) => ROLES.indexOf(a) - ROLES.indexOf(b))
      .map((role) => present({ value: role, display: role, primary: role === user.mainRole || undefined })),
    [ENTERPRISE_USER]: presentOrUndefined({
      employeeNumber: user.employeeNumber,
      costCenter: user.costCenter,
      organization: r.organization,
      division: user.division,
      department: user.department,
      manager: r.manager
        ? { value: r.manager.id, $ref: `${baseUrl}/Users/${r.manager.id}`, displayName: r.manager.displayName }
        : undefined,
    }),
    [CUSTOM_FIELDS_SCIM_SCHEMA]: custom,
    meta: {
      resourceType: 'User',
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${user.id}`,
      version: etag(user.version),
    },
  });
}

function list(value: unknown, name: string): ScimDoc[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (!isRecord(item)) throw invalidValue(`Each value of "${name}" must be an object.`);
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
      const value = readText(v.value, `${name}.value`);
      if (!value) throw invalidValue(`Each of "${name}" needs a "value".`);
      return {
        value,
        type: readText(v.type, `${name}.type`),
        display: readText(v.display, `${name}.display`),
        primary: readBoolean(v.primary, `${name}.primary`) ?? false,
      };
    }),
    name,
  );
}

function addresses(value: unknown): PostalAddress[] {
  return onePrimary(
    list(value, 'addresses').map((a) => ({
      type: readText(a.type, 'addresses.type'),
      primary: readBoolean(a.primary, 'addresses.primary') ?? false,
      formatted: readText(a.formatted, 'addresses.formatted'),
      streetAddress: readText(a.streetaddress, 'addresses.streetAddress'),
      locality: readText(a.locality, 'addresses.locality'),
      region: readText(a.region, 'addresses.region'),
      postalCode: readText(a.postalcode, 'addresses.postalCode'),
      country: readText(a.country, 'addresses.country'),
    })),
    'addresses',
  );
}

function roles(value: unknown): UserWrite['roles'] {
  if (value === undefined || value === null) return undefined;
  const items = (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? { value: v } : v));
  const parsed = list(items, 'roles').map((r) => {
    const name = readText(r.value, 'roles.value')?.toLowerCase();
    if (!isRole(name)) throw invalidValue(`Unknown role "${String(r.value)}": roles are ${ROLES.join(', ')}.`);
    return { name, primary: readBoolean(r.primary, 'roles.primary') ?? false };
  });
  onePrimary(parsed, 'roles');
  return { names: [...new Set(parsed.map((r) => r.name))], primary: parsed.find((r) => r.primary)?.name ?? null };
}

function managerId(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw invalidValue('"manager" must be an object with a "value".');
  return readText(value.value, 'manager.value');
}

/** Reads a SCIM User document (names case-insensitive); throws `invalidValue` on a bad one. */
export function fromScimUser(input: unknown): UserWrite {
  if (!isRecord(input)) throw invalidValue('The body must be a SCIM User object.');
  const doc = lowerKeys(input) as ScimDoc;
  const enterpriseKey = ENTERPRISE_USER.toLowerCase();
  // Extension attributes may also come flattened as "urn:…:User:attribute".
  // Built with defineProperty semantics (fromEntries): a "__proto__" key stays an unknown key.
  const flattened = Object.entries(doc)
    .filter(([k]) => k.startsWith(`${enterpriseKey}:`))
    .map(([k, v]) => [k.slice(enterpriseKey.length + 1), v]);
  const ext: ScimDoc = {
    ...(isRecord(doc[enterpriseKey]) ? (doc[enterpriseKey] as ScimDoc) : {}),
    ...Object.fromEntries(flattened),
  };
  const name = isRecord(doc.name) ? doc.name : {};

  const userName = readText(doc.username, 'userName');
  if (!userName) throw invalidValue('"userName" is required.');
  const emails = contacts(doc.emails, 'emails');

  const profile: Profile = {
    title: readText(name.honorificprefix, 'name.honorificPrefix'),
    givenName: readText(name.givenname, 'name.givenName'),
    middleName: readText(name.middlename, 'name.middleName'),
    familyName: readText(name.familyname, 'name.familyName'),
    nameFormatted: readText(name.formatted, 'name.formatted'),
    honorificSuffix: readText(name.honorificsuffix, 'name.honorificSuffix'),
    displayName: readText(doc.displayname, 'displayName'),
    nickName: readText(doc.nickname, 'nickName'),
    jobTitle: readText(doc.title, 'title'),
    userType: readText(doc.usertype, 'userType'),
    preferredLanguage: readText(doc.preferredlanguage, 'preferredLanguage'),
    locale: readText(doc.locale, 'locale'),
    timezone: readText(doc.timezone, 'timezone'),
    profileUrl: readText(doc.profileurl, 'profileUrl'),
    employeeNumber: readText(ext.employeenumber, 'employeeNumber'),
    costCenter: readText(ext.costcenter, 'costCenter'),
    division: readText(ext.division, 'division'),
    department: readText(ext.department, 'department'),
  };
  const password = readText(doc.password, 'password') ?? undefined;
  return {
    custom: customValues(input),
    userName,
    externalId: readText(doc.externalid, 'externalId'),
    active: readBoolean(doc.active, 'active'),
    profile,
    contacts: { emails, phoneNumbers: contacts(doc.phonenumbers, 'phoneNumbers'), addresses: addresses(doc.addresses) },
    email: (emails.find((e) => e.primary) ?? emails[0])?.value ?? null,
    roles: roles(doc.roles),
    organization: Object.hasOwn(ext, 'organization') ? readText(ext.organization, 'organization') : undefined,
    managerId: managerId(ext.manager),
    password,
  };
}

/**
 * The Gatehouse extension's values (`{"urn:…:custom:2.0:User": {"key": value}}`,
 * or flattened `"urn:…:custom:2.0:User:key": value`), keys as given; undefined
 * when the document has neither.
 */
function customValues(input: ScimDoc): Record<string, unknown> | undefined {
  const urn = CUSTOM_FIELDS_SCIM_SCHEMA.toLowerCase();
  let found: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(input)) {
    const lower = key.toLowerCase();
    if (lower === urn) {
      if (value === null) found = { ...found };
      else if (!isRecord(value))
        throw invalidValue(`"${CUSTOM_FIELDS_SCIM_SCHEMA}" must be an object of custom fields.`);
      else found = { ...found, ...value };
    } else if (lower.startsWith(`${urn}:`)) found = { ...found, [key.slice(urn.length + 1)]: value };
  }
  return found;
}

/** Field → [old, new] for what a write changes (never the password). */
export function userChanges(before: ScimDoc, after: ScimDoc): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'meta' || key === 'groups' || key === 'schemas') continue;
    const [a, b] = [before[key], after[key]];
    if (JSON.stringify(a) !== JSON.stringify(b))
      changes[key === ENTERPRISE_USER ? 'enterprise' : key === CUSTOM_FIELDS_SCIM_SCHEMA ? 'customAttributes' : key] = [
        a ?? null,
        b ?? null,
      ];
  }
  return changes;
}
