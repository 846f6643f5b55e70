import { invalidFilter, invalidValue } from './errors.js';

export interface ListQuery {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  /** 1-based; below 1 is taken as 1. */
  startIndex: number;
  /** At most the advertised maximum; 0 asks for the total only. */
  count: number;
  attributes?: string;
  excludedAttributes?: string;
}

const integer = (value: unknown, name: string): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw invalidValue(`"${name}" must be an integer.`);
  return n;
};

const text = (value: unknown, name: string): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map((v) => text(v, name)).join(',');
  if (typeof value !== 'string') throw invalidValue(`"${name}" must be a string.`);
  if (value.includes('\0'))
    throw (name === 'filter' ? invalidFilter : invalidValue)(`"${name}" holds a NUL character.`);
  return value;
};

/** Far past any directory, and still a safe OFFSET. */
const MAX_START_INDEX = 2 ** 31 - 1;

/**
 * The list parameters of RFC 7644 §3.4.2, from a query string or a SearchRequest
 * body (names case-insensitive; `attributes` may be an array in a body).
 */
export function parseListQuery(params: Record<string, unknown>, maxResults: number): ListQuery {
  const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k.toLowerCase(), v]));
  const count = integer(p.count, 'count');
  return {
    filter: text(p.filter, 'filter'),
    sortBy: text(p.sortby, 'sortBy'),
    sortOrder: text(p.sortorder, 'sortOrder'),
    startIndex: Math.min(MAX_START_INDEX, Math.max(1, integer(p.startindex, 'startIndex') ?? 1)),
    count: Math.min(maxResults, Math.max(0, count ?? maxResults)),
    attributes: text(p.attributes, 'attributes'),
    excludedAttributes: text(p.excludedattributes, 'excludedAttributes'),
  };
}
