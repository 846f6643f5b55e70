import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsService } from '../services/metrics.js';

/**
 * The metrics on a port of their own (METRICS_PORT), without a token: `GET /metrics`,
 * anything else 404. Keep that port private (a Kubernetes pod port, not the Service's).
 */
export async function listenForMetrics(
  metrics: Pick<MetricsService, 'exposition'>,
  port: number,
  onError: (err: unknown) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType }).end(text),
      (err: unknown) => {
        onError(err);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
