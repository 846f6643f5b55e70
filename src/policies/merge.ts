import { PROFILE_FIELDS, type User } from '../domain/user.js';

/** A field two duplicates hold with different values: an administrator decides, the merge does not guess. */
export interface MergeConflict {
  field: string;
  keep: unknown;
  merge: unknown;
}

/**
 * Identifiers of another system: two different values mean two different people
 * there (or a broken link), so merging would lose one. Other differences are not
 * conflicts: the kept user's values win, and the merged user's other emails stay
 * as secondary emails.
 */
export const MERGE_CONFLICT_FIELDS = ['externalId', 'employeeNumber'] as const satisfies readonly (keyof User)[];

const differs = (a: unknown, b: unknown) =>
  a !== null && a !== undefined && a !== '' && b !== null && b !== undefined && b !== '' && a !== b;

export function mergeConflicts(keep: User, merge: User): MergeConflict[] {
  return MERGE_CONFLICT_FIELDS.filter((f) => differs(keep[f], merge[f])).map((field) => ({
    field,
    keep: keep[field],
    merge: merge[field],
  }));
}

/** Fields the kept user takes from the merged one: only those it lacks (and a manager that is not itself). */
export type MergedFields = Partial<
  Pick<User, 'email' | 'externalId' | 'directManagerId' | 'tags' | 'customAttributes' | (typeof PROFILE_FIELDS)[number]>
>;

/**
 * What the kept user becomes: blanks filled from the merged user (email, externalId,
 * profile fields, manager), tags united, custom attributes the kept user lacks
 * added. Nothing the kept user has is overwritten.
 */
export function mergedFields(keep: User, merge: User): MergedFields {
  const out: MergedFields = {};
  const blank = (v: unknown) => v === null || v === undefined || v === '';
  if (blank(keep.email) && !blank(merge.email)) out.email = merge.email;
  if (blank(keep.externalId) && !blank(merge.externalId)) out.externalId = merge.externalId;
  for (const f of PROFILE_FIELDS) if (blank(keep[f]) && !blank(merge[f])) out[f] = merge[f];
  // A manager that was the merged user becomes none; the merged user's manager fills a blank (unless it is the kept user).
  const manager = keep.directManagerId === merge.id ? null : keep.directManagerId;
  const fill = manager ?? (merge.directManagerId !== keep.id ? merge.directManagerId : null);
  if (fill !== keep.directManagerId) out.directManagerId = fill;
  const tags = [...new Set([...keep.tags, ...merge.tags])];
  if (tags.length !== keep.tags.length) out.tags = tags;
  const extra = Object.keys(merge.customAttributes).filter((k) => !(k in keep.customAttributes));
  if (extra.length)
    out.customAttributes = {
      ...Object.fromEntries(extra.map((k) => [k, merge.customAttributes[k]])),
      ...keep.customAttributes,
    };
  return out;
}
