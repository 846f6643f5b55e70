import { isRecord } from './coerce.js';
import {
  findAttribute,
  resolveAttribute,
  resolveSchema,
  coreSchema,
  schemaAttributes,
  type AttributeDefinition,
  type ResourceName,
  type ScimDoc,
} from './schemas.js';

export interface ProjectionOptions {
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

/** A name of an `attributes` list: a whole schema, an attribute, or one sub-attribute. */
type Selector = { readonly urn: string; readonly attribute?: string; readonly sub?: string };
type Decide = {
  readonly keepsUnknown: boolean;
  readonly attribute: (urn: string, attribute: AttributeDefinition) => boolean;
  readonly sub: (urn: string, attribute: AttributeDefinition, sub: AttributeDefinition | undefined) => boolean;
};

/**
 * The resource as RFC 7644 §3.4.2.5 / §3.9 return it: `attributes` replaces the
 * default set, `excludedAttributes` removes from it (both comma-separated,
 * case-insensitive, sub-attributes and URN-prefixed names allowed; unknown names
 * ignored). `schemas` and "returned: always" attributes (id) are always kept,
 * "returned: never" ones (password) never.
 */
export function project(resource: ResourceName, doc: ScimDoc, options: ProjectionOptions): ScimDoc {
  // Without lists, only a password (returned: never) could go: the common case costs nothing.
  if (!options.attributes && !options.excludedAttributes && !('password' in doc)) return doc;
  const decide = decider(
    selectors(resource, options.attributes),
    selectors(resource, options.excludedAttributes) ?? [],
  );
  const core = coreSchema(resource);
  const result: ScimDoc = {};
  for (const [key, value] of Object.entries(doc)) {
    const urn = key === core ? undefined : resolveSchema(resource, key);
    const projected =
      key === 'schemas'
        ? value
        : urn
          ? projectObject(resource, urn, value, decide)
          : projectAttribute(core, findAttribute(schemaAttributes(resource, core), key), value, decide);
    if (projected !== undefined) result[key] = projected;
  }
  return result;
}

/** Whether a projection keeps any of a core attribute: lets a reader skip loading it. */
export function returnsAttribute(resource: ResourceName, name: string, options: ProjectionOptions): boolean {
  const core = coreSchema(resource);
  const attribute = findAttribute(schemaAttributes(resource, core), name);
  const decide = decider(
    selectors(resource, options.attributes),
    selectors(resource, options.excludedAttributes) ?? [],
  );
  return attribute !== undefined && decide.attribute(core, attribute);
}

function selectors(resource: ResourceName, list: string | undefined): Selector[] | undefined {
  if (list === undefined || list.trim() === '') return undefined;
  const core = coreSchema(resource);
  return list.split(',').flatMap((name): Selector[] => {
    const urn = resolveSchema(resource, name);
    if (urn) return [{ urn }];
    const resolved = resolveAttribute(resource, name);
    if (!resolved) return [];
    return [{ urn: resolved.schema ?? core, attribute: resolved.attribute.name, sub: resolved.sub?.name }];
  });
}

function decider(wanted: Selector[] | undefined, unwanted: Selector[]): Decide {
  const touches = (s: Selector, urn: string, attribute: string) =>
    s.urn === urn && (!s.attribute || s.attribute === attribute);
  const whole = (s: Selector, urn: string, attribute: string) => touches(s, urn, attribute) && !s.sub;
  const exact = (s: Selector, urn: string, attribute: string, sub: string | undefined) =>
    s.urn === urn && s.attribute === attribute && s.sub === sub;
  return {
    keepsUnknown: wanted === undefined,
    attribute(urn, attribute) {
      if (attribute.returned === 'never') return false;
      if (attribute.returned === 'always') return true;
      const selected = wanted ? wanted.some((s) => touches(s, urn, attribute.name)) : attribute.returned !== 'request';
      return selected && !unwanted.some((s) => whole(s, urn, attribute.name));
    },
    sub(urn, attribute, sub) {
      if (sub?.returned === 'never') return false;
      if (sub?.returned === 'always' || attribute.returned === 'always') return true;
      const selected = wanted
        ? wanted.some((s) => whole(s, urn, attribute.name) || exact(s, urn, attribute.name, sub?.name))
        : sub?.returned !== 'request';
      return selected && !(sub && unwanted.some((s) => exact(s, urn, attribute.name, sub.name)));
    },
  };
}

function projectObject(resource: ResourceName, urn: string, value: unknown, decide: Decide): ScimDoc | undefined {
  if (!isRecord(value)) return undefined;
  const attributes = schemaAttributes(resource, urn);
  const entries = Object.entries(value).map(([key, item]) => [
    key,
    projectAttribute(urn, findAttribute(attributes, key), item, decide),
  ]);
  return nonEmpty(Object.fromEntries(entries.filter(([, item]) => item !== undefined)));
}

/** Keys the schema does not know are kept in the default set and dropped once `attributes` is given. */
function projectAttribute(
  urn: string,
  attribute: AttributeDefinition | undefined,
  value: unknown,
  decide: Decide,
): unknown {
  if (!attribute) return decide.keepsUnknown ? value : undefined;
  if (!decide.attribute(urn, attribute)) return undefined;
  if (attribute.type !== 'complex') return value;
  const pick = (item: unknown) => (isRecord(item) ? projectComplex(urn, attribute, item, decide) : item);
  if (!attribute.multiValued) return pick(value);
  if (!Array.isArray(value)) return value;
  const items = value.map(pick).filter((item) => item !== undefined);
  return items.length > 0 ? items : undefined;
}

function projectComplex(
  urn: string,
  attribute: AttributeDefinition,
  value: ScimDoc,
  decide: Decide,
): ScimDoc | undefined {
  const kept = Object.entries(value).filter(([key]) =>
    decide.sub(urn, attribute, findAttribute(attribute.subAttributes, key)),
  );
  return nonEmpty(Object.fromEntries(kept));
}

const nonEmpty = (value: ScimDoc) => (Object.keys(value).length > 0 ? value : undefined);
