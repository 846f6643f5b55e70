import type Router from '@koa/router';
import type { Middleware } from 'koa';

type RouterOutput = ReturnType<Router['routes']> | ReturnType<Router['allowedMethods']>;

/**
 * A router's middleware as plain Koa middleware, for koa-compose and oidc-provider's
 * `use`. @koa/router types it for a context that already carries `params` and
 * `router`, which the router sets itself as a request enters it.
 */
export const routerMiddleware = (middleware: RouterOutput): Middleware => middleware as unknown as Middleware;
