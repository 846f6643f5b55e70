import Router from '@koa/router';

/** /healthz: the process answers. /readyz: and its database does too. */
export function healthRoutes(deps: { ping: () => Promise<void> }) {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await deps.ping();
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', error: 'database.unreachable' };
    }
  });
  return router;
}
