import { CUSTOM_FIELDS_SCIM_SCHEMA } from '../domain/custom-field.js';
import { coerceComplex, coerceElements, coerceSimple, compact, isRecord, sameValue } from './coerce.js';
import { invalidSyntax, invalidValue, mutability, noTarget } from './errors.js';
import { parsePatchPath, type PatchTarget } from './patch-path.js';
import {
  findAttribute,
  PATCH_OP,
  resolveSchema,
  resourceSchemas,
  type AttributeDefinition,
  type ResourceName,
  type ScimDoc,
} from './schemas.js';
import type { ValueFilter } from './value-filter.js';
import { defined } from '../util/defined.js';

type OpName = 'add' | 'replace' | 'remove';
type Operation = { readonly op: OpName; readonly path: string | undefined; readonly value: unknown };
/** A multi-valued attribute after an operation, and the elements the operation wrote. */
type ListEdit = { readonly list: ScimDoc[]; readonly touched: ScimDoc[] };

const MATCH_ALL: ValueFilter = { matches: () => true, seed: {} };

/**
 * Applies a PatchOp body (RFC 7644 §3.5.2) to `current` and returns the patched
 * copy; `current` is never changed. Either every operation applies or the first
 * bad one throws a ScimError:
 * - invalidSyntax: not a PatchOp body, no operations, an unknown `op`;
 * - invalidPath / invalidFilter: an unknown attribute or a bad path filter;
 * - invalidValue: a missing or wrongly typed value, two `primary` values;
 * - noTarget: `remove` without a path, a filter that matches nothing and
 *   describes no element to create;
 * - mutability: a change to a readOnly or immutable attribute, or unassigning
 *   a required one.
 */
export function applyPatch(resource: ResourceName, current: ScimDoc, body: unknown): ScimDoc {
  const operations = readOperations(body);
  const doc = structuredClone(current);
  for (const operation of operations) applyOperation(resource, doc, operation);
  listExtensionSchemas(resource, doc);
  return doc;
}

/** Member names of the request are case-insensitive like attribute names. */
function member(object: ScimDoc, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function readOperations(body: unknown): Operation[] {
  if (!isRecord(body)) throw invalidSyntax('A PATCH body must be a PatchOp object.');
  const schemas = member(body, 'schemas');
  const isPatchOp = (urn: unknown) => typeof urn === 'string' && urn.toLowerCase() === PATCH_OP.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some(isPatchOp)) throw invalidSyntax(`"schemas" must contain "${PATCH_OP}".`);
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0)
    throw invalidSyntax('"Operations" must be a non-empty array.');
  return operations.map(readOperation);
}

function readOperation(raw: unknown): Operation {
  if (!isRecord(raw)) throw invalidSyntax('Each of "Operations" must be an object.');
  const given = member(raw, 'op');
  const op = typeof given === 'string' ? given.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw invalidSyntax(`"${String(given)}" is not a PATCH op: use add, replace or remove.`);
  }
  const path = member(raw, 'path');
  if (path !== undefined && path !== null && typeof path !== 'string') throw invalidSyntax('"path" must be a string.');
  const value = member(raw, 'value');
  if (op !== 'remove' && value === undefined) throw invalidValue(`"${op}" needs a "value".`);
  return { op, path: typeof path === 'string' && path.trim() !== '' ? path : undefined, value };
}

function applyOperation(resource: ResourceName, doc: ScimDoc, { op, path, value }: Operation) {
  const custom = (p: string) => (resource === 'User' ? customPath(p) : undefined);
  if (path !== undefined) {
    const key = custom(path);
    return key === undefined
      ? applyAt(doc, parsePatchPath(resource, path), op, value)
      : applyCustom(doc, op, key, value);
  }
  if (op === 'remove') throw noTarget('"remove" needs a "path".');
  for (const [path, item] of valueEntries(resource, value)) {
    const key = custom(path);
    if (key === undefined) applyAt(doc, parsePatchPath(resource, path), op, item);
    else applyCustom(doc, op, key, item);
  }
}

