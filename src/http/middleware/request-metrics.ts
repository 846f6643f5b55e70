import type { Context, Next } from 'koa';
import type { MetricsService } from '../../services/metrics.js';
import { requestRoutes } from '../../util/request-context.js';
import { answeredRoute } from '../route-template.js';

/** Counts and times every request by method, route template and status (outside the error handling: the final status). */
export function requestMetrics(metrics: Pick<MetricsService, 'request'>) {
  return async (ctx: Context, next: Next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = answeredRoute(ctx);
      requestRoutes.set(ctx.req, route);
      metrics.request({ method: ctx.method, route, status: ctx.status }, (performance.now() - start) / 1000);
    }
  };
}
