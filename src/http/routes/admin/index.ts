import type { Container } from '../../../container.js';
import { exportRoutes } from './exports.js';
import { impersonationRoutes } from './impersonation.js';
import { importRoutes } from './imports.js';
import { invitationRoutes } from './invitations.js';
import { lifecycleRoutes } from './lifecycle.js';
import { sessionRoutes } from './sessions.js';
import { accountGroupRoutes } from './account-groups.js';
import { accountRoutes } from './accounts.js';
import { auditRoutes } from './audit.js';
import { groupRoutes } from './groups.js';
import { relationRoutes } from './relations.js';
import { settingsRoutes } from './settings.js';
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
    ...lifecycleRoutes({ merges: c.admin.merges, anonymiser: c.admin.anonymiser }),
    ...invitationRoutes({ invitations: c.admin.invitations }),
    ...sessionRoutes({ sessions: c.admin.sessions }),
    ...relationRoutes({ relations: c.admin.relations }),
    ...accountRoutes({ accounts: c.admin.accounts, baseUrl: c.admin.baseUrl }),
    ...accountGroupRoutes({ accountGroups: c.admin.accountGroups, baseUrl: c.admin.baseUrl }),
    ...groupRoutes({ groups: c.admin.groups, baseUrl: c.admin.baseUrl }),
    ...auditRoutes({ auditLog: c.admin.auditLog }),
    ...settingsRoutes({ settings: c.settings }),
    ...importRoutes({ imports: c.admin.imports }),
    ...exportRoutes({ exports: c.admin.exports }),
    ...impersonationRoutes({ impersonation: c.impersonation }),
  ];
}