/**
 * The Gatehouse custom fields extension (its attributes are the fields a super
 * admin defines, so no static schema holds them): `urn:…:User` is the whole
 * object (''), `urn:…:User:key` one value. The service checks the values.
 */
function customPath(path: string): string | undefined {
  const urn = CUSTOM_FIELDS_SCIM_SCHEMA.toLowerCase();
  const lower = path.trim().toLowerCase();
  if (lower === urn) return '';
  return lower.startsWith(`${urn}:`) ? path.trim().slice(urn.length + 1) : undefined;
}

function applyCustom(doc: ScimDoc, op: OpName, key: string, value: unknown) {
  const holder = isRecord(doc[CUSTOM_FIELDS_SCIM_SCHEMA]) ? { ...(doc[CUSTOM_FIELDS_SCIM_SCHEMA] as ScimDoc) } : {};
  if (key === '') {
    if (op === 'remove') return void delete doc[CUSTOM_FIELDS_SCIM_SCHEMA];
    if (!isRecord(value)) throw invalidValue(`"${CUSTOM_FIELDS_SCIM_SCHEMA}" must be an object of custom fields.`);
    doc[CUSTOM_FIELDS_SCIM_SCHEMA] = { ...holder, ...value };
    return;
  }
  if (op === 'remove') delete holder[key];
  else holder[key] = value as ScimDoc[string];
  doc[CUSTOM_FIELDS_SCIM_SCHEMA] = holder;
}

/** Without a path, each key of the value is a path; a schema URN key holds that schema's attributes. */
function valueEntries(resource: ResourceName, value: unknown): [string, unknown][] {
  if (!isRecord(value)) throw invalidValue('Without a "path", "value" must be an object of attributes.');
  return Object.entries(value).flatMap(([key, item]): [string, unknown][] => {
    if (key.toLowerCase() === 'schemas') return [];
    const urn = resolveSchema(resource, key);
    if (!urn) return [[key, item]];
    if (!isRecord(item)) throw invalidValue(`"${key}" must be an object of that schema's attributes.`);
    return Object.entries(item).map(([name, inner]) => [`${urn}:${name}`, inner]);
  });
}

function applyAt(doc: ScimDoc, target: PatchTarget, op: OpName, value: unknown) {
  const holder =
    target.schema === undefined ? doc : isRecord(doc[target.schema]) ? (doc[target.schema] as ScimDoc) : {};
  if (isReadOnly(target)) return assertUnchanged(holder, target, op, value);
  if (target.attribute.multiValued) applyToList(holder, target, op, value);
  else if (target.sub) applyToSub(holder, target, target.sub, op, value);
  else applyToSingle(holder, target, op, value);
  if (target.schema === undefined) return;
  if (Object.keys(holder).length > 0) doc[target.schema] = holder;
  else delete doc[target.schema];
}

const isReadOnly = ({ attribute, sub }: PatchTarget) =>
  attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly';

function assertUnchanged(holder: ScimDoc, { attribute, sub, filter, path }: PatchTarget, op: OpName, value: unknown) {
  const present = holder[attribute.name];
  const current = sub ? (isRecord(present) ? present[sub.name] : undefined) : present;
  if (op !== 'remove' && !filter && sameValue(current, value)) return;
  throw mutability(`"${path}" is read-only.`);
}

function put(holder: ScimDoc, attribute: AttributeDefinition, value: unknown) {
  if (value !== undefined) holder[attribute.name] = value;
  else if (attribute.required) throw mutability(`"${attribute.name}" is required and cannot be removed.`);
  else delete holder[attribute.name];
}

function applyToSingle(holder: ScimDoc, { attribute, path }: PatchTarget, op: OpName, value: unknown) {
  if (op === 'remove') return put(holder, attribute, undefined);
  if (attribute.type !== 'complex') return put(holder, attribute, coerceSimple(attribute, value, path));
  const given = coerceComplex(attribute, value, path);
  put(holder, attribute, given && merged(holder[attribute.name], given, attribute, path));
}

