import type { Compare, Filter, Suffix, ValuePath } from 'scim2-parse-filter';
import { parseFilter } from './parse-filter.js';
import {
  ATTRIBUTE_MAPS,
  attributeKey,
  findMappedAttribute,
  type AttributeMap,
  type Column,
  type MultiValued,
  type ScimResourceName,
} from './attribute-map.js';
import { invalidFilter, invalidValue } from './errors.js';
import { isUuid } from '../util/uuid.js';
import { own } from '../util/own.js';

export type { ScimResourceName } from './attribute-map.js';

/** A SQL condition with `?` placeholders, as `whereRaw(sql, bindings)` takes it. */
export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

/**
 * `nullable`: the SQL may yield NULL (an absent value), which WHERE treats as
 * false; `not` then turns it into `IS NOT TRUE`. `wrapped`: safe to prefix with NOT.
 */
interface Predicate extends SqlFragment {
  nullable: boolean;
  wrapped: boolean;
}

type Scope = { map: AttributeMap } | { element: MultiValued; name: string };
type Comparison = Compare | Suffix;

const OPERATORS: Record<string, string> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };
const PATTERNS: Record<string, (value: string) => string> = {
  co: (value) => `%${value}%`,
  sw: (value) => `${value}%`,
  ew: (value) => `%${value}`,
};
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-](?:0\d|1[0-4]):[0-5]\d)?$/;

/**
 * Compiles a SCIM filter (RFC 7644 §3.4.2.2) into a condition on `users` or
 * `groups`, reaching only what the attribute map names. Safe to AND with other
 * conditions (and/or groups come parenthesised); a NULL result means "no match",
 * so use it in WHERE and do not negate it in SQL. Multi-valued attributes match
 * when any element does (`emails.type ne "work"`: some email is not a work one),
 * and `not` is the exact complement (`not (emails.type eq "work")`: no work email).
 * Every failure is a ScimError `invalidFilter`.
 */
export function compileFilter(filter: string, resource: ScimResourceName): SqlFragment {
  const { sql, bindings } = compile(parseFilter(filter), { map: ATTRIBUTE_MAPS[resource] });
  return { sql, bindings };
}

/**
 * An ORDER BY list for `sortBy`/`sortOrder` (RFC 7644 §3.4.2.3), ending with the
 * id as a tie-breaker. Case-insensitive strings sort by lower(); absent values
 * come last ascending and first descending, so one index serves both ways.
 */
export function compileSort(
  sortBy: string | undefined,
  sortOrder: string | undefined,
  resource: ScimResourceName,
): string {
  const map = ATTRIBUTE_MAPS[resource];
  const order = (sortOrder ?? 'ascending').toLowerCase();
  if (order !== 'ascending' && order !== 'descending')
    throw invalidValue(`sortOrder must be "ascending" or "descending", not "${sortOrder}"`);
  const id = `${map.table}.id`;
  if (sortBy === undefined) return `${map.table}.created_at, ${id}`;
  const attribute = findMappedAttribute(map, sortBy);
  const column =
    (attribute && 'single' in attribute ? attribute.single : undefined) ?? own(map.sortOnly, attributeKey(map, sortBy));
  if (!column) throw invalidValue(`Cannot sort by "${sortBy}"`);
  const direction = order === 'ascending' ? 'ASC' : 'DESC';
  const key = isFolded(column) ? `lower(${column.sql})` : column.sql;
  if (key === id) return `${id} ${direction}`;
  return `${key} ${direction} NULLS ${order === 'ascending' ? 'LAST' : 'FIRST'}, ${id} ${direction}`;
}

