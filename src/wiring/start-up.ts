import { CONSOLE_CLIENT_ID } from '../http/routes/console.js';
import { SELF_SERVICE_CLIENT_ID } from '../http/routes/self-service.js';
import { ADMIN_SCOPE } from '../services/admin-auth.js';
import { createBootstrapService } from '../services/bootstrap.js';
import { createHousekeepingService } from '../services/housekeeping.js';
import { SCIM_SCOPE } from '../services/scim-auth.js';
import type { createAdminArea } from './admin.js';
import type { Core } from './core.js';
import type { createOidcArea } from './oidc.js';
import type { createScimArea } from './scim.js';
import type { UserExpiryService } from '../services/user-expiry.js';

type StartUpDeps = Pick<Core, 'config' | 'log' | 'clock' | 'repos' | 'mailer'> &
  Pick<ReturnType<typeof createOidcArea>, 'signingKeys'> & {
    admin: ReturnType<typeof createAdminArea>;
    scim: ReturnType<typeof createScimArea>;
    expiry: UserExpiryService;
  };

/** What the server does at start and then on timers: the bootstrap and the housekeeping chores. */
export function createStartUp({ config, log, clock, repos, mailer, signingKeys, admin, scim, expiry }: StartUpDeps) {
  const bootstrap = createBootstrapService({
    signingKeys,
    clients: repos.clients,
    resources: repos.resources,
    users: repos.users,
    log,
    builtInClients: [
      {
        clientId: SELF_SERVICE_CLIENT_ID,
        name: 'Gatehouse account',
        redirectUris: [`${config.issuer}/account/callback`],
        grantTypes: ['authorization_code'],
      },
      {
        // The administration console (console/): in-memory tokens, renewed with rotating refresh tokens.
        clientId: CONSOLE_CLIENT_ID,
        name: 'Gatehouse console',
        redirectUris: [`${config.issuer}/admin/callback`],
        postLogoutRedirectUris: [`${config.issuer}/admin/`],
        grantTypes: ['authorization_code', 'refresh_token'],
      },
    ],
    // SCIM's: client-credentials tokens with scope `scim`. The admin API's: tokens of people signed in to a first-party client, with scope `admin`.
    ownResources: [
      { indicator: scim.baseUrl, scope: SCIM_SCOPE },
      { indicator: admin.baseUrl, scope: ADMIN_SCOPE },
    ],
  });
  const housekeeping = createHousekeepingService({
    log,
    // Imports whose process died end as failed; on the embedded database every job left running was this process's predecessor's.
    atStart: [
      () => mailer.purgeOutbox(),
      () => admin.imports.interruptAbandoned({ all: !config.databaseUrl }),
      () => admin.bulk.interruptAbandoned({ all: !config.databaseUrl }),
    ],
    chores: [
      { everyMs: 10 * 60_000, run: () => repos.payloads.deleteExpired(), failure: 'oidc.cleanup_failed' },
      { everyMs: 60 * 60_000, run: () => admin.auditLog.purgeExpired(clock.now()), failure: 'audit.purge_failed' },
      {
        everyMs: 10 * 60_000,
        run: () => repos.rateLimitStore.deleteExpired(clock.now()),
        failure: 'rate_limits.cleanup_failed',
      },
      { everyMs: 60_000, run: () => admin.invitations.sendDue(clock.now()), failure: 'invitations.run_failed' },
      // Temporary accounts whose end has come become inactive (sign-in also checks).
      { everyMs: 60_000, run: () => expiry.expireDue(clock.now()), failure: 'users.expiry_failed' },
      {
        everyMs: 10 * 60_000,
        run: () => repos.signUpRequests.deleteFinished(clock.now()),
        failure: 'sign_up.cleanup_failed',
      },
      { everyMs: 60 * 60_000, run: () => mailer.purgeOutbox(), failure: 'mail.outbox_purge_failed' },
      {
        everyMs: config.imports.leaseSeconds * 1000,
        run: () => admin.imports.interruptAbandoned(),
        failure: 'import.sweep_failed',
      },
      {
        everyMs: config.bulk.leaseSeconds * 1000,
        run: () => admin.bulk.interruptAbandoned(),
        failure: 'bulk.sweep_failed',
      },
    ],
  });
  return { bootstrap, housekeeping };
}
