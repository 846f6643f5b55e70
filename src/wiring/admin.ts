import { createAdminAuthService } from '../services/admin-auth.js';
import { createUserAdminService } from '../services/user-admin.js';
import { createUserReachService } from '../services/user-reach.js';
import { createAccountGroupAdminService } from '../services/account-group-admin.js';
import { createAccountAdminService } from '../services/account-admin.js';
import { createGroupAdminService } from '../services/group-admin.js';
import { createUserRelationsService } from '../services/user-relations.js';
import { createUserAnonymiseRepository } from '../repositories/user-anonymise.js';
import { createUserMergeRepository } from '../repositories/user-merge.js';
import { createInvitationsService } from '../services/invitations.js';
import { createUserAnonymiseService } from '../services/user-anonymise.js';
import { createUserMergeService } from '../services/user-merge.js';
import { createUserSessionsService } from '../services/user-sessions.js';
import { createImportJobsRepository } from '../repositories/import-jobs.js';
import { createUserImportRepository } from '../repositories/user-import.js';
import { createUserExportService } from '../services/user-export.js';
import { createUserImportService } from '../services/user-import.js';
import { createAuditLogService } from '../services/audit.js';
import { createUserLifecycleService } from '../services/user-lifecycle.js';
import { createBulkJobsRepository } from '../repositories/bulk-jobs.js';
import { bulkActions } from '../services/bulk-actions.js';
import { createUserBulkService } from '../services/user-bulk.js';
import { createUserTagsRepository } from '../repositories/user-tags.js';
import { createUserTagsService } from '../services/user-tags.js';
import { createLicencesService } from '../services/licences.js';
import type { Core } from './core.js';
import { createCustomFieldsRepository } from '../repositories/custom-fields.js';
import { createUserContactsRepository } from '../repositories/user-contacts.js';
import { createCustomFieldsService } from '../services/custom-fields.js';
import { createUserRecordService } from '../services/user-record.js';
import type { createOidcArea } from './oidc.js';
import type { createSignInArea } from './sign-in.js';

type AdminDeps = Pick<
  Core,
  'config' | 'log' | 'clock' | 'db' | 'transact' | 'repos' | 'audit' | 'settings' | 'mails' | 'webhookOutbox'
> &
  Pick<ReturnType<typeof createSignInArea>, 'identity' | 'passwordResets' | 'mfa'> &
  Pick<ReturnType<typeof createOidcArea>, 'accessTokens'>;

/** The admin API's services. */
export function createAdminArea(deps: AdminDeps) {
  const { config, log, clock, db, transact, repos, audit, settings, identity, passwordResets, accessTokens } = deps;
  const adminApiUrl = `${config.issuer}/admin/api`;
  const reach = createUserReachService({ users: repos.users, search: repos.search });
  const customFields = createCustomFieldsRepository(db);
  const userContacts = createUserContactsRepository(db);
  const record = createUserRecordService({
    fields: customFields,
    requiredFields: () => settings.current().requiredFields,
  });
  const invitations = createInvitationsService({
    transact,
    users: repos.users,
    invitations: repos.invitations,
    resets: passwordResets,
    audit,
    reach,
    clock,
    log,
  });
  const users = createUserAdminService({
    transact,
    users: repos.users,
    search: repos.search,
    relations: repos.relations,
    licences: repos.licences,
    identity,
    resets: passwordResets,
    audit,
    reach,
    invitations,
    clock,
    duplicateEmails: () => settings.current().duplicateEmails,
    record,
    contacts: userContacts,
    events: repos.audit,
  });
  const relations = createUserRelationsService({
    transact,
    relations: repos.relations,
    users: repos.users,
    accounts: repos.accounts,
    accountGroups: repos.accountGroups,
    groups: repos.groups,
    audit,
    reach,
  });
  const anonymiser = createUserAnonymiseService({
    transact,
    users: repos.users,
    erasure: createUserAnonymiseRepository(),
    mfaFactors: repos.mfaFactors,
    payloads: repos.payloads,
    audit,
    reach,
  });
  const licences = createLicencesService({
    transact,
    licences: repos.licences,
    audit,
    reach,
    endSessions: identity.endSessions,
  });
  const lifecycle = createUserLifecycleService({
    transact,
    users: repos.users,
    erasure: createUserAnonymiseRepository(),
    mfa: deps.mfa,
    mails: deps.mails,
    audit,
    reach,
    clock,
    log,
    duplicateEmails: () => settings.current().duplicateEmails,
    signInUrl: `${config.issuer}/account/login`,
  });
  return {
    baseUrl: adminApiUrl,
    auth: createAdminAuthService({ accessTokens, users: repos.users, clients: repos.clients, resource: adminApiUrl }),
    reach,
    users,
    bulk: createUserBulkService({
      actions: bulkActions({
        users,
        relations,
        invitations,
        anonymiser,
        licences,
        lifecycle,
        tags: createUserTagsService({ transact, tags: createUserTagsRepository() }),
      }),
      search: repos.search,
      resolveFilter: record.resolveFilter,
      jobs: createBulkJobsRepository(db),
      audit,
      log,
      clock,
      ...config.bulk,
    }),
    lifecycle,
    customFields: createCustomFieldsService({ transact, fields: customFields, audit }),
    accounts: createAccountAdminService({ transact, accounts: repos.accounts, audit }),
    accountGroups: createAccountGroupAdminService({
      transact,
      accountGroups: repos.accountGroups,
      accounts: repos.accounts,
      audit,
    }),
    groups: createGroupAdminService({ transact, groups: repos.groups, search: repos.search, audit }),
    relations,
    auditLog: createAuditLogService({
      events: repos.audit,
      audit,
      retentionDays: () => settings.current().auditRetentionDays,
      reach,
    }),
    merges: createUserMergeService({
      transact,
      users: repos.users,
      moves: createUserMergeRepository(),
      payloads: repos.payloads,
      audit,
      reach,
    }),
    anonymiser,
    invitations,
    sessions: createUserSessionsService({ transact, payloads: repos.payloads, audit, reach }),
    imports: createUserImportService({
      jobs: createImportJobsRepository(db),
      store: createUserImportRepository(db),
      users: repos.users,
      relations: repos.relations,
      licences: repos.licences,
      // Not retried: the file streams through once.
      transaction: (fn) => db.transaction(fn),
      endSessions: identity.endSessions,
      webhooks: deps.webhookOutbox,
      duplicateEmails: () => settings.current().duplicateEmails,
      log,
      clock,
      leaseSeconds: config.imports.leaseSeconds,
      record,
      contacts: userContacts,
    }),
    exports: createUserExportService({
      search: repos.search,
      licences: repos.licences,
      log,
      record,
      contacts: userContacts,
    }),
    licences,
    mailTemplates: deps.mails,
  };
}
