import Router from '@koa/router';
import compose from 'koa-compose';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import { databaseFault } from '../../db/database-error.js';
import { isDatabaseUnavailable } from '../../db/database-unavailable.js';
import { AppError, assertThat } from '../../errors/app-error.js';
import { fail } from '../../errors/codes.js';
import { mayDo, PERMISSIONS } from '../../policies/permissions.js';
import { ADMIN_SCOPE, type AdminAuthService } from '../../services/admin-auth.js';
import type { RateLimitsService } from '../../services/rate-limits.js';
import { readJson } from '../middleware/body.js';
import { retryLater, setRetryAfter } from '../retry-later.js';
import { openApiDocument } from './admin/openapi.js';
import type { AdminContext, AdminRoute } from './admin/route.js';
import { routerMiddleware } from '../router-middleware.js';

export const ADMIN_API_PREFIX = '/admin/api';

/** What the database refused that a check before it could not see (two writers at once), as the caller's error. */
function fromDatabase(err: unknown): unknown {
  const { kind } = databaseFault(err);
  if (kind === 'unique_violation') return fail('conflict.unique');
  if (kind === 'foreign_key_violation') return fail('request.unknown_reference');
  return err;
}

/**
 * Every failure as `{ "error": "area.reason", "message": …, "requestId": … }`; server faults are logged, never explained.
 * An unavailable database is 503 `db.unavailable` with Retry-After.
 */
function jsonErrors(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw fail('admin_api.not_found', { method: ctx.method, path: ctx.path });
      if (ctx.status === 405) throw fail('admin_api.method_not_allowed', { method: ctx.method, path: ctx.path });
    } catch (caught) {
      if (isDatabaseUnavailable(caught)) {
        log.warn({ err: caught, path: ctx.path }, 'admin_api.database_unavailable');
        ctx.status = 503;
        retryLater(ctx);
        ctx.body = {
          error: 'db.unavailable',
          message: 'The database is not answering. Try again in a moment.',
          requestId: ctx.state.requestId,
        };
        return;
      }
      const err = fromDatabase(caught);
      const known = err instanceof AppError && err.expose;
      if (!known) log.error({ err, path: ctx.path }, 'admin_api.failed');
      ctx.status = known ? err.status : 500;
      const { requestId } = ctx.state;
      ctx.body = known
        ? { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}), requestId }
        : { error: 'server.error', message: 'The server could not complete the request.', requestId };
      setRetryAfter(ctx, err);
      const challenge = bearerChallenge(ctx.status, known ? err.code : '', ctx.get('authorization') !== '');
      if (challenge) ctx.set('WWW-Authenticate', challenge);
    }
  };
}

/**
 * RFC 6750's challenge: no token says only the realm; a token that is no good is
 * `invalid_token`; one without the scope is `insufficient_scope` (403).
 */
function bearerChallenge(status: number, code: string, sentToken: boolean): string | undefined {
  if (status === 401) return sentToken ? 'Bearer realm="admin", error="invalid_token"' : 'Bearer realm="admin"';
  if (code === 'admin_api.missing_scope')
    return `Bearer realm="admin", error="insufficient_scope", scope="${ADMIN_SCOPE}"`;
  return undefined;
}

/**
 * `Authorization: Bearer <a Gatehouse access token for the admin API>`; the caller goes to `ctx.state.caller`.
 * An IP that failed too often is refused (429) before the token is read; each refusal counts.
 */
function bearer(auth: AdminAuthService, throttle: RateLimitsService['bearer']) {
  return async (ctx: Context, next: Next) => {
    await throttle.check('admin', ctx.ip);
    const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    // A token refused as no good (401) counts against the IP; a good one lacking a power (403) does not.
    ctx.state.caller = await auth.authenticate(token).catch(async (err: unknown) => {
      if (err instanceof AppError && err.status === 401) await throttle.failed('admin', ctx.ip);
      throw err;
    });
    await next();
  };
}

