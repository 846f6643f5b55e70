import { invalidValue } from './errors.js';
import { findAttribute, type AttributeDefinition, type ScimDoc } from './schemas.js';

export const isRecord = (value: unknown): value is ScimDoc =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

/** The longest attribute value stored: well inside PostgreSQL's index entry limit. */
export const MAX_VALUE_LENGTH = 512;

/** true/false, or "true"/"false" in any case as Entra sends them; undefined for anything else. */
function asBoolean(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  return undefined;
}

/** A client's string attribute: null when absent or "", `invalidValue` when not a string or too long. */
export function readText(value: unknown, name: string): string | null {
  if (isBlank(value)) return null;
  if (typeof value !== 'string') throw invalidValue(`"${name}" must be a string.`);
  if (value.length > MAX_VALUE_LENGTH) throw invalidValue(`"${name}" is longer than ${MAX_VALUE_LENGTH} characters.`);
  return value;
}

/** A client's boolean attribute: undefined when absent, `invalidValue` when not a boolean. */
export function readBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  const bool = asBoolean(value);
  if (bool === undefined) throw invalidValue(`"${name}" must be a boolean.`);
  return bool;
}

/** Attribute names are case-insensitive (RFC 7643 §2.1): a document read through lower-cased keys. */
export function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}

/** Drops the keys whose value is undefined. */
export const compact = (value: ScimDoc): ScimDoc =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

/** Deep equality of JSON-like values; a Date equals its ISO string. */
export function sameValue(a: unknown, b: unknown): boolean {
  const [x, y] = [a instanceof Date ? a.toISOString() : a, b instanceof Date ? b.toISOString() : b];
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((item, i) => sameValue(item, y[i]));
  if (isRecord(x) && isRecord(y)) {
    const keys = Object.keys(compact(x));
    return keys.length === Object.keys(compact(y)).length && keys.every((key) => sameValue(x[key], y[key]));
  }
  return x === y;
}

/**
 * A simple value in its attribute's type, or undefined for null and "" (they
 * unassign). Booleans also accept "true"/"false" in any case, as Entra sends
 * them. Throws `invalidValue` for anything else.
 */
export function coerceSimple(
  attribute: AttributeDefinition,
  raw: unknown,
  where: string,
): string | number | boolean | undefined {
  if (isBlank(raw)) return undefined;
  if (attribute.type === 'boolean') {
    const bool = asBoolean(raw);
    if (bool !== undefined) return bool;
  } else if (attribute.type === 'integer' || attribute.type === 'decimal') {
    if (typeof raw === 'number' && (attribute.type === 'decimal' ? Number.isFinite(raw) : Number.isInteger(raw)))
      return raw;
  } else if (attribute.type === 'dateTime') {
    if (typeof raw === 'string' && !Number.isNaN(Date.parse(raw))) return raw;
  } else if (typeof raw === 'string') {
    return raw;
  }
  throw invalidValue(`"${where}" must be of type ${attribute.type}.`);
}

/**
 * A complex value as sub-attributes under canonical names; a sub-attribute given
 * as null or "" is kept as undefined (to unassign it), readOnly ones are dropped
 * (the server owns them). A bare string stands for `{ value }` (Entra's manager).
 * Undefined for null and "".
 */
export function coerceComplex(attribute: AttributeDefinition, raw: unknown, where: string): ScimDoc | undefined {
  if (isBlank(raw)) return undefined;
  if (typeof raw === 'string' && findAttribute(attribute.subAttributes, 'value')) return { value: raw };
  if (!isRecord(raw)) throw invalidValue(`"${where}" must be an object of sub-attributes of "${attribute.name}".`);
  const result: ScimDoc = {};
  for (const [key, value] of Object.entries(raw)) {
    const sub = findAttribute(attribute.subAttributes, key);
    if (!sub) throw invalidValue(`"${key}" is not a sub-attribute of "${attribute.name}".`);
    if (sub.mutability !== 'readOnly') result[sub.name] = coerceSimple(sub, value, `${where}.${sub.name}`);
  }
  return result;
}

/** The values of a multi-valued complex attribute: an array, or one value alone. Empty values are left out. */
export function coerceElements(attribute: AttributeDefinition, raw: unknown, where: string): ScimDoc[] {
  if (isBlank(raw)) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  return items
    .map((item) => compact(coerceComplex(attribute, item, where) ?? {}))
    .filter((element) => Object.keys(element).length > 0);
}