/** Escapes LIKE's wildcards and its escape character, the backslash. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, '\\$&');
}

function compile(node: Filter, scope: Scope): Predicate {
  switch (node.op) {
    case 'and':
    case 'or':
      return combine(
        node.op.toUpperCase(),
        node.filters.map((filter) => compile(filter, scope)),
      );
    case 'not':
      return negate(compile(node.filter, scope));
    case '[]':
      return valuePath(node, scope);
    default:
      return attributeFilter(node, scope);
  }
}

function combine(operator: string, parts: Predicate[]): Predicate {
  return {
    sql: `(${parts.map((part) => part.sql).join(` ${operator} `)})`,
    bindings: parts.flatMap((part) => part.bindings),
    nullable: parts.some((part) => part.nullable),
    wrapped: true,
  };
}

function negate(predicate: Predicate): Predicate {
  const sql = predicate.wrapped ? predicate.sql : `(${predicate.sql})`;
  return {
    ...predicate,
    sql: predicate.nullable ? `${sql} IS NOT TRUE` : `NOT ${sql}`,
    nullable: false,
    wrapped: false,
  };
}

function valuePath(node: ValuePath, scope: Scope): Predicate {
  const attribute = 'map' in scope ? findMappedAttribute(scope.map, node.attrPath) : undefined;
  if (!attribute || !('multi' in attribute) || attribute.subAttribute) {
    throw invalidFilter(`"${node.attrPath}[…]" needs a multi-valued attribute of this resource, at the top level`);
  }
  return exists(attribute.multi, compile(node.valFilter, { element: attribute.multi, name: node.attrPath }));
}

function exists(multi: MultiValued, condition?: Predicate): Predicate {
  const where = condition ? ` AND ${condition.sql}` : '';
  return {
    sql: `EXISTS (SELECT 1 ${multi.from}${where})`,
    bindings: condition?.bindings ?? [],
    nullable: false,
    wrapped: true,
  };
}

function attributeFilter(node: Comparison, scope: Scope): Predicate {
  if (node.op !== 'pr' && node.compValue === null) {
    // `eq null` means absent and `ne null` present: RFC 7644 leaves null to the server.
    if (node.op !== 'eq' && node.op !== 'ne')
      throw invalidFilter(`"${node.attrPath} ${node.op} null" compares nothing`);
    const present = attributeFilter({ op: 'pr', attrPath: node.attrPath }, scope);
    return node.op === 'eq' ? negate(present) : present;
  }
  if ('element' in scope) {
    const column = own(scope.element.subAttributes, node.attrPath.toLowerCase());
    if (!column) throw invalidFilter(`"${node.attrPath}" is not a sub-attribute of ${scope.name}`);
    return compare(column, node);
  }
  const attribute = findMappedAttribute(scope.map, node.attrPath);
  if (!attribute) throw invalidFilter(`"${node.attrPath}" is not an attribute that can be filtered`);
  if ('single' in attribute) return compare(attribute.single, node);
  if (!attribute.subAttribute && node.op === 'pr') return exists(attribute.multi);
  const column = attribute.subAttribute ?? attribute.multi.subAttributes.value;
  if (!column) throw invalidFilter(`"${node.attrPath}" needs a sub-attribute`);
  return exists(attribute.multi, compare(column, node));
}

function compare(column: Column, node: Comparison): Predicate {
  if (node.op === 'pr') {
    return leaf(
      column.type === 'string' ? `${column.sql} <> ''` : `${column.sql} IS NOT NULL`,
      [],
      column.type === 'string',
    );
  }
  if (node.op === 'ne') return negate(compare(column, { ...node, op: 'eq' }));
  const value = node.compValue;
  if (column.type === 'boolean') {
    if (node.op !== 'eq' || typeof value !== 'boolean')
      throw invalidFilter(`"${node.attrPath}" is a boolean: use eq, ne or pr with true or false`);
    return leaf(`${column.sql} IS ${value ? 'TRUE' : 'FALSE'}`, [], false);
  }
  if (typeof value !== 'string')
    throw invalidFilter(`"${node.attrPath}" compares with a string, not ${JSON.stringify(value)}`);
  if (column.type === 'dateTime') {
    if (!own(OPERATORS, node.op))
      throw invalidFilter(`"${node.attrPath}" is a dateTime: use eq, ne, gt, ge, lt, le or pr`);
    return leaf(`${column.sql} ${OPERATORS[node.op]} ?::timestamptz`, [dateTimeValue(value, node.attrPath)]);
  }
  if (column.type === 'uuid' && node.op === 'eq') {
    return isUuid(value) ? leaf(`${column.sql} = ?`, [value]) : leaf('FALSE', [], false);
  }
  const folded = isFolded(column) || column.type === 'uuid';
  const sql = column.type === 'uuid' ? `${column.sql}::text` : folded ? `lower(${column.sql})` : column.sql;
  const operand = folded ? value.toLowerCase() : value;
  const pattern = own(PATTERNS, node.op);
  if (pattern) return leaf(`${sql} LIKE ? ESCAPE '\\'`, [pattern(escapeLike(operand))]);
  return leaf(`${sql} ${OPERATORS[node.op]} ?`, [operand]);
}

function leaf(sql: string, bindings: unknown[], nullable = true): Predicate {
  return { sql, bindings, nullable, wrapped: false };
}

function isFolded(column: Column): boolean {
  return column.type === 'string' && !column.caseExact;
}

/** An RFC 3339 date-time that is a real instant; without an offset it is UTC. */
function dateTimeValue(value: string, attrPath: string): string {
  const match = DATE_TIME.exec(value);
  const field = (group: number) => Number(match?.[group]);
  const instant = new Date(Date.UTC(field(1), field(2) - 1, field(3), field(4), field(5), field(6)));
  const roundTrip = [
    instant.getUTCFullYear(),
    instant.getUTCMonth() + 1,
    instant.getUTCDate(),
    instant.getUTCHours(),
    instant.getUTCMinutes(),
    instant.getUTCSeconds(),
  ];
  if (!match || roundTrip.some((value, i) => value !== field(i + 1))) {
    throw invalidFilter(`"${attrPath}" compares with a dateTime such as "2024-01-31T12:00:00Z", not "${value}"`);
  }
  return match[8] ? value : `${value}Z`;
}
