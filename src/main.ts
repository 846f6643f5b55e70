import { createServer } from 'node:http';
import { buildApp } from './app.js';
import { loadConfig } from './config/config.js';
import { checkMailDelivery } from './config/mail-delivery.js';
import { createContainer } from './container.js';
import { serveCliSocket } from './cli/server-socket.js';
import { createConnectionDrain } from './http/connection-drain.js';

/** Process entry: config, container, listen, periodic upkeep, graceful shutdown. */
const config = loadConfig();
const mailDelivery = checkMailDelivery(config);
const container = await createContainer(config);
const { log } = container;
if (mailDelivery.warning) log.warn(mailDelivery.warning);
await container.mailer.purgeOutbox();
const { handle, oidc } = await buildApp(container);

if ((await container.repos.users.countWithRole('super_admin')) === 0) {
  log.warn(
    'No super admin exists yet. Create the first one with: npm run -s gatehouse -- user create --email admin@example.com --password "<a long password>" --role super_admin --status active',
  );
}

// Imports whose process died end as failed; on the embedded database every job left running was this process's predecessor's.
await container.admin.imports.interruptAbandoned({ all: !config.databaseUrl });

// The embedded database belongs to this process: the CLI sends its commands here.
const cliSocket = config.databaseUrl ? undefined : await serveCliSocket(container, log);

const server = createServer(handle);
const connections = createConnectionDrain(server);
server.keepAliveTimeout = 65_000;
server.listen(config.port, () => {
  log.info({ port: config.port, issuer: config.issuer, database: config.databaseUrl ? 'postgresql' : `pglite:${config.dataDir}` }, 'gatehouse.listening');
});

const timers = [
  setInterval(() => oidc.refreshKeys().catch((err) => log.error({ err }, 'oidc.keys_reload_failed')), 60_000),
  setInterval(() => container.repos.payloads.deleteExpired().catch((err) => log.error({ err }, 'oidc.cleanup_failed')), 10 * 60_000),
  setInterval(() => container.admin.auditLog.purgeExpired(container.clock.now()).catch((err) => log.error({ err }, 'audit.purge_failed')), 60 * 60_000),
  setInterval(() => container.repos.rateLimitStore.deleteExpired(container.clock.now()).catch((err) => log.error({ err }, 'rate_limits.cleanup_failed')), 10 * 60_000),
  setInterval(() => container.admin.invitations.sendDue(container.clock.now()).catch((err) => log.error({ err }, 'invitations.run_failed')), 60_000),
  setInterval(() => container.mailer.purgeOutbox().catch((err) => log.error({ err }, 'mail.outbox_purge_failed')), 60 * 60_000),
  setInterval(() => container.admin.imports.interruptAbandoned().catch((err) => log.error({ err }, 'import.sweep_failed')), config.imports.leaseSeconds * 1000),
];

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'gatehouse.stopping');
  for (const t of timers) clearInterval(t);
  // Only if requests in flight outlive their deadlines (a database call is bounded by DB_*_TIMEOUT_MS).
  const force = setTimeout(() => {
    log.error({ timeoutMs: config.shutdownTimeoutMs }, 'gatehouse.stop_timeout');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  cliSocket?.close();
  // Stop accepting, answer what is in flight (with `Connection: close`), close idle keep-alive connections.
  await connections.drain();
  await container.close();
  log.info('gatehouse.stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