/** What an operation without query parameters takes: none. */
const NO_QUERY = z.object({});

/** Query parameters whose names start so are custom-field filters (schemas/withCustomFilters gathers them under `cf`). */
const CUSTOM_FIELD_PREFIX = 'cf.';

/** The object schema of a query schema, through the pipes a preprocess makes. */
function objectSchema(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodPipe) return objectSchema(schema.out as z.ZodType) ?? objectSchema(schema.in as z.ZodType);
  return undefined;
}

/**
 * A parameter the route does not declare is refused (400 `request.unknown_parameter`), never
 * silently dropped: `?tagg=leaver` must not list, export or bulk-change everyone. A schema
 * that declares `cf` (custom-field filters) takes `cf.<key>` parameters besides its own.
 */
function assertKnownParameters(query: Record<string, unknown>, schema: z.ZodType) {
  const object = objectSchema(schema);
  if (!object) return;
  const declared = object.shape;
  const takesCustomFields = Object.hasOwn(declared, 'cf');
  for (const name of Object.keys(query)) {
    if (name === 'cf' || !Object.hasOwn(declared, name)) {
      if (takesCustomFields && name.startsWith(CUSTOM_FIELD_PREFIX)) continue;
      throw fail('request.unknown_parameter', { name, known: Object.keys(declared).filter((k) => k !== 'cf') });
    }
  }
}

/** The query string checked against `schema` (a repeated parameter is a list); an unknown parameter is 400. */
function readQuery<T>(ctx: Context, schema: z.ZodType<T>): T {
  assertKnownParameters(ctx.query, schema);
  const parsed = schema.safeParse(ctx.query);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw fail('request.invalid_query', { issues });
}

/** One operation: permission, then inputs, then the handler. */
function operation(r: AdminRoute) {
  return async (ctx: Context) => {
    const c = ctx as AdminContext;
    const { caller } = c.state;
    if (r.permission)
      assertThat(
        mayDo(caller.powers, r.permission),
        fail('admin_api.forbidden', {
          role: caller.powers.role,
          permission: r.permission,
          needs: PERMISSIONS[r.permission],
        }),
      );
    const query = readQuery(ctx, r.query ?? NO_QUERY);
    const body =
      r.body && !('contentType' in r.body && typeof r.body.contentType === 'string')
        ? await readJson(ctx, r.body as z.ZodType, { limit: 1024 * 1024 })
        : undefined;
    await r.handle(c, {
      params: (ctx as Context & { params: Record<string, string> }).params,
      query,
      body,
      by: { actor: caller.actor, ip: ctx.ip, powers: caller.powers },
    });
  };
}

/**
 * `/admin/api`: JSON for administrators, called with their own access token
 * (resource `<issuer>/admin/api`, scope `admin`). Every operation is an
 * `AdminRoute`; `GET /openapi.json` describes them all and needs no token.
 */
export function adminApi(deps: {
  routes: readonly AdminRoute[];
  auth: AdminAuthService;
  throttle: RateLimitsService['bearer'];
  log: Logger;
  baseUrl: string;
}) {
  // Made at the first request for it, then kept: turning every route's schemas into JSON Schema
  // takes a tenth of a second of a core, which a server that is never asked for it need not spend.
  let document: ReturnType<typeof openApiDocument> | undefined;
  const open = new Router({ prefix: ADMIN_API_PREFIX });
  open.get('/openapi.json', (ctx) => {
    document ??= openApiDocument(deps.routes, deps.baseUrl);
    ctx.body = document;
  });
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  for (const r of deps.routes) router[r.method](r.path.replace(/\{(\w+)\}/g, ':$1'), operation(r));
  return compose<Context>([
    jsonErrors(deps.log),
    routerMiddleware(open.routes()),
    bearer(deps.auth, deps.throttle),
    routerMiddleware(router.routes()),
    routerMiddleware(router.allowedMethods()),
  ]);
}
