import { z } from 'zod';
import { ACCOUNT_KINDS } from '../../../domain/account.js';
import { PROFILE_FIELDS, ROLES, STATUSES, type User } from '../../../domain/user.js';
import {
  EMPLOYMENT_FILTERS,
  INVITATION_FILTER_STATES,
  USER_SORTS,
  type UserFilter,
  type UserRelated,
} from '../../../repositories/user-search.js';

/** Shapes the admin API reads and writes, shared by its route modules. */

const text = (max = 200) => z.string().trim().max(max);
const nullableText = (max = 200) => text(max).nullable();
export const status = z.enum(STATUSES);
/** A status set directly: `deleted` only by DELETE (an admin's power, not hr's). */
export const settableStatus = status.exclude(['deleted']);
export const role = z.enum(ROLES);
export const timestamp = z.iso.datetime({ offset: true });
/** A date or date-time in a query string. */
export const queryTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => new Date(v));
/** `true` or `false` (a JSON boolean too, for filters sent in a body). */
export const queryBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
/** `a,b` or a repeated parameter. */
export const queryList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      v === undefined
        ? undefined
        : (Array.isArray(v) ? v : [v])
            .flatMap((s) => String(s).split(','))
            .map((s) => s.trim())
            .filter(Boolean),
    z.array(item).max(20).optional(),
  );

export const TAGS = z.array(text(100).min(1)).max(100);
export const CUSTOM_ATTRIBUTES = z
  .record(z.string().max(100), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 16_384, 'customAttributes is larger than 16 KiB');

const profileFields = Object.fromEntries(
  PROFILE_FIELDS.map((f) => [f, nullableText(f === 'profileUrl' ? 2000 : 200).optional()]),
) as Record<(typeof PROFILE_FIELDS)[number], z.ZodOptional<z.ZodNullable<z.ZodString>>>;

/** What an administrator may write on a user's own record. */
export const USER_FIELDS = {
  ...profileFields,
  userCode: text(100).min(1).optional(),
  email: z.email().max(320).nullable().optional(),
  emailVerified: z
    .boolean()
    .optional()
    .describe(
      'The administrator vouches that the email reaches the user (a changed email is unverified unless this says so)',
    ),
  externalId: nullableText().optional(),
  directManagerId: z.uuid().nullable().optional(),
  tags: TAGS.optional(),
  customAttributes: CUSTOM_ATTRIBUTES.optional(),
  expiresAt: timestamp
    .transform((v) => new Date(v))
    .nullable()
    .optional()
    .describe(
      'When the account ends: from then on the user is inactive (null: never). Needs the users.status permission',
    ),
};

export const USER_SCHEMA = z.object({
  id: z.uuid(),
  userCode: z.string(),
  email: z.string().nullable(),
  emailVerified: z
    .boolean()
    .describe('A link sent to the email was used, or an HR system or administrator vouched for it'),
  ...Object.fromEntries(PROFILE_FIELDS.map((f) => [f, z.string().nullable()])),
  externalId: z.string().nullable(),
  status,
  mainAccountId: z.uuid().nullable(),
  mainRole: role,
  directManagerId: z.uuid().nullable(),
  tags: z.array(z.string()),
  customAttributes: z.record(z.string(), z.unknown()),
  lastSignInAt: timestamp.nullable(),
  expiresAt: timestamp.nullable().describe('When a temporary account ends (it becomes inactive); null: never'),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.number().int(),
});

/** A user as JSON (dates as ISO strings). */
export const userJson = (u: User) => ({
  ...u,
  lastSignInAt: u.lastSignInAt && new Date(u.lastSignInAt).toISOString(),
  expiresAt: u.expiresAt && new Date(u.expiresAt).toISOString(),
  createdAt: new Date(u.createdAt).toISOString(),
  updatedAt: new Date(u.updatedAt).toISOString(),
});

/** What a row of the users list carries besides the user's record, aggregated per page. */
export const USER_ROW_FIELDS = {
  mainAccountName: z.string().nullable(),
  groups: z.array(z.object({ id: z.uuid(), displayName: z.string() })),
  roles: z.array(z.object({ role, accountId: z.uuid().nullable(), accountGroupId: z.uuid().nullable() })),
  licences: z.array(z.string()).describe('The keys of the licences held'),
};

