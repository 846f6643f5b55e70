import type { ImportKey, ImportMode } from '../domain/import-job.js';
import {
  highestRole,
  PROFILE_FIELDS,
  ROLES,
  type Profile,
  type ProfileField,
  type Role,
  type Status,
  type User,
} from '../domain/user.js';
import { LICENCE_KEY, LICENCE_KEY_MAX } from '../domain/licence.js';
import { fail } from '../errors/codes.js';
import type { CustomField } from '../domain/custom-field.js';
import { ianaTimeZone, supportedLanguage } from '../domain/languages.js';
import type { ContactValue } from '../domain/user.js';
import { type AddressColumn, CONTACT_COLUMNS, type ContactColumn, parsePhones } from './contact-cells.js';
import { mayChange, mayGrant } from './permissions.js';
import { maySignIn } from './status.js';
import { parseCustomValue } from './user-record.js';

/**
 * One row of a users CSV import, checked on its own (no database): the header
 * mapped to fields, then each row's cells parsed into the values to write, or
 * the problems that make it a bad row. What needs the database (does the key
 * exist, is the email taken) is the import service's.
 */

const NAMED_FIRST = ['title', 'givenName', 'middleName', 'familyName', 'preferredLanguage', 'timezone'] as const;
export const IMPORT_COLUMNS = [
  'userCode',
  'email',
  'emailVerified',
  'title',
  'givenName',
  'middleName',
  'familyName',
  'externalId',
  'status',
  'mainRole',
  'mainAccount',
  'preferredLanguage',
  'timezone',
  'tags',
  'expiresAt',
  'licences',
  ...PROFILE_FIELDS.filter((f) => !(NAMED_FIRST as readonly string[]).includes(f)),
  ...CONTACT_COLUMNS,
] as const satisfies readonly string[];
/** A column of the list above, or `cf.<key>`: a custom field (see contact-cells.ts for the phone and address cells). */
export type ImportColumn =
  | ContactColumn
  | `cf.${string}`
  | 'userCode'
  | 'email'
  | 'emailVerified'
  | 'externalId'
  | 'status'
  | 'mainRole'
  | 'mainAccount'
  | 'tags'
  | 'expiresAt'
  | 'licences'
  | ProfileField;

/** Statuses a file may set; a number is 0 (inactive) or 1 (active). `locked` and `deleted` are not imported. */
export const IMPORT_STATUSES = [
  'active',
  'new',
  'import',
  'temporary',
  'pending',
  'inactive',
] as const satisfies readonly Status[];
const STATUS_NUMBERS: Record<string, Status> = { '0': 'inactive', '1': 'active' };

/** The values a row gives: only its non-empty cells (an empty cell leaves a field unchanged). */
export interface ImportValues extends Partial<Profile> {
  userCode?: string;
  email?: string;
  /** Whether the email reaches the user; unsaid, a changed email is not verified. */
  emailVerified?: boolean;
  externalId?: string;
  status?: Status;
  mainRole?: Role;
  /** An account id or name. */
  mainAccount?: string;
  tags?: string[];
  /** When the account ends. */
  expiresAt?: Date;
  /** Licence keys: the user's licences become exactly these. */
  licences?: string[];
  /** Replace the user's phones. */
  phoneNumbers?: ContactValue[];
  /** Parts written into the user's main address. */
  address?: Partial<Record<AddressColumn, string>>;
  /** Custom field values by key, typed by their field. */
  custom?: Record<string, string | number | boolean>;
}

export interface ImportRow {
  /** The key cell, lower-cased; undefined only for a blank userCode to generate (key userCode, mode add). */
  key: string | undefined;
  values: ImportValues;
}

export interface RowProblem {
  column: ImportColumn | null;
  /** `import.reason` */
  code: string;
  message: string;
}

export type RowCheck = { ok: true; row: ImportRow } | { ok: false; problems: RowProblem[] };

export interface RowRules {
  key: ImportKey;
  mode: ImportMode;
  /** The importer's role: no row may give a role above it. */
  grantor: Role;
  /** The importer's own user ids (and, impersonating, the admin's): no row deactivates or sets an expiry on them. */
  self?: readonly string[];
  /** The custom fields the `cf.<key>` columns name. */
  customFields?: readonly Pick<CustomField, 'key' | 'label' | 'type' | 'options'>[];
}

/** The rule of `z.email()`, which the admin API applies to emails. */
const EMAIL = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** Longest cell per column (as the admin API allows); 200 when not listed. */
const MAX_LENGTH: Partial<Record<ImportColumn, number>> = {
  email: 320,
  userCode: 100,
  profileUrl: 2000,
  tags: 100 * 101,
  licences: 100 * (LICENCE_KEY_MAX + 1),
  phoneNumbers: 20 * 101,
};
const MAX_TAGS = 100;
const MAX_TAG_LENGTH = 100;

