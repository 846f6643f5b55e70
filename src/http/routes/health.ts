import Router from '@koa/router';
import { retryLater } from '../retry-later.js';

/** `/readyz` answers within this, whatever the database does (a hung one, an exhausted pool). */
export const READY_DEADLINE_MS = 500;

/**
 * /healthz (liveness): the process answers; it never touches the database.
 * /readyz (readiness): and its database answers `select 1` within READY_DEADLINE_MS;
 * otherwise 503. One ping at a time: while one is pending, every probe waits on
 * the same one (probes of a hung database do not pile up in the pool).
 */
export function healthRoutes(deps: { ping: () => Promise<void> }) {
  let pending: Promise<void> | undefined;
  const pingOnce = () => (pending ??= deps.ping().finally(() => (pending = undefined)));

  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), READY_DEADLINE_MS)));
    const outcome = await Promise.race([
      pingOnce().then(
        () => 'ready' as const,
        () => 'down' as const,
      ),
      deadline,
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') {
      ctx.body = { status: 'ready' };
      return;
    }
    ctx.status = 503;
    retryLater(ctx);
    ctx.body = { status: 'unavailable', error: outcome === 'late' ? 'database.timeout' : 'database.unreachable' };
  });
  return router;
}
