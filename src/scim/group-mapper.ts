import type { Group, GroupMember } from '../domain/group.js';
import { isRecord, lowerKeys, readText } from './coerce.js';
import { invalidValue } from './errors.js';
import { etag } from './etag.js';
import { GROUP, type ScimDoc } from './schemas.js';

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
    ...(members
      ? {
          members: members.map((m) => ({
            value: m.id,
            $ref: `${baseUrl}/Users/${m.id}`,
            display: m.display,
            type: 'User',
          })),
        }
      : {}),
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
  if (!isRecord(input)) throw invalidValue('The body must be a SCIM Group object.');
  const doc = lowerKeys(input) as ScimDoc;
  const displayName = readText(doc.displayname, 'displayName');
  if (!displayName?.trim()) throw invalidValue('"displayName" is required.');
  let memberIds: string[] | undefined;
  if (doc.members !== undefined && doc.members !== null) {
    if (!Array.isArray(doc.members)) throw invalidValue('"members" must be an array.');
    memberIds = doc.members.map((m) => {
      const value = isRecord(m) ? readText(m.value, 'members.value') : null;
      if (!value) throw invalidValue('Each member needs a "value": the id of a user.');
      return value;
    });
  }
  return {
    displayName,
    externalId: readText(doc.externalid, 'externalId'),
    memberIds: memberIds && [...new Set(memberIds)],
  };
}
