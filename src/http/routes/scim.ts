import Router from '@koa/router';
import compose from 'koa-compose';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { databaseFault } from '../../db/database-error.js';
import type { ScimAuthService } from '../../services/scim-auth.js';
import type { ScimGroupsService } from '../../services/scim-groups.js';
import type { createScimSearchService } from '../../services/scim-search.js';
import type { ScimCaller, ScimUsersService } from '../../services/scim-users.js';
import { asScimError, invalidSyntax, invalidValue, notFound, scimErrorBody, ScimError } from '../../scim/errors.js';
import { parseListQuery, type ListQuery } from '../../scim/list-query.js';
import { scimOperation } from '../../scim/operation.js';
import { project } from '../../scim/projection.js';
import {
  LIST_RESPONSE,
  resourceTypeDocuments,
  schemaDocuments,
  SEARCH_REQUEST,
  serviceProviderConfig,
  type ScimDoc,
  type ServiceProviderLimits,
} from '../../scim/schemas.js';
import { retryLater, setRetryAfter } from '../retry-later.js';
import { RetryLater } from '../../errors/retry-later.js';
import type { RateLimitsService } from '../../services/rate-limits.js';
import { findUnstorable } from '../../util/storable-text.js';
import { readRaw, unstorableInput } from '../middleware/body.js';
import { routerMiddleware } from '../router-middleware.js';
import { pathParam } from '../path-param.js';

export const SCIM_PREFIX = '/scim/v2';
const SCIM_TYPE = 'application/scim+json; charset=utf-8';

export interface ScimApiDeps {
  users: ScimUsersService;
  groups: ScimGroupsService;
  bulk: (body: unknown, caller: ScimCaller) => Promise<ScimDoc>;
  searchAll: ReturnType<typeof createScimSearchService>;
  auth: ScimAuthService;
  /** Failed bearer authentication per IP. */
  throttle: RateLimitsService['bearer'];
  baseUrl: string;
  limits: ServiceProviderLimits;
  log: Logger;
  /** Counts each request by operation and status (services/metrics.ts `scimRequest`). */
  counted: (operation: string, status: number) => void;
}

type ScimContext = Context & { state: { caller: ScimCaller; body: unknown } };

/** Sends a SCIM body; `resource` (the whole document, before projection) gives ETag and Location. */
function send(ctx: Context, status: number, body: unknown, resource = body) {
  ctx.status = status;
  ctx.body = body;
  ctx.type = SCIM_TYPE;
  const meta = (resource as ScimDoc | undefined)?.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) ctx.set('ETag', meta.version);
  if (status === 201 && meta?.location) ctx.set('Location', meta.location);
}

/** Every failure in the SCIM error schema (an unavailable database: 503 with Retry-After); server faults are logged, never explained. */
function scimErrors(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw notFound(`No SCIM endpoint ${ctx.method} ${ctx.path}.`);
      if (ctx.status === 405) throw new ScimError(405, undefined, `${ctx.method} is not allowed on ${ctx.path}.`);
    } catch (err) {
      const scim = asScimError(err, databaseFault(err));
      if (!scim) log.error({ err, path: ctx.path }, 'scim.failed');
      const error = scim ?? new ScimError(500, undefined, 'The server could not complete the request.');
      send(ctx, error.status, scimErrorBody(error));
      setRetryAfter(ctx, err);
      if (error.status === 401)
        ctx.set(
          'WWW-Authenticate',
          ctx.get('authorization') ? 'Bearer realm="scim", error="invalid_token"' : 'Bearer realm="scim"',
        );
      if (error.status === 503) {
        log.warn({ err, path: ctx.path }, 'scim.database_unavailable');
        retryLater(ctx);
      }
    }
  };
}

const DISCOVERY = /^\/scim\/v2\/(ServiceProviderConfig|Schemas|ResourceTypes)(\/|$)/i;

/** An IP that failed too often is refused (429, Retry-After) before the bearer is looked up; each refusal counts. */
function authenticate(auth: ScimAuthService, throttle: RateLimitsService['bearer']) {
  return async (ctx: Context, next: Next) => {
    if (ctx.method === 'GET' && DISCOVERY.test(ctx.path)) return next();
    await throttle.check('scim', ctx.ip).catch((err) => {
      if (!(err instanceof RetryLater)) throw err;
      setRetryAfter(ctx, err);
      throw new ScimError(429, undefined, err.message);
    });
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    const caller = bearer && (await auth.authenticate(bearer));
    if (!caller) {
      await throttle.failed('scim', ctx.ip);
      throw new ScimError(401, undefined, 'A valid bearer token is required.');
    }
    ctx.state.caller = { ...caller, ip: ctx.ip };
    await next();
  };
}

/** Nesting no SCIM document needs. */
const MAX_DEPTH = 32;
function depth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, d] = top;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, d);
    if (deepest > MAX_DEPTH) break;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** JSON bodies (`application/scim+json` or `application/json`) up to the advertised size. */
function readJson(maxPayloadSize: number) {
  return async (ctx: Context, next: Next) => {
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method)) {
      if (!ctx.is('application/scim+json', 'application/json'))
        throw new ScimError(415, undefined, 'Send the body as application/scim+json or application/json.');
      const length = Number(ctx.get('content-length') || 0);
      if (length > maxPayloadSize)
        throw new ScimError(413, undefined, `The body exceeds the maximum of ${maxPayloadSize} bytes.`);
      const text = await readRaw(ctx, maxPayloadSize);
      try {
        ctx.state.body = JSON.parse(text);
      } catch {
        throw invalidSyntax('The body is not valid JSON.');
      }
      if (depth(ctx.state.body) > MAX_DEPTH) throw invalidSyntax(`The body nests deeper than ${MAX_DEPTH} levels.`);
      // Strings PostgreSQL cannot store (NUL, unpaired surrogates) written as JSON escapes.
      const unstorable = findUnstorable(ctx.state.body);
      if (unstorable !== undefined)
        throw invalidValue(unstorableInput(unstorable ? `"${unstorable}"` : 'The body').message);
    }
    await next();
  };
}