function applyToSub(
  holder: ScimDoc,
  { attribute, path }: PatchTarget,
  sub: AttributeDefinition,
  op: OpName,
  value: unknown,
) {
  const given = op === 'remove' ? undefined : coerceSimple(sub, value, path);
  put(holder, attribute, merged(holder[attribute.name], { [sub.name]: given }, attribute, path));
}

/**
 * `given` over `existing`; an undefined sub-attribute is unassigned. A new
 * `value` drops what the server derived from the old one (`$ref`, readOnly
 * sub-attributes such as manager.displayName). Undefined when nothing is left.
 */
function merged(existing: unknown, given: ScimDoc, attribute: AttributeDefinition, path: string): ScimDoc | undefined {
  const current = isRecord(existing) ? existing : {};
  const base =
    'value' in given && !sameValue(current.value, given.value) ? withoutDerived(current, attribute) : current;
  for (const sub of attribute.subAttributes ?? []) {
    const changes = sub.name in given && base[sub.name] !== undefined && !sameValue(base[sub.name], given[sub.name]);
    if (sub.mutability === 'immutable' && changes)
      throw mutability(`"${attribute.name}.${sub.name}" is immutable (${path}).`);
  }
  const result = compact({ ...base, ...given });
  return Object.keys(result).length > 0 ? result : undefined;
}

function withoutDerived(value: ScimDoc, attribute: AttributeDefinition): ScimDoc {
  const derived = (attribute.subAttributes ?? []).filter((sub) => sub.name === '$ref' || sub.mutability === 'readOnly');
  return compact({ ...value, ...Object.fromEntries(derived.map((sub) => [sub.name, undefined])) });
}

/** Replaces an element wholesale, keeping the immutable sub-attributes it already has. */
function replaced(
  existing: ScimDoc,
  given: ScimDoc,
  attribute: AttributeDefinition,
  path: string,
): ScimDoc | undefined {
  const immutable = (attribute.subAttributes ?? []).filter((sub) => sub.mutability === 'immutable');
  const kept = Object.fromEntries(immutable.map((sub) => [sub.name, existing[sub.name]]));
  return merged(compact(kept), given, attribute, path);
}

function applyToList(holder: ScimDoc, target: PatchTarget, op: OpName, value: unknown) {
  const { attribute, path } = target;
  const list = Array.isArray(holder[attribute.name]) ? (holder[attribute.name] as ScimDoc[]) : [];
  const edit = target.filter || target.sub ? editElements(list, target, op, value) : editList(list, target, op, value);
  const settled = settlePrimary(attribute, edit, path);
  put(holder, attribute, settled.length > 0 ? settled : undefined);
}

function editList(list: ScimDoc[], { attribute, path }: PatchTarget, op: OpName, value: unknown): ListEdit {
  const given = coerceElements(attribute, value, path);
  if (op === 'replace') return { list: given, touched: given };
  if (op === 'add') return addElements(list, given, attribute, path);
  if (value === undefined || value === null) return { list: [], touched: [] };
  return { list: list.filter((element) => !given.some((gone) => sameElement(attribute, element, gone))), touched: [] };
}

function addElements(list: ScimDoc[], given: ScimDoc[], attribute: AttributeDefinition, path: string): ListEdit {
  const next = [...list];
  const touched: ScimDoc[] = [];
  for (const element of given) {
    const at = next.findIndex((existing) => sameElement(attribute, existing, element));
    const written =
      at === -1 ? element : defined(merged(next[at], without(element, 'value'), attribute, path), 'a merged element');
    if (at === -1) next.push(written);
    else next[at] = written;
    touched.push(written);
  }
  return { list: next, touched };
}

/** Elements are the same when their `value` is (by the attribute's caseExact), else when they are equal. */
function sameElement(attribute: AttributeDefinition, a: ScimDoc, b: ScimDoc): boolean {
  const value = findAttribute(attribute.subAttributes, 'value');
  if (!value || (a.value === undefined && b.value === undefined)) return sameValue(a, b);
  const fold = (v: unknown) => (typeof v === 'string' && !value.caseExact ? v.toLowerCase() : v);
  return fold(a.value) === fold(b.value);
}

