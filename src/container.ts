import type { CliServices } from './cli/commands.js';
import type { Config } from './config/config.js';
import { ping } from './db/database.js';
import { deriveKey } from './util/crypto.js';
import { createAdminArea } from './wiring/admin.js';
import { createCore, type ContainerOptions } from './wiring/core.js';
import { createOidcArea } from './wiring/oidc.js';
import { createScimArea } from './wiring/scim.js';
import { createSignInArea } from './wiring/sign-in.js';
import { createStartUp } from './wiring/start-up.js';
import { createFederationArea } from './wiring/federation.js';

/** The composition root: core (db → repositories) → sign-in → OIDC → admin → SCIM → start-up, as plain arguments. */
export async function createContainer(config: Config, options: ContainerOptions = {}) {
  const core = await createCore(config, options);
  const { log, clock, secret, db, repos, audit, settings, mailer, metrics, instanceSync, queue } = core;
  // The sign-in area's services, all but the hasher (SCIM's), the expiry sweep (start-up's) and home-realm discovery (federation's).
  const { hasher, expiry, homeRealm, ...signInArea } = createSignInArea(core);
  const { identity, passwordResets, mfa, signIn } = signInArea;
  const federation = createFederationArea({ ...core, identity, runner: signIn.runner });
  const { signingKeys, accessTokens, impersonation, clients, oidcStore } = createOidcArea(core);
  const admin = createAdminArea({ ...core, identity, passwordResets, mfa, accessTokens });
  const scim = createScimArea({ ...core, identity, hasher, accessTokens });
  const { bootstrap, housekeeping } = createStartUp({ ...core, signingKeys, admin, scim, expiry });

  return {
    config,
    log,
    clock,
    bootstrap,
    housekeeping,
    /** Keys derived from GATEHOUSE_SECRET: the pages' CSRF tokens, the provider's cookies. */
    keys: { csrf: deriveKey(secret, 'csrf'), cookies: [deriveKey(secret, 'cookies').toString('base64url')] },
    /** What oidc-provider stores and reads through: its adapter's payloads, clients, resources, account claims. */
    oidcStore,
    /** What the sign-in and self-service pages read: a user by id. */
    pageReads: { users: { findById: repos.users.findById } },
    ping: () => ping(db),
    audit,
    settings,
    mailer,
    /** Sign-in and self-service: identity, rate limits, password resets, sign-up, MFA, passkeys, email changes. */
    ...signInArea,
    /** Identity providers (federation): their administration, upstream OIDC, the federated sign-in, home-realm discovery. */
    federation: { ...federation, homeRealm },
    /** Temporary accounts end: the sweep (`expireDue`) the housekeeping runs every minute. */
    expiry,
    signingKeys,
    accessTokens,
    impersonation,
    clients,
    admin,
    scim,
    /** Prometheus metrics: what the HTTP layer counts, and the exposition. */
    metrics,
    /** Change notices between instances: the HTTP server starts listening (`start`) and adds its own handlers. */
    instanceSync,
    /** Back-channel logout: sign-outs queue their notices here (the provider's `queueLogout`). */
    backchannelLogout: core.backchannelLogout,
    webhooks: core.webhooks,
    /** The outbound workers (back-channel logout, webhooks): the server starts them, `stopWorkers` ends them. */
    startWorkers: core.startWorkers,
    stopWorkers: () => queue.stop(),
    async close() {
      await instanceSync.stop();
      await queue.stop();
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
    users: c.admin.users,
    auditLog: c.admin.auditLog,
    imports: c.admin.imports,
    lifecycle: c.admin.lifecycle,
    licences: c.admin.licences,
    webhooks: c.webhooks,
    identityProviders: c.federation.identityProviders,
  };
}
