import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createLogger } from '../config/logger.js';
import { resolveSecret } from '../config/secret.js';
import { migrate, openDatabase, poolUsage, retryingTransaction, type Db } from '../db/database.js';
import { createAuditEventsRepository } from '../repositories/audit-events.js';
import { createClientsRepository } from '../repositories/clients.js';
import { createCredentialsRepository } from '../repositories/credentials.js';
import { createMailOutboxRepository } from '../repositories/mail-outbox.js';
import { createMailTemplatesRepository } from '../repositories/mail-templates.js';
import { createOidcPayloadsRepository } from '../repositories/oidc-payloads.js';
import { createEmailChangesRepository } from '../repositories/email-changes.js';
import { createPasswordResetTokensRepository } from '../repositories/password-reset-tokens.js';
import { createRateLimitStore } from '../repositories/rate-limit-store.js';
import { createResourceServersRepository } from '../repositories/resource-servers.js';
import { createSigningKeysRepository } from '../repositories/signing-keys.js';
import { createUsersRepository } from '../repositories/users.js';
import { createAccountsRepository } from '../repositories/accounts.js';
import { createGroupsRepository } from '../repositories/groups.js';
import { createScimTokensRepository } from '../repositories/scim-tokens.js';
import { createUserDirectory } from '../repositories/user-directory.js';
import { createMfaAttemptsRepository } from '../repositories/mfa-attempts.js';
import { createMfaFactorsRepository } from '../repositories/mfa-factors.js';
import { createRecoveryCodesRepository } from '../repositories/recovery-codes.js';
import { createTotpFactorsRepository } from '../repositories/totp-factors.js';
import { createWebAuthnChallengesRepository } from '../repositories/webauthn-challenges.js';
import { createWebAuthnCredentialsRepository } from '../repositories/webauthn-credentials.js';
import { createImpersonationsRepository } from '../repositories/impersonations.js';
import { createSettingsRepository } from '../repositories/settings.js';
import { createUserSearch } from '../repositories/user-search.js';
import { createUserRelationsRepository } from '../repositories/user-relations.js';
import { createAccountGroupsRepository } from '../repositories/account-groups.js';
import { createInvitationsRepository } from '../repositories/invitations.js';
import { createSignInFactsRepository } from '../repositories/sign-in-facts.js';
import { createLicencesRepository } from '../repositories/licences.js';
import { createSignUpRequestsRepository } from '../repositories/sign-up-requests.js';
import { createIdentityProvidersRepository } from '../repositories/identity-providers.js';
import { createAuditService } from '../services/audit.js';
import { createMetricsService } from '../services/metrics.js';
import { createImportJobsRepository } from '../repositories/import-jobs.js';
import { createSettingsService, defaultSettings } from '../services/settings.js';
import { createMailerService } from '../services/mailer.js';
import { createMailTemplatesService } from '../services/mail-templates.js';
import { createInstanceSyncService } from '../services/instance-sync.js';
import { createSamlAssertionsSeenRepository } from '../repositories/saml-assertions-seen.js';
import { createSamlRequestsRepository } from '../repositories/saml-requests.js';
import { openChangeListener } from '../db/change-listener.js';
import { createSecretBox } from '../util/crypto.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createNotifyArea } from './notify.js';

export interface ContainerOptions {
  log?: Logger;
  clock?: Clock;
  /** An open database (tests); otherwise opened from the config. */
  db?: Db;
}