/** Operations on `attr[filter]`, `attr[filter].sub` and `attr.sub` (which targets every element). */
function editElements(list: ScimDoc[], target: PatchTarget, op: OpName, value: unknown): ListEdit {
  const filter = target.filter ?? MATCH_ALL;
  const matched = new Set(list.filter(filter.matches));
  const change = elementChange(target, op, value);
  if (matched.size === 0)
    return change === undefined || unassigns(change, target)
      ? { list, touched: [] }
      : created(list, filter, change, target);
  const touched: ScimDoc[] = [];
  const next = list.map((element) => {
    if (!matched.has(element)) return element;
    const after = rewritten(element, change, target, op);
    if (after !== undefined) touched.push(after);
    return after;
  });
  return { list: next.filter((element): element is ScimDoc => element !== undefined), touched };
}

/** What an operation writes into each matching element; undefined removes the element. */
function elementChange({ attribute, sub, path }: PatchTarget, op: OpName, value: unknown): ScimDoc | undefined {
  if (sub) return { [sub.name]: op === 'remove' ? undefined : coerceSimple(sub, value, path) };
  return op === 'remove' ? undefined : coerceComplex(attribute, value, path);
}

const unassigns = (change: ScimDoc, { sub }: PatchTarget) => sub !== undefined && change[sub.name] === undefined;

function rewritten(
  element: ScimDoc,
  change: ScimDoc | undefined,
  { attribute, sub, path }: PatchTarget,
  op: OpName,
): ScimDoc | undefined {
  if (change === undefined) return undefined;
  return meaningful(
    attribute,
    sub || op === 'add' ? merged(element, change, attribute, path) : replaced(element, change, attribute, path),
  );
}

/** An element of an attribute that has a `value` sub-attribute means nothing without one (an email without address). */
function meaningful(attribute: AttributeDefinition, element: ScimDoc | undefined): ScimDoc | undefined {
  const needsValue = findAttribute(attribute.subAttributes, 'value') !== undefined;
  return element && (!needsValue || element.value !== undefined) ? element : undefined;
}

/** A filter that matched nothing creates the element it describes (Entra's `emails[type eq "work"].value`). */
function created(list: ScimDoc[], filter: ValueFilter, given: ScimDoc, { attribute, path }: PatchTarget): ListEdit {
  if (!filter.seed) throw noTarget(`No value of "${attribute.name}" matches "${path}".`);
  const element = meaningful(attribute, coerceElements(attribute, { ...filter.seed, ...compact(given) }, path)[0]);
  return element ? { list: [...list, element], touched: [element] } : { list, touched: [] };
}

/** An element written with `primary: true` takes it from the others (RFC 7643 §2.4). */
function settlePrimary(attribute: AttributeDefinition, { list, touched }: ListEdit, path: string): ScimDoc[] {
  if (!findAttribute(attribute.subAttributes, 'primary')) return list;
  const chosen = touched.filter((element) => element.primary === true);
  if (chosen.length > 1) throw invalidValue(`At most one value of "${attribute.name}" may be primary (${path}).`);
  if (chosen.length === 0) return list;
  return list.map((element) =>
    element === chosen[0] || element.primary !== true ? element : without(element, 'primary'),
  );
}

const without = (element: ScimDoc, key: string): ScimDoc => compact({ ...element, [key]: undefined });

/** A resource that gained an extension object lists the extension's URN in `schemas`. */
function listExtensionSchemas(resource: ResourceName, doc: ScimDoc) {
  if (!Array.isArray(doc.schemas)) return;
  const missing = resourceSchemas(resource)
    .slice(1)
    .filter((urn) => isRecord(doc[urn]) && !(doc.schemas as unknown[]).includes(urn));
  if (missing.length > 0) doc.schemas = [...doc.schemas, ...missing];
}
