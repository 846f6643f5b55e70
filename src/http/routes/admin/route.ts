import type { Context } from 'koa';
import { z } from 'zod';
import type { AdminAction } from '../../../policies/permissions.js';
import type { Operator } from '../../../domain/operator.js';
import type { AdminCaller } from '../../../services/admin-auth.js';

/**
 * One admin API operation: its place, its permission, its inputs (zod) and its
 * answers. The router and `/admin/api/openapi.json` are both made from these, so
 * the document always describes the code.
 */
export interface AdminRoute<
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  P extends string = string,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/users/{id}`. */
  path: P;
  summary: string;
  /** Checked before the input is read; null: any caller of the API. */
  permission: AdminAction | null;
  query?: Q;
  /** A JSON body, or a body of another media type the handler reads itself. */
  body?: B | { contentType: string; description: string };
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handle(
    ctx: AdminContext,
    input: { params: PathParams<P>; query: z.output<Q>; body: z.output<B>; by: Operator },
  ): Promise<void>;
}

export type AdminContext = Context & { state: { caller: AdminCaller } };

/** The parameters a path names: `/users/{id}/roles` gives `{ id: string }`. */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;
export type PathParams<P extends string> = string extends P ? Record<string, string> : Record<ParamNames<P>, string>;

/** Keeps the inferred input types of one route. */
export const adminRoute = <
  P extends string,
  Q extends z.ZodType = z.ZodObject<Record<never, never>>,
  B extends z.ZodType = z.ZodUnknown,
>(
  r: AdminRoute<Q, B, P>,
) => r as unknown as AdminRoute;

/** Shared answers. */
export const ERROR_SCHEMA = z.object({
  error: z.string().describe('area.reason'),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  requestId: z.string().optional().describe('The X-Request-Id of the request: quote it to the operator'),
});
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: ERROR_TEXT[s] ?? 'Error', schema: ERROR_SCHEMA }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input',
  403: 'Not allowed for this caller',
  404: "Not found (or out of the caller's reach)",
  409: 'Conflict',
  412: 'The version given in If-Match is not the current one',
  413: 'Body too large',
  415: 'Unsupported media type',
};

export const uuid = z.uuid();
export const NO_CONTENT = { 204: { description: 'Done' } };

/** 201: `body` is the new resource, `location` its URL. */
export function created(ctx: Context, location: string, body: unknown): void {
  ctx.status = 201;
  ctx.set('Location', location);
  ctx.body = body;
}
