import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestFn } from 'ava';
import pino, { type Logger } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createContainer, type Container } from '../../src/container.js';
import type { Role, Status } from '../../src/domain/user.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import type { Clock } from '../../src/util/clock.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { createAuditEventsRepository } from '../../src/repositories/audit-events.js';
import { createClientsRepository } from '../../src/repositories/clients.js';
import { createCredentialsRepository } from '../../src/repositories/credentials.js';
import { createMailOutboxRepository } from '../../src/repositories/mail-outbox.js';
import { createResourceServersRepository } from '../../src/repositories/resource-servers.js';
import { createUserSearch } from '../../src/repositories/user-search.js';
import { createUsersRepository } from '../../src/repositories/users.js';
import { createSecretBox } from '../../src/util/crypto.js';
import { freshDatabase } from './database.js';
import { perFile } from './per-file.js';

export const PASSWORD = 'violet-harbour-47-lantern';
const SECRET = 'test-secret-test-secret-test-secret-000';
/**
 * argon2id at its cheapest (1 MiB, one pass) unless a test asks for the real cost
 * (`productionPasswordCost`): at the production cost each hash or verification takes
 * tens of milliseconds of a core, and the suite makes thousands.
 */
export const TEST_PASSWORD_COST = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' };

/** Repositories for tests that arrange or inspect rows directly (the container hands out services only). */
function testRepositories(db: Db, secret: string) {
  return {
    users: createUsersRepository(db),
    credentials: createCredentialsRepository(db),
    clients: createClientsRepository(db, createSecretBox(secret, 'client-secret')),
    resources: createResourceServersRepository(db),
    outbox: createMailOutboxRepository(db),
    audit: createAuditEventsRepository(db),
    search: createUserSearch(db),
  };
}

export interface TestServer {
  url: string;
  container: Container;
  /** The server's database (its pool, opened by this helper), for tests that arrange or inspect rows. */
  db: Db;
  repos: ReturnType<typeof testRepositories>;
  oidc: Awaited<ReturnType<typeof buildApp>>['oidc'];
  dbKind: 'postgresql' | 'pglite';
  /** The database, for another instance (`startServer(env, { sameDatabaseAs })`). */
  database: Awaited<ReturnType<typeof freshDatabase>>;
  createUser(input?: {
    email?: string;
    password?: string;
    role?: Role;
    status?: Status;
    givenName?: string;
    familyName?: string;
    userCode?: string;
  }): Promise<{ id: string; email: string; userCode: string }>;
  createClient(input?: {
    clientId?: string;
    firstParty?: boolean;
    isPublic?: boolean;
    grantTypes?: string[];
    redirectUri?: string;
  }): Promise<{ clientId: string; clientSecret?: string; redirectUri: string }>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * A whole Gatehouse on a free port, on a fresh database; `env` overrides settings.
 * `host` names the server in its URLs (it always listens on 127.0.0.1): WebAuthn
 * refuses an IP address as the RP ID, so passkey tests in a browser use `localhost`.
 * `sameDatabaseAs`: a second instance on another server's database (its own pool on
 * PostgreSQL; on PGlite the same one), which it leaves in place when it closes.
 */
export async function startServer(
  env: Record<string, string> = {},
  options: {
    clock?: Clock;
    host?: 'localhost';
    databaseVia?: (databaseUrl: string) => string;
    sameDatabaseAs?: TestServer;
    /** The server's logger (tests that read its lines); silent otherwise. */
    log?: Logger;
    /** Hash passwords at the configured (production) argon2 cost, not the cheap test cost. */
    productionPasswordCost?: boolean;
  } = {},
): Promise<TestServer> {
  const server: Server = createServer();
  // As main.ts: idle keep-alive connections outlive the client's (undici closes them after 4 s), so a
  // request never goes out on a socket the server is closing (a "fetch failed" on a busy machine).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  const database = options.sameDatabaseAs
    ? await joinDatabase(options.sameDatabaseAs.database)
    : await freshDatabase({ migrated: true });
  // `databaseVia` (PostgreSQL only): the server opens its own pool from DATABASE_URL, as in production, at the URL it returns (a proxy).
  if (options.databaseVia && !database.url) throw new Error('startServer: databaseVia needs TEST_DATABASE_URL');
  const via = options.databaseVia && database.url ? options.databaseVia(database.url) : undefined;
  const config = loadConfig({
    ISSUER: url,
    GATEHOUSE_SECRET: SECRET,
    DATA_DIR: '/nonexistent',
    LOG_LEVEL: 'silent',
    ...(options.productionPasswordCost ? {} : TEST_PASSWORD_COST),
    ...(via ? { DATABASE_URL: via } : {}),
    ...env,
  });
  const log = options.log ?? pino({ level: 'silent' });
  // Through a proxy, the server's own pool (as createContainer would open it), which tests also reach as `db`.
  const db = via
    ? await openDatabase({
        url: via,
        dataDir: config.dataDir,
        poolMax: config.databasePoolMax,
        timeouts: config.databaseTimeouts,
        log,
      })
    : database.db;
  const container = await createContainer(config, { db, log, clock: options.clock });
  const { handle, oidc } = await buildApp(container);
  server.on('request', handle);
  const repos = testRepositories(db, config.secret ?? SECRET);

  return {
    url,
    container,
    db,
    repos,
    oidc,
    dbKind: database.kind,
    database,
    async createUser(input = {}) {
      const n = ++counter;
      const user = await container.identity.create(
        {
          email: input.email ?? `user${n}-${Date.now()}@example.com`,
          password: input.password ?? PASSWORD,
          role: input.role ?? 'individual',
          status: input.status ?? 'active',
          givenName: input.givenName ?? 'Test',
          familyName: input.familyName ?? `Person${n}`,
          userCode: input.userCode,
        },
        CLI_ACTOR,
      );
      return { id: user.id, email: user.email!, userCode: user.userCode };
    },
    async createClient(input = {}) {
      const clientId = input.clientId ?? `client-${++counter}`;
      const redirectUri = input.redirectUri ?? 'http://rp.test/callback';
      const grantTypes = input.grantTypes ?? ['authorization_code', 'refresh_token'];
      const clientSecret = input.isPublic ? undefined : `secret-${clientId}-0123456789abcdef`;
      await repos.clients.save(
        clientId,
        {
          client_name: `App ${clientId}`,
          grant_types: grantTypes,
          response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
          redirect_uris: grantTypes.includes('authorization_code') ? [redirectUri] : [],
          post_logout_redirect_uris: ['http://rp.test/bye'],
          token_endpoint_auth_method: input.isPublic ? 'none' : 'client_secret_basic',
        },
        clientSecret ?? null,
        input.firstParty ?? true,
      );
      return { clientId, clientSecret, redirectUri };
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await container.instanceSync.stop();
      if (via) await container.close();
      else await container.stopWorkers();
      await database.drop();
    },
  };
}

/** The server of a test file: started before its tests, closed after them. */
export function serverPerFile(test: TestFn, ...start: Parameters<typeof startServer>): TestServer {
  return perFile(
    test,
    () => startServer(...start),
    (s) => s.close(),
  );
}

async function joinDatabase(of: TestServer['database']): Promise<TestServer['database']> {
  if (!of.url) return { ...of, drop: async () => {} };
  const db = await openDatabase({ url: of.url, dataDir: '', poolMax: 10 });
  return { ...of, db, drop: () => db.destroy() };
}
