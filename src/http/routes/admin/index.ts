import type { AccountGroupAdminService } from '../../../services/account-group-admin.js';
import type { AccountAdminService } from '../../../services/account-admin.js';
import type { AuditLogService } from '../../../services/audit.js';
import type { ClientRegistryService } from '../../../services/client-registry.js';
import type { GroupAdminService } from '../../../services/group-admin.js';
import type { ImpersonationService } from '../../../services/impersonation.js';
import type { InvitationsService } from '../../../services/invitations.js';
import type { MailTemplatesService } from '../../../services/mail-templates.js';
import type { LicencesService } from '../../../services/licences.js';
import type { ScimAuthService } from '../../../services/scim-auth.js';
import type { SettingsService } from '../../../services/settings.js';
import type { UserAdminService } from '../../../services/user-admin.js';
import type { UserAnonymiseService } from '../../../services/user-anonymise.js';
import type { UserBulkService } from '../../../services/user-bulk.js';
import type { UserExportService } from '../../../services/user-export.js';
import type { UserImportService } from '../../../services/user-import.js';
import type { UserLifecycleService } from '../../../services/user-lifecycle.js';
import type { UserMergeService } from '../../../services/user-merge.js';
import type { UserRelationsService } from '../../../services/user-relations.js';
import type { UserSessionsService } from '../../../services/user-sessions.js';
import { bulkRoutes } from './bulk.js';
import { exportRoutes } from './exports.js';
import { adminImpersonationRoutes } from './impersonation.js';
import { importRoutes } from './imports.js';
import { invitationRoutes } from './invitations.js';
import { licenceRoutes } from './licences.js';
import { lifecycleRoutes } from './lifecycle.js';
import { mailTemplateRoutes } from './mail-templates.js';
import { sessionRoutes } from './sessions.js';
import { accountGroupRoutes } from './account-groups.js';
import { adminAccountRoutes } from './accounts.js';
import { auditRoutes } from './audit.js';
import { groupRoutes } from './groups.js';
import { relationRoutes } from './relations.js';
import { settingsRoutes } from './settings.js';
import type { AdminRoute } from './route.js';
import { userRoutes } from './users.js';
import { customFieldRoutes } from './custom-fields.js';
import type { CustomFieldsService } from '../../../services/custom-fields.js';
import { meRoutes } from './me.js';
import { securityRoutes } from './security.js';
import { clientRoutes } from './clients.js';
import { webhookRoutes } from './webhooks.js';
import type { WebhooksService } from '../../../services/webhooks.js';
import { identityProviderRoutes } from './identity-providers.js';
import type { IdentityProvidersService } from '../../../services/identity-providers.js';

/** The services behind the admin API. */
export interface AdminRouteDeps {
  baseUrl: string;
  users: UserAdminService;
  bulk: UserBulkService;
  clients: ClientRegistryService;
  scimTokens: ScimAuthService;
  merges: UserMergeService;
  anonymiser: UserAnonymiseService;
  lifecycle: UserLifecycleService;
  invitations: InvitationsService;
  sessions: UserSessionsService;
  relations: UserRelationsService;
  accounts: AccountAdminService;
  accountGroups: AccountGroupAdminService;
  groups: GroupAdminService;
  auditLog: AuditLogService;
  settings: SettingsService;
  imports: UserImportService;
  exports: UserExportService;
  impersonation: ImpersonationService;
  mailTemplates: MailTemplatesService;
  licences: LicencesService;
  customFields: CustomFieldsService;
  webhooks: WebhooksService;
  identityProviders: IdentityProvidersService;
}

/** Every operation of the admin API, one module per area (each takes the services it uses from `deps`). */
const AREAS = [
  meRoutes,
  userRoutes,
  bulkRoutes,
  securityRoutes,
  clientRoutes,
  lifecycleRoutes,
  invitationRoutes,
  sessionRoutes,
  relationRoutes,
  adminAccountRoutes,
  accountGroupRoutes,
  groupRoutes,
  licenceRoutes,
  auditRoutes,
  settingsRoutes,
  mailTemplateRoutes,
  importRoutes,
  exportRoutes,
  adminImpersonationRoutes,
  customFieldRoutes,
  webhookRoutes,
  identityProviderRoutes,
];

export function adminRoutes(deps: AdminRouteDeps): AdminRoute[] {
  return AREAS.flatMap((area) => area(deps));
}
