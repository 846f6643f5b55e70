import type { Container } from '../../../container.js';
import { impersonationRoutes } from './impersonation.js';
import type { AdminRoute } from './route.js';
import { userRoutes } from './users.js';
import { meRoutes } from './me.js';
import { securityRoutes } from './security.js';

/** Every operation of the admin API, one module per area. */
export function adminRoutes(c: Container): AdminRoute[] {
  return [
    ...meRoutes({ users: c.admin.users }),
    ...userRoutes({ users: c.admin.users, baseUrl: c.admin.baseUrl }),
    ...securityRoutes({ clients: c.clients, scimTokens: c.scim.auth }),
    ...impersonationRoutes({ impersonation: c.impersonation }),
  ];
}
