import { invalidValue } from './errors.js';
import { findAttribute, type AttributeDefinition } from './schemas.js';

export type Json = Record<string, unknown>;

export const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

/** Drops the keys whose value is undefined. */
export const compact = (value: Json): Json => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

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
export function coerceSimple(attribute: AttributeDefinition, raw: unknown, where: string): string | number | boolean | undefined {
  if (isBlank(raw)) return undefined;
  if (attribute.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  } else if (attribute.type === 'integer' || attribute.type === 'decimal') {
    if (typeof raw === 'number' && (attribute.type === 'decimal' ? Number.isFinite(raw) : Number.isInteger(raw))) return raw;
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
export function coerceComplex(attribute: AttributeDefinition, raw: unknown, where: string): Json | undefined {
  if (isBlank(raw)) return undefined;
  if (typeof raw === 'string' && findAttribute(attribute.subAttributes, 'value')) return { value: raw };
  if (!isRecord(raw)) throw invalidValue(`"${where}" must be an object of sub-attributes of "${attribute.name}".`);
  const result: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    const sub = findAttribute(attribute.subAttributes, key);
    if (!sub) throw invalidValue(`"${key}" is not a sub-attribute of "${attribute.name}".`);
    if (sub.mutability !== 'readOnly') result[sub.name] = coerceSimple(sub, value, `${where}.${sub.name}`);
  }
  return result;
}

/** The values of a multi-valued complex attribute: an array, or one value alone. Empty values are left out. */
export function coerceElements(attribute: AttributeDefinition, raw: unknown, where: string): Json[] {
  if (isBlank(raw)) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  return items
    .map((item) => compact(coerceComplex(attribute, item, where) ?? {}))
    .filter((element) => Object.keys(element).length > 0);
}