/** What every area builds on: log, clock, secret, the migrated database, repositories, audit, settings, mailer, mails, metrics. */
export async function createCore(config: Config, options: ContainerOptions = {}) {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const secret = resolveSecret(config, log);
  const db =
    options.db ??
    (await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      poolMax: config.databasePoolMax,
      timeouts: config.databaseTimeouts,
      log,
    }));
  await migrate(db);
  const transact = retryingTransaction(db);
  const importJobs = createImportJobsRepository(db);
  const metrics = createMetricsService({
    pool: () => poolUsage(db),
    importJobs: importJobs.countByStatus,
    log,
    processMetrics: config.metrics.token !== undefined || config.metrics.port !== undefined,
  });

  const repos = {
    users: createUsersRepository(db),
    credentials: createCredentialsRepository(db),
    payloads: createOidcPayloadsRepository(db),
    clients: createClientsRepository(db, createSecretBox(secret, 'client-secret')),
    resources: createResourceServersRepository(db),
    signingKeys: createSigningKeysRepository(db),
    resetTokens: createPasswordResetTokensRepository(db),
    emailChanges: createEmailChangesRepository(db),
    audit: createAuditEventsRepository(db),
    outbox: createMailOutboxRepository(db),
    mailTemplates: createMailTemplatesRepository(db),
    accounts: createAccountsRepository(db),
    accountGroups: createAccountGroupsRepository(db),
    groups: createGroupsRepository(db),
    licences: createLicencesRepository(db),
    directory: createUserDirectory(db),
    scimTokens: createScimTokensRepository(db),
    impersonations: createImpersonationsRepository(db),
    webauthnCredentials: createWebAuthnCredentialsRepository(db),
    webauthnChallenges: createWebAuthnChallengesRepository(db),
    totpFactors: createTotpFactorsRepository(db),
    recoveryCodes: createRecoveryCodesRepository(db),
    mfaAttempts: createMfaAttemptsRepository(db),
    mfaFactors: createMfaFactorsRepository(db),
    signInFacts: createSignInFactsRepository(db),
    settings: createSettingsRepository(db),
    search: createUserSearch(db),
    relations: createUserRelationsRepository(db),
    invitations: createInvitationsRepository(db),
    rateLimitStore: createRateLimitStore(db),
    signUpRequests: createSignUpRequestsRepository(db),
    identityProviders: createIdentityProvidersRepository(db),
    samlRequests: createSamlRequestsRepository(db),
    samlAssertionsSeen: createSamlAssertionsSeenRepository(db),
  };

  const notify = await createNotifyArea({ config, log, clock, secret, db, transact, repos });
  // Wherever a user's sessions, grants and tokens end, their clients are told (back-channel logout).
  repos.payloads = { ...repos.payloads, revokeAccount: notify.backchannelLogout.revokeAccount };
  // Each audited change of a user is offered to the webhooks, in its transaction.
  const audit = createAuditService({ events: repos.audit, onRecord: notify.webhookOutbox.enqueue });
  const settings = createSettingsService({
    transact,
    settings: repos.settings,
    audit,
    defaults: defaultSettings(config),
  });
  await settings.load();
  // What this instance keeps in memory follows the changes any instance announces.
  const instanceSync = createInstanceSyncService({ listen: (h) => openChangeListener(db, { ...h, log }), log });
  instanceSync.on('settings', () => settings.load());
  instanceSync.on('client', (clientId) => repos.clients.forget(clientId));
  instanceSync.on('resource_server', (indicator) => repos.resources.forget(indicator));
  const mailer = createMailerService({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    outbox: repos.outbox,
    log,
    clock,
  });
  // Every mail from a template, in the recipient's language.
  const mails = createMailTemplatesService({
    transact,
    templates: repos.mailTemplates,
    audit,
    mailer,
    clock,
    log,
    issuer: config.issuer,
    defaultLanguage: () => settings.current().defaultLanguage,
    branding: () => settings.current().branding,
  });
  const { queue, backchannelLogout, startWorkers, webhookOutbox } = notify;
  const webhooks = notify.adminWebhooks(audit);
  return {
    config,
    log,
    clock,
    secret,
    db,
    transact,
    repos,
    audit,
    settings,
    mailer,
    mails,
    queue,
    backchannelLogout,
    webhooks,
    webhookOutbox,
    startWorkers,
    instanceSync,
    metrics,
  };
}
export type Core = Awaited<ReturnType<typeof createCore>>;