/** `Given Name`, `given_name` and `GIVENNAME` all name `givenName`. */
const normalise = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const BY_NAME = new Map<string, ImportColumn>(IMPORT_COLUMNS.map((c) => [normalise(c), c as ImportColumn]));

/**
 * The header row as columns, in order. Names are case-insensitive (spaces,
 * `_` and `-` ignored); an unknown, repeated or blank name, or a missing key
 * column, is `import.invalid_header`.
 */
export function importHeader(
  cells: readonly string[],
  key: ImportKey,
  customKeys: readonly string[] = [],
): ImportColumn[] {
  const columns: ImportColumn[] = [];
  const custom = new Map(customKeys.map((k) => [normalise(`cf.${k}`), `cf.${k}` as const]));
  for (const [i, cell] of cells.entries()) {
    const name = normalise(cell);
    if (name === 'password') throw fail('import.invalid_header', { problem: 'password_column' });
    const column = BY_NAME.get(name) ?? custom.get(name);
    if (!column)
      throw fail(
        'import.invalid_header',
        name
          ? { problem: 'unknown_column', name: cell.trim(), columns: [...IMPORT_COLUMNS, ...custom.values()] }
          : { problem: 'unnamed_column', position: i + 1 },
      );
    if (columns.includes(column)) throw fail('import.invalid_header', { problem: 'repeated_column', column });
    columns.push(column);
  }
  if (!columns.includes(key)) throw fail('import.invalid_header', { problem: 'missing_key', key });
  return columns;
}

/** A status by name (any case) or number: 0 inactive, 1 active. */
export function importStatus(cell: string): Status | undefined {
  const v = cell.trim().toLowerCase();
  return STATUS_NUMBERS[v] ?? ((IMPORT_STATUSES as readonly string[]).find((s) => s === v) as Status | undefined);
}

/** A role by name, in any case; `super admin` and `super-admin` are `super_admin`. */
export function importRole(cell: string): Role | undefined {
  const v = cell
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (ROLES as readonly string[]).find((r) => r === v) as Role | undefined;
}

/** An ISO 8601 date-time with its offset (`2026-12-31T18:00:00Z`), or a date: the start of that day in UTC. */
const DATE_TIME = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/;
export function importTime(cell: string): Date | undefined {
  const v = cell.trim();
  const time = DATE_TIME.test(v) ? new Date(v.length === 10 ? `${v}T00:00:00Z` : v) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : undefined;
}

/** The export guards cells that a spreadsheet would run as formulas with a leading `'`; the import takes it off. */
const unguard = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

