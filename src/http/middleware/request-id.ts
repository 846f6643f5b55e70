import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { requestContext } from '../../util/request-context.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What is taken from a caller (a load balancer, a client): short and plain, nothing a log viewer could misread. */
const SANE = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The request's id: the caller's `X-Request-Id` when it is sane, else a new UUID.
 * It is echoed in the response, kept as `ctx.state.requestId` (error pages and JSON
 * errors show it), and every log line written while the request is served carries it.
 */
export function requestId() {
  return (ctx: Context, next: Next) => {
    const given = ctx.get(REQUEST_ID_HEADER);
    const id = SANE.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set(REQUEST_ID_HEADER, id);
    return requestContext.run({ requestId: id }, next);
  };
}
