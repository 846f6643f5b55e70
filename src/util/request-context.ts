import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';

/** What every log line written while a request is served carries. */
export interface RequestContext {
  requestId: string;
}

/** The request being served, wherever the code is (http/middleware/request-id.ts enters it; the logger's mixin reads it). */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * The route template a request was answered by (`/admin/api/users/:id`), kept by the
 * request metrics for the tracing (telemetry.ts names each server span after it).
 */
export const requestRoutes = new WeakMap<IncomingMessage, string>();