/** One data row against the header: the values to write, or every problem found. */
export function checkImportRow(cells: readonly string[], columns: readonly ImportColumn[], rules: RowRules): RowCheck {
  if (cells.length !== columns.length) {
    return {
      ok: false,
      problems: [
        {
          column: null,
          code: 'import.invalid_row',
          message: `The row has ${cells.length} cells; the header has ${columns.length}.`,
        },
      ],
    };
  }
  const problems: RowProblem[] = [];
  const problem = (column: ImportColumn, code: string, message: string) => problems.push({ column, code, message });
  const values: ImportValues = {};
  const given = values as Record<string, unknown>;

  for (const [i, column] of columns.entries()) {
    const cell = unguard((cells[i] ?? '').trim());
    if (!cell) continue;
    if (cell.includes('\u0000')) {
      problem(column, 'import.invalid_value', `${column} holds a NUL character.`);
      continue;
    }
    const max = column.startsWith('cf.') ? 1000 : (MAX_LENGTH[column] ?? 200);
    if (cell.length > max) {
      problem(column, 'import.too_long', `${column} is longer than ${max} characters.`);
      continue;
    }
    if (column.startsWith('cf.')) {
      const field = rules.customFields?.find((f) => `cf.${f.key}` === column);
      const parsed = field && parseCustomValue(field, cell);
      if (!field || !parsed) problem(column, 'import.invalid_custom_field', `${column} is not a custom field.`);
      else if (!parsed.ok)
        problem(column, 'import.invalid_custom_field', `${field.label} (${field.key}) must be ${parsed.expected}.`);
      else values.custom = { ...values.custom, [field.key]: parsed.value };
      continue;
    }
    switch (column) {
      case 'preferredLanguage':
      case 'locale': {
        const tag = supportedLanguage(cell);
        if (tag) values[column] = tag;
        else problem(column, 'import.invalid_language', `"${cell}" is not a supported language.`);
        break;
      }
      case 'timezone': {
        const zone = ianaTimeZone(cell);
        if (zone) values.timezone = zone;
        else problem(column, 'import.invalid_timezone', `"${cell}" is not an IANA time zone (such as Europe/Berlin).`);
        break;
      }
      case 'phoneNumbers': {
        const parsed = parsePhones(cell);
        if (parsed.ok) values.phoneNumbers = parsed.phones;
        else problem(column, 'import.invalid_phone', parsed.message);
        break;
      }
      case 'streetAddress':
      case 'locality':
      case 'region':
      case 'postalCode':
      case 'country':
        values.address = { ...values.address, [column]: cell };
        break;
      case 'email':
        if (EMAIL.test(cell)) values.email = cell;
        else problem(column, 'import.invalid_email', `"${cell}" is not an email address.`);
        break;
      case 'emailVerified': {
        const parsed = parseCustomValue({ type: 'boolean', options: [] }, cell);
        if (parsed.ok) values.emailVerified = parsed.value as boolean;
        else problem(column, 'import.invalid_value', `emailVerified "${cell}" is not true or false.`);
        break;
      }
      case 'status': {
        const status = importStatus(cell);
        if (status) values.status = status;
        else
          problem(
            column,
            'import.invalid_status',
            `"${cell}" is not a status: use 0 (inactive), 1 (active) or one of ${IMPORT_STATUSES.join(', ')}.`,
          );
        break;
      }
      case 'mainRole': {
        const role = importRole(cell);
        if (!role) problem(column, 'import.invalid_role', `"${cell}" is not a role: use one of ${ROLES.join(', ')}.`);
        else if (!mayGrant({ role: rules.grantor }, role))
          problem(column, 'import.forbidden_role', `Your role (${rules.grantor}) may not grant ${role}.`);
        else values.mainRole = role;
        break;
      }
      case 'expiresAt': {
        const time = importTime(cell);
        if (time) values.expiresAt = time;
        else
          problem(
            column,
            'import.invalid_time',
            `"${cell}" is not a time: use 2026-12-31 or 2026-12-31T18:00:00Z (ISO 8601, with its offset).`,
          );
        break;
      }
      case 'tags': {
        const tags = [
          ...new Set(
            cell
              .split(';')
              .map((t) => t.trim())
              .filter(Boolean),
          ),
        ];
        if (tags.length > MAX_TAGS) problem(column, 'import.invalid_tags', `At most ${MAX_TAGS} tags.`);
        else if (tags.some((t) => t.length > MAX_TAG_LENGTH))
          problem(column, 'import.invalid_tags', `A tag is longer than ${MAX_TAG_LENGTH} characters.`);
        else values.tags = tags;
        break;
      }
      case 'licences': {
        const keys = [...new Set(cell.split(';').map((k) => k.trim().toLowerCase()))].filter(Boolean);
        const bad = keys.find((k) => k.length > LICENCE_KEY_MAX || !LICENCE_KEY.test(k));
        if (bad) problem(column, 'import.invalid_licences', `"${bad}" is not a licence key.`);
        else values.licences = keys;
        break;
      }
      default:
        given[column] = cell;
    }
  }

  const keyCell = values[rules.key];
  const generated = rules.key === 'userCode' && rules.mode === 'add';
  if (keyCell === undefined && !generated && !problems.some((p) => p.column === rules.key)) {
    problem(
      rules.key,
      'import.missing_key',
      `The key ${rules.key} is empty${rules.key === 'userCode' ? ' (a userCode is generated only in mode add)' : ''}.`,
    );
  }
  return problems.length ? { ok: false, problems } : { ok: true, row: { key: keyCell?.toLowerCase(), values } };
}

/** What a good row does with the users its key found: a match (`target`, or none: it creates one), or the problem that makes it a bad row. */
export type RowMatch<T> = { ok: true; target?: T } | { ok: false; problem: RowProblem };

/** The users a row's key found, against the mode and the importer's role (who may change only users up to it). */
export function matchImportRow<T extends { user: Pick<User, 'mainRole'> & { id?: string }; roles: readonly Role[] }>(
  row: ImportRow,
  found: readonly T[],
  rules: RowRules,
): RowMatch<T> {
  const given = `${rules.key} "${row.values[rules.key]}"`;
  const bad = (code: string, message: string): RowMatch<T> => ({
    ok: false,
    problem: { column: rules.key, code, message },
  });
  if (found.length > 1) return bad('import.ambiguous_key', `${found.length} users have the ${given}.`);
  if (found.length && rules.mode === 'add')
    return bad('import.exists', `A user with the ${given} exists (mode add only creates).`);
  if (!found.length && rules.mode === 'update')
    return bad('import.not_found', `No user has the ${given} (mode update only changes).`);
  const [target] = found;
  if (!target) return { ok: true };
  const role = highestRole([target.user.mainRole, ...target.roles]);
  const self = rules.self?.some((id) => id.toLowerCase() === target.user.id?.toLowerCase());
  const { status, expiresAt } = row.values;
  if (self && ((status && !maySignIn(status)) || expiresAt))
    return {
      ok: false,
      problem: {
        column: status && !maySignIn(status) ? 'status' : 'expiresAt',
        code: 'import.self_change',
        message: 'You may not deactivate your own user or set an expiry on it: ask another administrator.',
      },
    };
  if (mayChange({ role: rules.grantor }, role)) return { ok: true, target };
  return bad('import.forbidden_target', `Your role (${rules.grantor}) may not change a user who is ${role}.`);
}
