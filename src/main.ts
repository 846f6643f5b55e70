// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) starts before the app loads.
import { telemetry } from './telemetry.js';
import { createServer } from 'node:http';
import { buildApp } from './app.js';
import { loadConfig } from './config/config.js';
import { checkMailDelivery } from './config/mail-delivery.js';
import { cliServices, createContainer } from './container.js';
import { serveCliSocket } from './cli/server-socket.js';
import { createConnectionDrain } from './http/connection-drain.js';
import { listenForMetrics } from './http/metrics-listener.js';

/** Process entry: config, container, listen, periodic upkeep, graceful shutdown. */
const config = loadConfig();
const mailDelivery = checkMailDelivery(config);
const container = await createContainer(config);
const { log, housekeeping } = container;
if (mailDelivery.warning) log.warn(mailDelivery.warning);
const { handle, oidc } = await buildApp(container);
await container.bootstrap.warnIfNoSuperAdmin();
await housekeeping.start([{ everyMs: 60_000, run: () => oidc.refreshKeys(), failure: 'oidc.keys_reload_failed' }]);

// The embedded database belongs to this process: the CLI sends its commands here.
const cliSocket = config.databaseUrl ? undefined : await serveCliSocket(cliServices(container), log);

// METRICS_PORT: the metrics on a port of their own, without a token.
const metricsPort = config.metrics.port;
const metricsListener =
  metricsPort === undefined
    ? undefined
    : await listenForMetrics(container.metrics, metricsPort, (err) => log.error({ err }, 'metrics.failed'));
if (metricsListener) log.info({ port: metricsListener.port }, 'gatehouse.metrics_listening');

const server = createServer(handle);
const connections = createConnectionDrain(server);
server.keepAliveTimeout = 65_000;
server.listen(config.port, () => {
  log.info(
    {
      port: config.port,
      issuer: config.issuer,
      database: config.databaseUrl ? 'postgresql' : `pglite:${config.dataDir}`,
    },
    'gatehouse.listening',
  );
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'gatehouse.stopping');
  housekeeping.stop();
  // Only if requests in flight outlive their deadlines (a database call is bounded by DB_*_TIMEOUT_MS).
  const force = setTimeout(() => {
    log.error({ timeoutMs: config.shutdownTimeoutMs }, 'gatehouse.stop_timeout');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  cliSocket?.close();
  metricsListener?.server.close();
  // Stop accepting, answer what is in flight (with `Connection: close`), close idle keep-alive connections.
  await connections.drain();
  await container.close();
  await telemetry?.shutdown().catch((err: unknown) => log.warn({ err }, 'telemetry.shutdown_failed'));
  log.info('gatehouse.stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
