import type { Container } from '../../../container.js';
import { impersonationRoutes } from './impersonation.js';
import type { AdminRoute } from './route.js';
import { userRoutes } from './users.js';

/** Every operation of the admin API, one module per area. */
export function adminRoutes(c: Container): AdminRoute[] {
  return [
    ...userRoutes({ users: c.admin.users }),
    ...impersonationRoutes({ impersonation: c.impersonation }),
  ];
}
