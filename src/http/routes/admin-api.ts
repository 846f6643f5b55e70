import Router from '@koa/router';
import compose from 'koa-compose';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { AdminAuth, AdminCaller } from '../../services/admin-auth.js';
import type { ImpersonationService } from '../../services/impersonation.js';
import { readJson } from '../middleware/body.js';

export const ADMIN_API_PREFIX = '/admin/api';

export interface AdminApiDeps {
  auth: AdminAuth;
  impersonation: ImpersonationService;
  log: Logger;
}

type AdminContext<Body = unknown> = Context & { state: { caller: AdminCaller; body: Body } };

/** Every failure as `{ "error": "area.reason", "message": … }`; server faults are logged, never explained. */
function jsonErrors(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('admin_api.not_found', 404, `No endpoint ${ctx.method} ${ctx.path}.`);
      if (ctx.status === 405) throw new AppError('admin_api.method_not_allowed', 405, `${ctx.method} is not allowed on ${ctx.path}.`);
    } catch (err) {
      const known = err instanceof AppError && err.expose;
      if (!known) log.error({ err, path: ctx.path }, 'admin_api.failed');
      ctx.status = known ? err.status : 500;
      ctx.body = known ? { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } : { error: 'server.error', message: 'The server could not complete the request.' };
      if (ctx.status === 401) ctx.set('WWW-Authenticate', ctx.get('authorization') ? 'Bearer realm="admin", error="invalid_token"' : 'Bearer realm="admin"');
    }
  };
}

/** `Authorization: Bearer <a Gatehouse access token for the admin API>`; the caller goes to `ctx.state.caller`. */
function bearer(auth: AdminAuth) {
  return async (ctx: Context, next: Next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    const caller = token && (await auth.authenticate(token));
    if (!caller) throw new AppError('admin_api.unauthorized', 401, 'A valid access token for the admin API (scope "admin") is required.');
    ctx.state.caller = caller;
    await next();
  };
}

/** A JSON body checked against `schema`; the parsed value goes to `ctx.state.body`. */
function jsonBody<T>(schema: z.ZodType<T>) {
  return async (ctx: Context, next: Next) => {
    ctx.state.body = await readJson(ctx, schema);
    await next();
  };
}

const StartImpersonation = z.object({ userId: z.string().min(1).max(200) });

/**
 * `/admin/api`: JSON for administrators, called with their own access token.
 *   POST /impersonation  {"userId"}  → 201 {"url", "expiresAt"}: a single-use link that
 *                        starts acting as the user in the caller's own browser
 */
export function adminApi(deps: AdminApiDeps) {
  const router = new Router({ prefix: ADMIN_API_PREFIX });

  router.post('/impersonation', jsonBody(StartImpersonation), async (ctx) => {
    const { caller, body } = (ctx as AdminContext<z.infer<typeof StartImpersonation>>).state;
    const ticket = await deps.impersonation.createTicket(caller, body.userId, ctx.ip);
    ctx.status = 201;
    ctx.body = { url: ticket.url, expiresAt: ticket.expiresAt.toISOString() };
  });

  return compose<any>([jsonErrors(deps.log), bearer(deps.auth), router.routes(), router.allowedMethods()]);
}
