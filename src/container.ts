import pino, { type Logger } from 'pino';
import type { CliServices } from './cli/commands.js';
import type { Config } from './config/config.js';
import { resolveSecret } from './config/secret.js';
import { migrate, openDatabase, ping, retryingTransaction, type Db } from './db/database.js';
import { SELF_SERVICE_CLIENT_ID } from './http/routes/self-service.js';
import { createAccountClaims } from './oidc/account-claims.js';
import { createAuditEventsRepository } from './repositories/audit-events.js';
import { createClientsRepository } from './repositories/clients.js';
import { createCredentialsRepository } from './repositories/credentials.js';
import { createMailOutboxRepository } from './repositories/mail-outbox.js';
import { createOidcPayloadsRepository } from './repositories/oidc-payloads.js';
import { createPasswordResetTokensRepository } from './repositories/password-reset-tokens.js';
import { createRateLimitStore } from './repositories/rate-limit-store.js';
import { createResourceServersRepository } from './repositories/resource-servers.js';
import { createSigningKeysRepository } from './repositories/signing-keys.js';
import { createUsersRepository } from './repositories/users.js';
import { createAccountsRepository } from './repositories/accounts.js';
import { createGroupsRepository } from './repositories/groups.js';
import { createScimTokensRepository } from './repositories/scim-tokens.js';
import { createUserDirectory } from './repositories/user-directory.js';
import { createMfaAttemptsRepository } from './repositories/mfa-attempts.js';
import { createMfaFactorsRepository } from './repositories/mfa-factors.js';
import { createRecoveryCodesRepository } from './repositories/recovery-codes.js';
import { createTotpFactorsRepository } from './repositories/totp-factors.js';
import { createWebAuthnChallengesRepository } from './repositories/webauthn-challenges.js';
import { createWebAuthnCredentialsRepository } from './repositories/webauthn-credentials.js';
import { createImpersonationsRepository } from './repositories/impersonations.js';
import { createSettingsRepository } from './repositories/settings.js';
import { createUserSearch } from './repositories/user-search.js';
import { createUserRelationsRepository } from './repositories/user-relations.js';
import { createAccessTokensService } from './services/access-tokens.js';
import { createAdminAuthService } from './services/admin-auth.js';
import { createClientRegistryService } from './services/client-registry.js';
import { createUserAdminService } from './services/user-admin.js';
import { createUserReachService } from './services/user-reach.js';
import { createAccountGroupsRepository } from './repositories/account-groups.js';
import { createAccountGroupAdminService } from './services/account-group-admin.js';
import { createAccountAdminService } from './services/account-admin.js';
import { createGroupAdminService } from './services/group-admin.js';
import { createUserRelationsService } from './services/user-relations.js';
import { createInvitationsRepository } from './repositories/invitations.js';
import { createUserAnonymiseRepository } from './repositories/user-anonymise.js';
import { createUserMergeRepository } from './repositories/user-merge.js';
import { createInvitationsService } from './services/invitations.js';
import { createUserAnonymiseService } from './services/user-anonymise.js';
import { createUserMergeService } from './services/user-merge.js';
import { createUserSessionsService } from './services/user-sessions.js';
import { createImportJobsRepository } from './repositories/import-jobs.js';
import { createUserImportRepository } from './repositories/user-import.js';
import { createUserExportService } from './services/user-export.js';
import { createUserImportService } from './services/user-import.js';
import { createImpersonationService } from './services/impersonation.js';
import { createScimAuthService } from './services/scim-auth.js';
import { createScimBulkService } from './services/scim-bulk.js';
import { createScimGroupsService } from './services/scim-groups.js';
import { createScimSearchService } from './services/scim-search.js';
import { createScimUsersService } from './services/scim-users.js';
import { createAuditLogService, createAuditService } from './services/audit.js';
import { createSignInAuditService } from './services/sign-in-audit.js';
import { createSignInFactsRepository } from './repositories/sign-in-facts.js';
import { createSettingsService, defaultSettings } from './services/settings.js';
import { isCommonPassword } from './services/common-passwords.js';
import { createIdentityService } from './services/identity.js';
import { createMailerService } from './services/mailer.js';
import { createPasswordHasherService } from './services/password-hasher.js';
import { createPasswordResetService } from './services/password-reset.js';
import { createRateLimitsService } from './services/rate-limits.js';
import { createPasskeysService } from './services/passkeys.js';
import { createMfaService } from './services/mfa.js';
import { createSigningKeysService } from './services/signing-keys.js';
import { createPasswordStrategy } from './login/password.js';
import { createPasskeyStrategy } from './login/passkey.js';
import { createRecoveryCodeStrategy } from './login/recovery-code.js';
import { createSignInRunner } from './login/sign-in-runner.js';
import { createTotpEnrolmentStrategy, createTotpStrategy } from './login/totp.js';
import { ADMIN_SCOPE } from './services/admin-auth.js';
import { createBootstrapService } from './services/bootstrap.js';
import { createHousekeepingService } from './services/housekeeping.js';
import { createInvitationConfirmationService } from './services/invitation-confirmation.js';
import { SCIM_SCOPE } from './services/scim-auth.js';
import { createSecretBox, deriveKey } from './util/crypto.js';
import { systemClock, type Clock } from './util/clock.js';

