import { defined } from '../util/defined.js';

/** A parameter the route's path names (`/:id`): the router has set it before the handler runs. */
export const pathParam = (ctx: { params: Record<string, string> }, name: string): string =>
  defined(ctx.params[name], `the path parameter ${name}`);
