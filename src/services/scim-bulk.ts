import { databaseFault } from '../db/database-error.js';
import { asScimError, invalidSyntax, invalidValue, scimErrorBody, ScimError } from '../scim/errors.js';
import { BULK_REQUEST, BULK_RESPONSE } from '../scim/schemas.js';
import type { ScimDoc } from '../scim/schemas.js';
import type { ScimCaller, ScimUsersService } from './scim-users.js';

export interface BulkOperation {
  method: string;
  path: string;
  bulkId?: string;
  version?: string;
  data?: unknown;
}

/** An operation as the client sent it: `method` and `path` are checked, `bulkId` and `version` passed on as given. */
type RawOperation = { method?: unknown; path?: unknown; bulkId?: string; version?: string; data?: unknown };

type Resources = Pick<ScimUsersService, 'create' | 'replace' | 'patch' | 'remove'>;

/**
 * Replaces each "bulkId:x" (a whole data value, or the id segment of the path)
 * with the id created for x, and lists the references still unknown.
 */
function resolveRefs(op: BulkOperation, ids: Map<string, string>): { path: string; data: unknown; missing: string[] } {
  const missing: string[] = [];
  const resolve = (ref: string, original: string) => {
    if (!ids.has(ref)) missing.push(ref);
    return ids.get(ref) ?? original;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const ref = /^bulkId:(.+)$/.exec(v)?.[1];
      return ref === undefined ? v : resolve(ref, v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const path = op.path.replace(/(?<=\/)bulkId:([^/]+)$/, (whole, ref: string) => resolve(ref, whole));
  return { path, data: walk(op.data), missing };
}

function readOperations(body: unknown, maxOperations: number): { operations: BulkOperation[]; failOnErrors: number } {
  const doc = body as { schemas?: unknown; Operations?: unknown; failOnErrors?: unknown };
  if (!doc || !Array.isArray(doc.schemas) || !doc.schemas.includes(BULK_REQUEST))
    throw invalidSyntax(`A Bulk request lists the schema ${BULK_REQUEST}.`);
  if (!Array.isArray(doc.Operations) || !doc.Operations.length)
    throw invalidSyntax('"Operations" must be a non-empty array.');
  if (doc.Operations.length > maxOperations)
    throw new ScimError(413, undefined, `A Bulk request holds at most ${maxOperations} operations.`);
  const failOnErrors = doc.failOnErrors === undefined ? Infinity : Number(doc.failOnErrors);
  if (!Number.isInteger(failOnErrors) && failOnErrors !== Infinity)
    throw invalidValue('"failOnErrors" must be an integer.');
  const operations = (doc.Operations as (RawOperation | null)[]).map((op, i) => {
    if (!op || typeof op.method !== 'string' || typeof op.path !== 'string')
      throw invalidSyntax(`Operation ${i + 1} needs a "method" and a "path".`);
    return { method: op.method.toUpperCase(), path: op.path, bulkId: op.bulkId, version: op.version, data: op.data };
  });
  return { operations, failOnErrors: failOnErrors < 1 ? Infinity : failOnErrors };
}

/**
 * RFC 7644 §3.7: operations run in order, each in its own transaction; a
 * "bulkId:x" anywhere in an operation stands for the id created by the POST with
 * bulkId x (an operation waiting for a later POST runs after it). Processing
 * stops after `failOnErrors` errors.
 */
export function createScimBulkService(deps: {
  users: Resources;
  groups: Resources;
  maxOperations: number;
  onFault: (err: unknown, op: BulkOperation) => void;
}) {
  async function run(op: BulkOperation, caller: ScimCaller): Promise<{ status: number; doc?: ScimDoc }> {
    const match = /^\/(Users|Groups)(?:\/([^/]+))?$/i.exec(op.path);
    if (!match) throw invalidValue(`Unknown path "${op.path}": use /Users, /Groups or /Users/{id}, /Groups/{id}.`);
    const service = match[1]?.toLowerCase() === 'users' ? deps.users : deps.groups;
    const id = match[2];
    if (op.method === 'POST' && !id) {
      if (!op.bulkId) throw invalidValue('A POST in a Bulk request needs a "bulkId".');
      return { status: 201, doc: await service.create(op.data, caller) };
    }
    if (!id || op.method === 'POST') throw invalidValue(`${op.method} needs a path with an id.`);
    if (op.method === 'PUT') return { status: 200, doc: await service.replace(id, op.data, op.version, caller) };
    if (op.method === 'PATCH') return { status: 200, doc: await service.patch(id, op.data, op.version, caller) };
    if (op.method === 'DELETE') {
      await service.remove(id, op.version, caller);
      return { status: 204, doc: undefined };
    }
    throw invalidValue(`Unknown method "${op.method}".`);
  }

  return async function bulk(body: unknown, caller: ScimCaller) {
    const { operations, failOnErrors } = readOperations(body, deps.maxOperations);
    const ids = new Map<string, string>();
    const results: ScimDoc[] = new Array(operations.length);
    const pendingBulkIds = new Set(operations.filter((o) => o.bulkId).map((o) => String(o.bulkId)));
    let queue = operations.map((op, index) => ({ op, index }));
    let errors = 0;

    while (queue.length && errors < failOnErrors) {
      const waiting: typeof queue = [];
      for (const { op, index } of queue) {
        if (errors >= failOnErrors) break;
        const refs = resolveRefs(op, ids);
        const resolvable = refs.missing.every((r) => pendingBulkIds.has(r));
        if (refs.missing.length && resolvable) {
          waiting.push({ op, index });
          continue;
        }
        const resolved = { ...op, path: refs.path, data: refs.data };
        const base = { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}) };
        try {
          if (refs.missing.length)
            throw new ScimError(409, 'invalidValue', `Unknown bulkId reference(s): ${refs.missing.join(', ')}.`);
          const { status, doc } = await run(resolved, caller);
          const meta = doc?.meta as { location?: string; version?: string } | undefined;
          if (op.bulkId && doc) ids.set(String(op.bulkId), String(doc.id));
          results[index] = {
            ...base,
            ...(meta ? { location: meta.location, version: meta.version } : {}),
            status: String(status),
          };
        } catch (err) {
          const scim = asScimError(err, databaseFault(err));
          // A server fault fails this operation only: the ones before it are committed.
          if (!scim) deps.onFault(err, op);
          errors += 1;
          const error = scim ?? new ScimError(500, undefined, 'The server could not complete this operation.');
          results[index] = { ...base, status: String(error.status), response: scimErrorBody(error) };
          // The database is unavailable: the operations after this one would each wait out its deadline.
          if (error.status === 503) errors = failOnErrors;
        }
        if (op.bulkId) pendingBulkIds.delete(String(op.bulkId));
      }
      // Nothing ran in a pass: what waits refers to POSTs that failed or never ran.
      if (waiting.length === queue.length) {
        for (const { op } of waiting) if (op.bulkId) pendingBulkIds.delete(String(op.bulkId));
      }
      queue = waiting;
    }
    return { schemas: [BULK_RESPONSE], Operations: results.filter(Boolean) };
  };
}
