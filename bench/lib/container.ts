import pino, { type Logger } from 'pino';
import { type Config, loadConfig } from '../../src/config/config.js';
import { resolveSecret } from '../../src/config/secret.js';
import { createContainer } from '../../src/container.js';
import { openDatabase } from '../../src/db/database.js';
import { createClientsRepository } from '../../src/repositories/clients.js';
import { createResourceServersRepository } from '../../src/repositories/resource-servers.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import type { Clock } from '../../src/util/clock.js';
import { createSecretBox } from '../../src/util/crypto.js';

/**
 * The container on a pool the bench opens itself (as createContainer would), with
 * what a bench needs besides the services: `db` to count or trace the server's
 * statements and run raw SQL, `repos` to seed clients and resource servers.
 */
export async function createBenchContainer(config: Config, options: { log: Logger; clock?: Clock }) {
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    timeouts: config.databaseTimeouts,
    log: options.log,
  });
  const container = await createContainer(config, { ...options, db });
  const secret = resolveSecret(config, options.log);
  const repos = {
    clients: createClientsRepository(db, createSecretBox(secret, 'client-secret')),
    resources: createResourceServersRepository(db),
  };
  return { ...container, db, repos };
}

/**
 * Runs the migrations (by creating the container on `env`, silent), then `prepare`
 * with it (make an admin, a client…), and closes it.
 */
export async function withBenchContainer<T>(
  env: NodeJS.ProcessEnv,
  prepare: (c: Awaited<ReturnType<typeof createBenchContainer>>, actor: typeof CLI_ACTOR) => Promise<T>,
): Promise<T> {
  const c = await createBenchContainer(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
  try {
    return await prepare(c, CLI_ACTOR);
  } finally {
    await c.close();
  }
}

/** The benches' administrator (main role admin, active), as `identity.create` takes it. */
export const benchAdmin = (email: string, password: string) => ({
  email,
  password,
  role: 'admin' as const,
  status: 'active' as const,
  givenName: 'Bench',
  familyName: 'Admin',
});

/** The benches' confidential first-party client (client_secret_basic) and one API with `read` and `write`. */
export async function saveBenchClientAndApi(
  c: Awaited<ReturnType<typeof createBenchContainer>>,
  o: { clientId: string; secret: string; redirectUri: string; resource: string; extra?: Record<string, unknown> },
) {
  await c.repos.clients.save(
    o.clientId,
    {
      client_name: 'Bench app',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: [o.redirectUri],
      token_endpoint_auth_method: 'client_secret_basic',
      ...o.extra,
    },
    o.secret,
    true,
  );
  await c.repos.resources.create({
    indicator: o.resource,
    scopes: ['read', 'write'],
    accessTokenTtl: null,
    firstPartyOnly: false,
  });
}
/** A first-party confidential client (client_secret_basic, authorization code) for a bench's sign-ins. */
export const saveBenchClient = (
  c: Awaited<ReturnType<typeof createBenchContainer>>,
  client: { clientId: string; secret: string; redirectUri: string; name: string },
) =>
  c.repos.clients.save(
    client.clientId,
    {
      client_name: client.name,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [client.redirectUri],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    client.secret,
    true,
  );
