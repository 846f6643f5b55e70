import type { Group, GroupMember } from '../domain/group.js';
import { invalidValue } from './errors.js';
import { etag } from './etag.js';
import { MAX_VALUE_LENGTH, type ScimDoc } from './user-mapper.js';
import { GROUP } from './schemas.js';

export interface GroupWrite {
  displayName: string;
  externalId: string | null;
  /** Member user ids; undefined when the document does not list members. */
  memberIds: string[] | undefined;
}

/** A SCIM Group; `members` is left out when it was not loaded (excluded by the caller). */
export function toScimGroup(group: Group, members: GroupMember[] | undefined, baseUrl: string): ScimDoc {
  return {
    schemas: [GROUP],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    ...(members ? { members: members.map((m) => ({ value: m.id, $ref: `${baseUrl}/Users/${m.id}`, display: m.display, type: 'User' })) } : {}),
    meta: {
      resourceType: 'Group',
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${baseUrl}/Groups/${group.id}`,
      version: etag(group.version),
    },
  };
}

/** Reads a SCIM Group document (names case-insensitive); throws `invalidValue` on a bad one. */
export function fromScimGroup(input: unknown): GroupWrite {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidValue('The body must be a SCIM Group object.');
  const doc = Object.fromEntries(Object.entries(input).map(([k, v]) => [k.toLowerCase(), v]));
  const displayName = doc.displayname;
  if (typeof displayName !== 'string' || !displayName.trim()) throw invalidValue('"displayName" is required.');
  const externalId = doc.externalid ?? null;
  if (externalId !== null && typeof externalId !== 'string') throw invalidValue('"externalId" must be a string.');
  for (const [name, value] of [['displayName', displayName], ['externalId', externalId ?? '']] as const) {
    if (value.length > MAX_VALUE_LENGTH) throw invalidValue(`"${name}" is longer than ${MAX_VALUE_LENGTH} characters.`);
  }
  let memberIds: string[] | undefined;
  if (doc.members !== undefined && doc.members !== null) {
    if (!Array.isArray(doc.members)) throw invalidValue('"members" must be an array.');
    memberIds = doc.members.map((m) => {
      const value = typeof m === 'object' && m !== null ? Object.entries(m).find(([k]) => k.toLowerCase() === 'value')?.[1] : undefined;
      if (typeof value !== 'string' || !value) throw invalidValue('Each member needs a "value": the id of a user.');
      return value;
    });
  }
  return { displayName, externalId: externalId || null, memberIds: memberIds && [...new Set(memberIds)] };
}