/** A list row's related records as JSON. */
export const relatedJson = (related: UserRelated | undefined) => ({
  mainAccountName: related?.mainAccountName ?? null,
  groups: related?.groups ?? [],
  roles: related?.roles ?? [],
  licences: related?.licences ?? [],
});

export const ROLE_ASSIGNMENT = z.object({ role, accountId: z.uuid().nullable(), accountGroupId: z.uuid().nullable() });
export const EMPLOYMENT = z.object({
  accountId: z.uuid(),
  accountName: z.string(),
  startDate: z.iso.date().nullable(),
  endDate: z.iso.date().nullable(),
  isMain: z.boolean(),
});
export const GROUP_REF = z.object({ id: z.uuid(), displayName: z.string() });
export const ACCOUNT_KIND = z.enum(ACCOUNT_KINDS);

/** The users list's filters (shared with the export). */
export const USER_FILTER = {
  q: text(200).optional().describe('Part of a name, email or userCode'),
  status: queryList(status).describe('Statuses, comma-separated'),
  role: queryList(role).describe('Main roles, comma-separated'),
  accountId: z.uuid().optional().describe('Employed by this account'),
  accountGroupId: z.uuid().optional().describe('Employed by an account of this account group'),
  groupId: z.uuid().optional().describe('Member of this group'),
  licence: queryList(text(64).min(1)).describe('Holds a licence of one of these types: keys, comma-separated'),
  createdFrom: queryTime.optional(),
  createdTo: queryTime.optional(),
  lastSignInFrom: queryTime.optional(),
  lastSignInTo: queryTime.optional(),
  tag: queryList(text(100).min(1)).describe('Holds any of these tags, comma-separated'),
  invitation: queryList(z.enum(INVITATION_FILTER_STATES)).describe(
    'Invitation states, comma-separated: not_invited, scheduled, sent (mailed, not acted on), accepted (link used or signed in since)',
  ),
  neverSignedIn: queryBoolean.optional().describe('true: never signed in; false: signed in at least once'),
  employment: z
    .enum(EMPLOYMENT_FILTERS)
    .optional()
    .describe('Which employments accountId and accountGroupId match: current (not ended, the default), ended or any'),
  sort: z
    .enum(Object.keys(USER_SORTS).flatMap((k) => [k, `-${k}`]) as [string, ...string[]])
    .default('createdAt')
    .describe('A sort key; a leading "-" sorts descending'),
  cf: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}(\.(from|to))?$/), z.array(z.string().max(200)).max(20))
    .optional()
    .describe(
      'Custom field filters, given as query parameters cf.<key>=<value> (repeatable: any of the values), and for number and date fields cf.<key>.from / cf.<key>.to (from inclusive, to exclusive)',
    ),
};

/**
 * The users list's query with its `cf.<key>…` parameters gathered under `cf`
 * (`{ "<key>": ["a", "b"], "<key>.from": ["1"] }`), so a strict query schema
 * still accepts them and every other unknown parameter stays an error.
 */
export const withCustomFilters = <T extends z.ZodType>(schema: T) =>
  z.preprocess((input) => {
    if (!input || typeof input !== 'object') return input;
    const rest: Record<string, unknown> = {};
    const cf: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(input)) {
      if (key.startsWith('cf.')) cf[key.slice(3)] = (Array.isArray(value) ? value : [value]).map(String);
      else rest[key] = value;
    }
    return Object.keys(cf).length ? { ...rest, cf } : rest;
  }, schema);

export const toUserFilter = (
  q: { [K in Exclude<keyof UserFilter, 'tags'>]?: UserFilter[K] } & { tag?: string[] },
): UserFilter => ({
  q: q.q,
  status: q.status,
  role: q.role,
  accountId: q.accountId,
  accountGroupId: q.accountGroupId,
  groupId: q.groupId,
  licence: q.licence,
  createdFrom: q.createdFrom,
  createdTo: q.createdTo,
  lastSignInFrom: q.lastSignInFrom,
  lastSignInTo: q.lastSignInTo,
  tags: q.tag,
  invitation: q.invitation,
  neverSignedIn: q.neverSignedIn,
  employment: q.employment,
  cf: q.cf,
});
