import { parse, type Filter } from 'scim2-parse-filter';
import { invalidFilter, ScimError } from './errors.js';
import { isStorableText } from '../util/storable-text.js';

const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const VALUE_PATH_SUB_ATTRIBUTE = /\[([^[\]]*)\]\.(\w+)\s+(pr\b|\w+\s*(?:"\d+"|[^\s()[\]]+))/gi;

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) with scim2-parse-filter, mending what
 * it gets wrong: JSON escapes in strings are decoded (and must spell storable
 * text), and `emails[type eq "work"].value
 * co "x"` keeps its same-element meaning. Every failure is `invalidFilter`.
 */
export function parseFilter(filter: string): Filter {
  const { text, strings } = extractStrings(filter);
  try {
    return restoreStrings(parse(inlineSubAttributes(text)), strings);
  } catch (error) {
    if (error instanceof ScimError) throw error;
    const detail = (error as Error).message.replace(
      /"(\d+)"/g,
      (placeholder, i) => JSON.stringify(strings[Number(i)]) ?? placeholder,
    );
    throw invalidFilter(`The filter is not valid: ${detail}`);
  }
}

/**
 * The parser does not decode JSON escapes (`"dom\\user"` stays two backslashes),
 * so each quoted string becomes `"<index>"` before parsing and is decoded here.
 */
function extractStrings(filter: string): { text: string; strings: string[] } {
  const strings: string[] = [];
  const text = filter.replace(QUOTED, (literal) => `"${strings.push(decodeString(literal)) - 1}"`);
  return { text, strings };
}

function decodeString(literal: string): string {
  let value: string;
  try {
    value = JSON.parse(literal) as string;
  } catch {
    throw invalidFilter(`${literal} is not a valid JSON string`);
  }
  // An escape ("\u0000", "\ud800") can spell what the URL check let through.
  if (!isStorableText(value))
    throw invalidFilter(`${literal} holds a character that cannot be stored (NUL or an unpaired surrogate).`);
  return value;
}

/**
 * `emails[type eq "work"].value co "x"` becomes `emails[(type eq "work") and value co "x"]`:
 * the parser would split it into an `and` that two different emails could satisfy.
 */
function inlineSubAttributes(text: string): string {
  const inlined = text.replace(VALUE_PATH_SUB_ATTRIBUTE, '[($1) and $2 $3]');
  if (inlined.includes('].')) throw invalidFilter('Expected a sub-attribute and a comparison after "]."');
  return inlined;
}

function restoreStrings(node: Filter, strings: string[]): Filter {
  if ('filters' in node) for (const filter of node.filters) restoreStrings(filter, strings);
  else if ('filter' in node) restoreStrings(node.filter, strings);
  else if ('valFilter' in node) restoreStrings(node.valFilter, strings);
  else if ('compValue' in node && typeof node.compValue === 'string') {
    const restored = strings[Number(node.compValue)];
    if (restored === undefined) throw new Error(`no string was extracted as "${node.compValue}"`);
    node.compValue = restored;
  }
  return node;
}
