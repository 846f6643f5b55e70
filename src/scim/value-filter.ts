import type { Filter } from 'scim2-parse-filter';
import { parseFilter } from './parse-filter.js';
import { invalidFilter } from './errors.js';
import { findAttribute, type AttributeDefinition } from './schemas.js';

type Element = Record<string, unknown>;
type Comparison = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';

/**
 * A value filter (`emails[type eq "work"]`) compiled against the sub-attributes
 * of one multi-valued complex attribute. `seed` is the element the filter
 * describes when it is only `eq` comparisons joined by `and`; PATCH creates it
 * when nothing matches. Throws `invalidFilter` on bad syntax, an unknown
 * sub-attribute, or an ordering/substring operator on a boolean.
 */
export interface ValueFilter {
  readonly matches: (element: Element) => boolean;
  readonly seed: Element | undefined;
}

export function compileValueFilter(text: string, attribute: AttributeDefinition): ValueFilter {
  const ast = parseFilter(text);
  return { matches: predicate(ast, attribute), seed: seedOf(ast, attribute) };
}

function predicate(filter: Filter, attribute: AttributeDefinition): (element: Element) => boolean {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const parts = filter.filters.map((part) => predicate(part, attribute));
      return filter.op === 'and' ? (e) => parts.every((p) => p(e)) : (e) => parts.some((p) => p(e));
    }
    case 'not': {
      const inner = predicate(filter.filter, attribute);
      return (e) => !inner(e);
    }
    case '[]':
      throw invalidFilter(`A value filter cannot nest another one ("${filter.attrPath}[…]").`);
    case 'pr': {
      const sub = subAttribute(filter.attrPath, attribute);
      return (e) => isPresent(e[sub.name]);
    }
    default: {
      const sub = subAttribute(filter.attrPath, attribute);
      const op = filter.op as Comparison;
      assertComparable(op, sub);
      return (e) => compare(op, sub, e[sub.name], filter.compValue);
    }
  }
}

function subAttribute(attrPath: string, attribute: AttributeDefinition): AttributeDefinition {
  const prefix = `${attribute.name.toLowerCase()}.`;
  const name = attrPath.toLowerCase().startsWith(prefix) ? attrPath.slice(prefix.length) : attrPath;
  const sub = findAttribute(attribute.subAttributes, name);
  if (!sub) throw invalidFilter(`"${attrPath}" is not a sub-attribute of "${attribute.name}".`);
  return sub;
}

function assertComparable(op: Comparison, sub: AttributeDefinition) {
  if ((sub.type === 'boolean' || sub.type === 'binary') && op !== 'eq' && op !== 'ne') {
    throw invalidFilter(`"${op}" cannot compare the ${sub.type} "${sub.name}".`);
  }
}

const isPresent = (value: unknown) =>
  value !== undefined &&
  value !== null &&
  value !== '' &&
  !(Array.isArray(value) && value.length === 0) &&
  !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

function normalize(sub: AttributeDefinition, value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value !== 'string') return value;
  if (sub.type === 'dateTime' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  return sub.caseExact ? value : value.toLowerCase();
}

function compare(op: Comparison, sub: AttributeDefinition, actual: unknown, expected: unknown): boolean {
  const a = normalize(sub, actual);
  const b = normalize(sub, expected);
  if (op === 'eq') return a === b;
  if (op === 'ne') return a !== b;
  if (op === 'co' || op === 'sw' || op === 'ew') return substring(op, a, b);
  if (typeof a !== typeof b || (typeof a !== 'string' && typeof a !== 'number')) return false;
  const [x, y] = [a as string | number, b as string | number];
  return op === 'gt' ? x > y : op === 'lt' ? x < y : op === 'ge' ? x >= y : x <= y;
}

function substring(op: 'co' | 'sw' | 'ew', a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return op === 'co' ? a.includes(b) : op === 'sw' ? a.startsWith(b) : a.endsWith(b);
}

function seedOf(filter: Filter, attribute: AttributeDefinition): Element | undefined {
  if (filter.op === 'eq' && filter.compValue !== null) {
    return { [subAttribute(filter.attrPath, attribute).name]: filter.compValue };
  }
  if (filter.op !== 'and') return undefined;
  const seeds = filter.filters.map((part) => seedOf(part, attribute));
  return seeds.reduce<Element | undefined>((merged, seed) => merged && seed && mergeSeeds(merged, seed), {});
}

function mergeSeeds(a: Element, b: Element): Element | undefined {
  const conflict = Object.keys(b).some((key) => key in a && a[key] !== b[key]);
  return conflict ? undefined : { ...a, ...b };
}
