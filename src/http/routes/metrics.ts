import Router from '@koa/router';
import { fail } from '../../errors/codes.js';
import type { MetricsService } from '../../services/metrics.js';
import { constantTimeEqual, hashToken } from '../../util/crypto.js';

/**
 * `GET /metrics` on the public port, for `Authorization: Bearer <METRICS_TOKEN>`
 * (compared in constant time, as hashes: the length is not told either). Mounted
 * only when a token is configured; otherwise the path is unknown (404).
 */
export function metricsRoutes(deps: { metrics: Pick<MetricsService, 'exposition'>; token: string }) {
  const expected = hashToken(deps.token);
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const given = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1] ?? '';
    if (!constantTimeEqual(hashToken(given), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw fail('metrics.unauthorized');
    }
    const { contentType, text } = await deps.metrics.exposition();
    ctx.type = contentType;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = text;
  });
  return router;
}
