import Router from '@koa/router';
import { fail } from '../../errors/codes.js';
import type { ImpersonationSessions } from '../../oidc/impersonation-session.js';
import { readForm } from '../middleware/body.js';
import type { Csrf } from '../middleware/csrf.js';
import type { Renderer } from '../render.js';

/**
 * Interactive impersonation in the admin's own browser:
 *   GET  /impersonation/start?ticket=…   redeems the link the admin API gave (single use, 2 minutes)
 *   POST /impersonation/stop             the banner's Stop button: the session is the admin's again
 *   GET  /impersonation                  where both land: who this browser is acting as
 */
export function impersonationRoutes(deps: { sessions: ImpersonationSessions; csrf: Csrf; render: Renderer }) {
  const { sessions, csrf, render } = deps;
  const router = new Router({ prefix: '/impersonation' });

  router.get('/start', async (ctx) => {
    const ticket = String(ctx.query.ticket ?? '');
    if (!ticket) throw fail('impersonation.invalid_ticket', { incomplete: true });
    await sessions.start(ctx, ticket);
    ctx.status = 303;
    ctx.redirect('/impersonation');
  });

  router.post('/stop', async (ctx) => {
    csrf.verify(ctx, (await readForm(ctx))._csrf);
    await sessions.restore(ctx, await sessions.load(ctx), 'stopped');
    ctx.status = 303;
    ctx.redirect('/impersonation?done=stopped');
  });

  router.get('/', (ctx) => render.page(ctx, 'impersonation', { stopped: ctx.query.done === 'stopped' }));

  return router;
}