function listResponse(total: number, q: ListQuery, resources: ScimDoc[]) {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: total,
    startIndex: q.startIndex,
    itemsPerPage: resources.length,
    ...(q.count > 0 ? { Resources: resources } : {}),
  };
}

function searchQuery(body: unknown, maxResults: number): ListQuery {
  const doc = body as { schemas?: unknown } | undefined;
  if (!doc || !Array.isArray(doc.schemas) || !doc.schemas.includes(SEARCH_REQUEST))
    throw invalidSyntax(`A search request lists the schema ${SEARCH_REQUEST}.`);
  return parseListQuery(doc as Record<string, unknown>, maxResults);
}

/** `/scim/v2`: RFC 7644 over the SCIM services; a middleware for that prefix. */
export function scimApi(deps: ScimApiDeps) {
  const { limits, baseUrl } = deps;
  const router = new Router({ prefix: SCIM_PREFIX });
  const services = { User: deps.users, Group: deps.groups };

  const listed = <T>(docs: T[]) => ({
    schemas: [LIST_RESPONSE],
    totalResults: docs.length,
    startIndex: 1,
    itemsPerPage: docs.length,
    Resources: docs,
  });
  const byId = <T extends { id: string }>(docs: T[], id: string, what: string) => {
    const doc = docs.find((d) => d.id === id);
    if (!doc) throw notFound(`No ${what} ${id}.`);
    return doc;
  };
  router.get('/ServiceProviderConfig', (ctx) => send(ctx, 200, serviceProviderConfig(baseUrl, limits)));
  router.get('/Schemas', (ctx) => send(ctx, 200, listed(schemaDocuments(baseUrl))));
  router.get('/Schemas/:id', (ctx) => send(ctx, 200, byId(schemaDocuments(baseUrl), pathParam(ctx, 'id'), 'schema')));
  router.get('/ResourceTypes', (ctx) => send(ctx, 200, listed(resourceTypeDocuments(baseUrl))));
  router.get('/ResourceTypes/:id', (ctx) =>
    send(ctx, 200, byId(resourceTypeDocuments(baseUrl), pathParam(ctx, 'id'), 'resource type')),
  );

  for (const [name, path] of [
    ['User', '/Users'],
    ['Group', '/Groups'],
  ] as const) {
    const service = services[name];
    const shape = (doc: ScimDoc, q: { attributes?: string; excludedAttributes?: string }) => project(name, doc, q);
    const one = (ctx: Context, status: number, doc: ScimDoc) =>
      send(ctx, status, shape(doc, ctx.query as Record<string, string>), doc);
    const list = async (ctx: Context, q: ListQuery) => {
      const { total, docs } = await service.list(q);
      send(
        ctx,
        200,
        listResponse(
          total,
          q,
          docs.map((d) => shape(d, q)),
        ),
      );
    };
    router.get(path, (ctx) => list(ctx, parseListQuery(ctx.query, limits.maxResults)));
    router.post(`${path}/.search`, (ctx) => list(ctx, searchQuery((ctx as ScimContext).state.body, limits.maxResults)));
    router.get(`${path}/:id`, async (ctx) =>
      one(ctx, 200, await service.get(pathParam(ctx, 'id'), ctx.query as Record<string, string>)),
    );
    router.post(path, async (ctx) => {
      const { caller, body } = (ctx as ScimContext).state;
      one(ctx, 201, await service.create(body, caller));
    });
    router.put(`${path}/:id`, async (ctx) => {
      const { caller, body } = (ctx as ScimContext).state;
      one(ctx, 200, await service.replace(pathParam(ctx, 'id'), body, ctx.get('if-match') || undefined, caller));
    });
    router.patch(`${path}/:id`, async (ctx) => {
      const { caller, body } = (ctx as ScimContext).state;
      one(ctx, 200, await service.patch(pathParam(ctx, 'id'), body, ctx.get('if-match') || undefined, caller));
    });
    router.delete(`${path}/:id`, async (ctx) => {
      await service.remove(pathParam(ctx, 'id'), ctx.get('if-match') || undefined, (ctx as ScimContext).state.caller);
      ctx.status = 204;
    });
  }

  router.post('/.search', async (ctx) => {
    const q = searchQuery((ctx as ScimContext).state.body, limits.maxResults);
    const { total, found } = await deps.searchAll(q);
    send(
      ctx,
      200,
      listResponse(
        total,
        q,
        found.map(({ resource, doc }) => project(resource, doc, q)),
      ),
    );
  });

  router.post('/Bulk', async (ctx) => {
    const { caller, body } = (ctx as ScimContext).state;
    send(ctx, 200, await deps.bulk(body, caller));
  });

  return compose<Context>([
    async (ctx, next) => {
      await next();
      deps.counted(scimOperation(ctx.method, ctx.path), ctx.status);
    },
    scimErrors(deps.log),
    authenticate(deps.auth, deps.throttle),
    readJson(limits.maxPayloadSize),
    routerMiddleware(router.routes()),
    routerMiddleware(router.allowedMethods()),
  ]);
}