export interface ContainerOptions {
  log?: Logger;
  clock?: Clock;
  /** An open database (tests); otherwise opened from the config. */
  db?: Db;
}

/** The composition root: db → repositories → services, as plain arguments. */
export async function createContainer(config: Config, options: ContainerOptions = {}) {
  const log =
    options.log ??
    pino({
      level: config.logLevel,
      redact: ['password', '*.password', 'token', '*.token', 'err.detail', 'err.where', 'err.parameters'],
    });
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

  const repos = {
    users: createUsersRepository(db),
    credentials: createCredentialsRepository(db),
    payloads: createOidcPayloadsRepository(db),
    clients: createClientsRepository(db, createSecretBox(secret, 'client-secret')),
    resources: createResourceServersRepository(db),
    signingKeys: createSigningKeysRepository(db),
    resetTokens: createPasswordResetTokensRepository(db),
    audit: createAuditEventsRepository(db),
    outbox: createMailOutboxRepository(db),
    accounts: createAccountsRepository(db),
    accountGroups: createAccountGroupsRepository(db),
    groups: createGroupsRepository(db),
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
  };

  const hasher = createPasswordHasherService(config.argon2, config.argon2Limits);
  const rateLimits = createRateLimitsService({ store: repos.rateLimitStore, settings: config.rateLimits, clock });
  const audit = createAuditService({ events: repos.audit });
  const settings = createSettingsService({
    transact,
    settings: repos.settings,
    audit,
    defaults: defaultSettings(config),
  });
  await settings.load();
  const mailer = createMailerService({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    outbox: repos.outbox,
    log,
    clock,
  });
  const identity = createIdentityService({
    transact,
    users: repos.users,
    credentials: repos.credentials,
    payloads: repos.payloads,
    hasher,
    audit,
    passwordPolicy: () => settings.current().passwordPolicy,
    duplicateEmails: () => settings.current().duplicateEmails,
    isCommonPassword,
  });
  const confirmInvitation = createInvitationConfirmationService({
    transact,
    users: repos.users,
    invitations: repos.invitations,
    identity,
    audit,
    clock,
  });
  const passwordResets = createPasswordResetService({
    transact,
    users: repos.users,
    tokens: repos.resetTokens,
    identity,
    mailer,
    audit,
    clock,
    log,
    issuer: config.issuer,
    ttlSeconds: config.ttl.passwordReset,
    mayMail: rateLimits.passwordReset.mayMail,
    // Completing the link of an invitation mail confirms the invitation.
    onCompleted: confirmInvitation,
  });
  const issuerUrl = new URL(config.issuer);
  const mfa = createMfaService({
    transact,
    totp: repos.totpFactors,
    recoveryCodes: repos.recoveryCodes,
    attempts: repos.mfaAttempts,
    factors: repos.mfaFactors,
    users: repos.users,
    audit,
    clock,
    totpBox: createSecretBox(secret, 'totp-secret'),
    recoveryCodeKey: deriveKey(secret, 'recovery-code'),
    issuer: config.issuer,
    // The MFA lock lasts as long as the password lock.
    lockout: () => ({ maxAttempts: settings.current().mfa.maxAttempts, minutes: settings.current().lockout.minutes }),
  });
  const passkeys = createPasskeysService({
    transact,
    credentials: repos.webauthnCredentials,
    challenges: repos.webauthnChallenges,
    audit,
    clock,
    rp: { id: issuerUrl.hostname, origin: issuerUrl.origin, name: 'Gatehouse' },
  });
  // The sign-in runner and one strategy per method (login/).
  const signIn = {
    runner: createSignInRunner({
      facts: repos.signInFacts,
      mfaSettings: () => settings.current().mfa,
      audit: createSignInAuditService({ audit }),
      throttle: rateLimits.signIn,
      clock,
    }),
    password: createPasswordStrategy({
      credentials: repos.credentials,
      hasher,
      audit,
      clock,
      lockout: () => settings.current().lockout,
      endSessions: identity.endSessions,
    }),
    totp: createTotpStrategy(mfa),
    recoveryCode: createRecoveryCodeStrategy(mfa),
    totpEnrolment: createTotpEnrolmentStrategy(mfa),
    passkey: createPasskeyStrategy({ passkeys, mfa }),
  };
  const signingKeys = createSigningKeysService({
    keys: repos.signingKeys,
    box: createSecretBox(secret, 'signing-key'),
  });
  const accessTokens = createAccessTokensService({ issuer: config.issuer, publicJwks: signingKeys.publicJwks });
  const impersonation = createImpersonationService({
    transact,
    impersonations: repos.impersonations,
    payloads: repos.payloads,
    audit,
    clock,
    issuer: config.issuer,
    ttlSeconds: () => settings.current().impersonationTtl,
    mfaRequiredRoles: () => settings.current().mfa.requiredRoles,
  });
  const adminApiUrl = `${config.issuer}/admin/api`;
  const clients = createClientRegistryService({ clients: repos.clients, resources: repos.resources, audit });
  const reach = createUserReachService({ users: repos.users, search: repos.search });
  const admin = {
    baseUrl: adminApiUrl,
    auth: createAdminAuthService({ accessTokens, users: repos.users, resource: adminApiUrl }),
    reach,
    users: createUserAdminService({
      transact,
      users: repos.users,
      search: repos.search,
      relations: repos.relations,
      identity,
      resets: passwordResets,
      audit,
      reach,
      duplicateEmails: () => settings.current().duplicateEmails,
    }),
    accounts: createAccountAdminService({ transact, accounts: repos.accounts, audit }),
    accountGroups: createAccountGroupAdminService({
      transact,
      accountGroups: repos.accountGroups,
      accounts: repos.accounts,
      audit,
    }),
    groups: createGroupAdminService({ transact, groups: repos.groups, search: repos.search, audit }),
    relations: createUserRelationsService({
      transact,
      relations: repos.relations,
      users: repos.users,
      accounts: repos.accounts,
      accountGroups: repos.accountGroups,
      groups: repos.groups,
      audit,
      reach,
    }),
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
    anonymiser: createUserAnonymiseService({
      transact,
      users: repos.users,
      erasure: createUserAnonymiseRepository(),
      mfaFactors: repos.mfaFactors,
      payloads: repos.payloads,
      audit,
      reach,
    }),
    invitations: createInvitationsService({
      transact,
      users: repos.users,
      invitations: repos.invitations,
      resets: passwordResets,
      audit,
      reach,
      clock,
      log,
    }),
    sessions: createUserSessionsService({ transact, payloads: repos.payloads, audit, reach }),
    imports: createUserImportService({
      jobs: createImportJobsRepository(db),
      store: createUserImportRepository(db),
      users: repos.users,
      relations: repos.relations,
      // Not retried: the file streams through once.
      transaction: (fn) => db.transaction(fn),
      endSessions: identity.endSessions,
      duplicateEmails: () => settings.current().duplicateEmails,
      log,
      clock,
      leaseSeconds: config.imports.leaseSeconds,
    }),
    exports: createUserExportService({ search: repos.search, log }),
  };

  const scimBaseUrl = `${config.issuer}/scim/v2`;
  const scimUsers = createScimUsersService({
    transact,
    users: repos.users,
    directory: repos.directory,
    credentials: repos.credentials,
    accounts: repos.accounts,
    relations: repos.relations,
    identity,
    hasher,
    audit,
    baseUrl: scimBaseUrl,
  });
  const scimGroups = createScimGroupsService({ transact, groups: repos.groups, audit, baseUrl: scimBaseUrl });
  const scim = {
    baseUrl: scimBaseUrl,
    users: scimUsers,
    groups: scimGroups,
    searchAll: createScimSearchService({ User: scimUsers, Group: scimGroups }),
    bulk: createScimBulkService({
      users: scimUsers,
      groups: scimGroups,
      maxOperations: config.scim.maxOperations,
      onFault: (err, op) => log.error({ err, method: op.method, path: op.path }, 'scim.bulk_operation_failed'),
    }),
    auth: createScimAuthService({ tokens: repos.scimTokens, resource: scimBaseUrl, accessTokens, audit }),
  };

  const bootstrap = createBootstrapService({
    signingKeys,
    clients: repos.clients,
    resources: repos.resources,
    users: repos.users,
    log,
    selfServiceClient: { clientId: SELF_SERVICE_CLIENT_ID, redirectUri: `${config.issuer}/account/callback` },
    // SCIM's: client-credentials tokens with scope `scim`. The admin API's: tokens of people signed in to a first-party client, with scope `admin`.
    ownResources: [
      { indicator: scimBaseUrl, scope: SCIM_SCOPE },
      { indicator: adminApiUrl, scope: ADMIN_SCOPE },
    ],
  });
  const housekeeping = createHousekeepingService({
    log,
    // Imports whose process died end as failed; on the embedded database every job left running was this process's predecessor's.
    atStart: [() => mailer.purgeOutbox(), () => admin.imports.interruptAbandoned({ all: !config.databaseUrl })],
    chores: [
      { everyMs: 10 * 60_000, run: () => repos.payloads.deleteExpired(), failure: 'oidc.cleanup_failed' },
      { everyMs: 60 * 60_000, run: () => admin.auditLog.purgeExpired(clock.now()), failure: 'audit.purge_failed' },
      {
        everyMs: 10 * 60_000,
        run: () => repos.rateLimitStore.deleteExpired(clock.now()),
        failure: 'rate_limits.cleanup_failed',
      },
      { everyMs: 60_000, run: () => admin.invitations.sendDue(clock.now()), failure: 'invitations.run_failed' },
      { everyMs: 60 * 60_000, run: () => mailer.purgeOutbox(), failure: 'mail.outbox_purge_failed' },
      {
        everyMs: config.imports.leaseSeconds * 1000,
        run: () => admin.imports.interruptAbandoned(),
        failure: 'import.sweep_failed',
      },
    ],
  });

  return {
    config,
    log,
    clock,
    bootstrap,
    housekeeping,
    /** Keys derived from GATEHOUSE_SECRET: the pages' CSRF tokens, the provider's cookies. */
    keys: { csrf: deriveKey(secret, 'csrf'), cookies: [deriveKey(secret, 'cookies').toString('base64url')] },
    /** What oidc-provider stores and reads through: its adapter's payloads, clients, resources, account claims. */
    oidcStore: {
      payloads: repos.payloads,
      clients: repos.clients,
      resources: repos.resources,
      accounts: createAccountClaims(repos.users),
    },
    /** What the sign-in and self-service pages read: a user by id. */
    pageReads: { users: repos.users },
    ping: () => ping(db),
    rateLimits,
    audit,
    settings,
    mailer,
    identity,
    signIn,
    passwordResets,
    passkeys,
    mfa,
    signingKeys,
    accessTokens,
    impersonation,
    clients,
    admin,
    scim,
    async close() {
      await db.destroy();
    },
  };
}
export type Container = Awaited<ReturnType<typeof createContainer>>;

/** What the CLI's commands use, whether run by `gatehouse …` or through the server's socket. */
export function cliServices(c: Container): CliServices {
  const { config, clock, identity, mfa, clients, signingKeys, settings, mailer } = c;
  return {
    config,
    clock,
    identity,
    mfa,
    clients,
    signingKeys,
    settings,
    mailer,
    scimTokens: c.scim.auth,
    auditLog: c.admin.auditLog,
    imports: c.admin.imports,
  };
}
