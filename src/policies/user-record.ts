import { GUEST_ACCOUNT_ID } from '../domain/account.js';
import type { CustomField } from '../domain/custom-field.js';
import { ianaTimeZone, SUPPORTED_LANGUAGES, supportedLanguage } from '../domain/languages.js';
import type { RequirableField } from '../domain/user-record.js';
import type { Profile } from '../domain/user.js';

/**
 * The rules every write of a user record passes, whatever the path (admin API,
 * CSV import, SCIM, self-service): required standard fields, a supported
 * language and an IANA time zone, and custom field values of the field's type.
 * Pure: the caller reads the settings and the field definitions.
 */

/** A user record as it will be after the write. */
export interface UserRecord extends Partial<Profile> {
  email?: string | null;
  externalId?: string | null;
  mainAccountId?: string | null;
  customAttributes?: Record<string, unknown>;
  phoneNumbers?: readonly unknown[];
  addresses?: readonly unknown[];
}

export interface RecordRules {
  requiredFields: readonly RequirableField[];
  customFields: readonly CustomField[];
}

export type RecordProblemCode =
  | 'user.field_required'
  | 'user.invalid_language'
  | 'user.invalid_timezone'
  | 'user.invalid_custom_field';

export interface RecordProblem {
  code: RecordProblemCode;
  /** The field: a standard field name, or `customAttributes.<key>`. */
  field: string;
  message: string;
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim());

function present(record: UserRecord, field: RequirableField): boolean {
  switch (field) {
    case 'mainAccount':
      return !blank(record.mainAccountId) && record.mainAccountId !== GUEST_ACCOUNT_ID;
    case 'phoneNumbers':
    case 'addresses':
      return (record[field]?.length ?? 0) > 0;
    default:
      return !blank(record[field]);
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= (days[mo - 1] ?? 0);
}

export const CUSTOM_TEXT_MAX = 1000;

/** Why `value` (not blank) is not a value of the field; undefined when it is one. */
export function customValueProblem(field: Pick<CustomField, 'type' | 'options'>, value: unknown): string | undefined {
  switch (field.type) {
    case 'text':
      return typeof value === 'string' && value.length <= CUSTOM_TEXT_MAX
        ? undefined
        : `a text of at most ${CUSTOM_TEXT_MAX} characters`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number';
    case 'date':
      return typeof value === 'string' && isIsoDate(value) ? undefined : 'a date (YYYY-MM-DD)';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'option':
      return typeof value === 'string' && field.options.includes(value)
        ? undefined
        : `one of ${field.options.map((o) => `"${o}"`).join(', ')}`;
  }
}

const TRUE = ['true', 'yes', '1', 'y'];
const FALSE = ['false', 'no', '0', 'n'];

/**
 * A value of the field from text (a CSV cell, a query parameter): numbers and
 * booleans parsed, an option matched without regard to case. `ok: false` names
 * what the field takes.
 */
export function parseCustomValue(
  field: Pick<CustomField, 'type' | 'options'>,
  text: string,
): { ok: true; value: string | number | boolean } | { ok: false; expected: string } {
  const cell = text.trim();
  let value: unknown = cell;
  if (field.type === 'number') value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) ? Number(cell) : cell;
  if (field.type === 'boolean') {
    const v = cell.toLowerCase();
    value = TRUE.includes(v) ? true : FALSE.includes(v) ? false : cell;
  }
  if (field.type === 'option') value = field.options.find((o) => o.toLowerCase() === cell.toLowerCase()) ?? cell;
  const expected = customValueProblem(field, value);
  return expected ? { ok: false, expected } : { ok: true, value: value as string | number | boolean };
}

/** Every problem of the record, in a stable order (required fields, language, time zone, custom fields). */
export function checkUserRecord(record: UserRecord, rules: RecordRules): RecordProblem[] {
  const problems: RecordProblem[] = [];
  for (const field of rules.requiredFields) {
    if (!present(record, field))
      problems.push({ code: 'user.field_required', field, message: `${field} is required.` });
  }
  for (const field of ['preferredLanguage', 'locale'] as const) {
    const value = record[field];
    if (!blank(value) && !supportedLanguage(value as string))
      problems.push({
        code: 'user.invalid_language',
        field,
        message: `${field} "${value}" is not a supported language: use one of ${SUPPORTED_LANGUAGES.join(', ')}.`,
      });
  }
  if (!blank(record.timezone) && !ianaTimeZone(record.timezone as string))
    problems.push({
      code: 'user.invalid_timezone',
      field: 'timezone',
      message: `timezone "${record.timezone}" is not an IANA time zone (such as Europe/Berlin).`,
    });
  const values = record.customAttributes ?? {};
  for (const f of rules.customFields) {
    const value = Object.hasOwn(values, f.key) ? values[f.key] : undefined;
    const field = `customAttributes.${f.key}`;
    if (blank(value)) {
      if (f.required)
        problems.push({ code: 'user.field_required', field, message: `${f.label} (${f.key}) is required.` });
      continue;
    }
    const expected = customValueProblem(f, value);
    if (expected)
      problems.push({
        code: 'user.invalid_custom_field',
        field,
        message: `${f.label} (${f.key}) must be ${expected}.`,
      });
  }
  return problems;
}

/**
 * The record with its language tags and time zone in canonical form (`en-gb` →
 * `en-GB`, `europe/berlin` → `Europe/Berlin`): what is stored. Values that are
 * not valid are left as given (checkUserRecord reports them).
 */
export function canonicalRecord<T extends Partial<Pick<Profile, 'preferredLanguage' | 'locale' | 'timezone'>>>(
  record: T,
): T {
  const out = { ...record };
  for (const field of ['preferredLanguage', 'locale'] as const) {
    const v = out[field];
    if (typeof v === 'string' && v.trim()) out[field] = supportedLanguage(v) ?? v;
  }
  if (typeof out.timezone === 'string' && out.timezone.trim())
    out.timezone = ianaTimeZone(out.timezone) ?? out.timezone;
  return out;
}
