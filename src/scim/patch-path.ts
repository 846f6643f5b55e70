import { invalidPath } from './errors.js';
import { findAttribute, resolveAttribute, type AttributeDefinition, type ResourceName } from './schemas.js';
import { compileValueFilter, type ValueFilter } from './value-filter.js';

/**
 * Where a PATCH operation lands (RFC 7644 §3.5.2 `path`): `attr`, `attr.sub`,
 * `attr[filter]` or `attr[filter].sub`, optionally behind a schema URN.
 * `schema` is the extension URN holding the attribute, undefined for core.
 */
export interface PatchTarget {
  readonly path: string;
  readonly schema: string | undefined;
  readonly attribute: AttributeDefinition;
  readonly filter?: ValueFilter;
  readonly sub?: AttributeDefinition;
}

/** Throws `invalidPath` for a malformed path or unknown attribute, `invalidFilter` for a bad filter. */
export function parsePatchPath(resource: ResourceName, path: string): PatchTarget {
  const text = path.trim();
  const open = text.indexOf('[');
  return open === -1 ? plainTarget(resource, text) : filteredTarget(resource, text, open);
}

function plainTarget(resource: ResourceName, path: string): PatchTarget {
  const resolved = resolveAttribute(resource, path);
  if (!resolved) throw invalidPath(`"${path}" is not an attribute of a ${resource}.`);
  return { path, ...resolved };
}

function filteredTarget(resource: ResourceName, path: string, open: number): PatchTarget {
  const close = path.lastIndexOf(']');
  const tail = path.slice(close + 1);
  if (close < open || !/^(\.[^.[\]]+)?$/.test(tail)) throw invalidPath(`"${path}" is not a valid path.`);
  const resolved = resolveAttribute(resource, path.slice(0, open));
  if (!resolved || resolved.sub || !resolved.attribute.multiValued || resolved.attribute.type !== 'complex') {
    throw invalidPath(`"${path.slice(0, open)}" is not a multi-valued complex attribute of a ${resource}.`);
  }
  const sub = tail ? findAttribute(resolved.attribute.subAttributes, tail.slice(1)) : undefined;
  if (tail && !sub) throw invalidPath(`"${tail.slice(1)}" is not a sub-attribute of "${resolved.attribute.name}".`);
  const filter = compileValueFilter(path.slice(open + 1, close), resolved.attribute);
  return { path, schema: resolved.schema, attribute: resolved.attribute, filter, ...(sub ? { sub } : {}) };
}
