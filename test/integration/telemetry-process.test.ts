import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { freePort } from '../helpers/free-port.js';
import { processDatabase } from '../helpers/database.js';
import { sample } from '../helpers/metrics.js';

/**
 * The server as a process (`node --import tsx src/main.ts`) with OTEL_EXPORTER_OTLP_ENDPOINT
 * pointing at an OTLP/HTTP receiver in this test, and METRICS_PORT: spans arrive, named by
 * route template and without the query string; the metrics answer on their own port and
 * not on the public one (no METRICS_TOKEN).
 */
const root = new URL('../..', import.meta.url).pathname;

interface Span {
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

/** A small OTLP/HTTP (JSON) receiver: every span posted to /v1/traces, and every body as text. */
async function startReceiver(): Promise<{ url: string; spans: Span[]; bodies: string[]; server: Server }> {
  const spans: Span[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        bodies.push(body);
        const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
        for (const r of doc.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, bodies, server };
}

/** Polls `check` until it returns a value, for up to `ms`. */
async function eventually<T>(ms: number, check: () => Promise<T | undefined> | T | undefined): Promise<T | undefined> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined || performance.now() > deadline) return value;
    await sleep(100);
  }
}

test('traces go to the OTLP endpoint; metrics answer on METRICS_PORT only', async (t) => {
  // A first start migrates a new database: on a busy machine that alone can take minutes.
  t.timeout(300_000);
  const receiver = await startReceiver();
  const database = await processDatabase('telemetry');
  const [port, metricsPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...database.env,
    PORT: String(port),
    ISSUER: url,
    METRICS_PORT: String(metricsPort),
    GATEHOUSE_SECRET: 'telemetry-test-secret-telemetry-test-0',
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Should this worker be stopped (a timeout), the server goes with it.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  try {
    const ready = await eventually(240_000, () =>
      fetch(`${url}/readyz`).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    );
    t.true(ready, log);

    // Metrics: not on the public port without METRICS_TOKEN; on their own port without one.
    t.is((await fetch(`${url}/metrics`)).status, 404);
    const own = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    t.is(own.status, 200);
    const text = await own.text();
    t.true(
      sample(text, 'gatehouse_http_requests_total', { method: 'GET', route: '/readyz', status: '200' }) >= 1,
      text,
    );
    t.true(sample(text, 'process_resident_memory_bytes') > 0);
    t.is((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status, 404);

    // A traced request: a reset link with a token in its query string.
    const secret = `query-secret-${Date.now()}`;
    const page = await fetch(`${url}/reset-password?token=${secret}`, { headers: { 'x-request-id': 'traced-1' } });
    t.is(page.status, 400);
    const span = await eventually(30_000, () => receiver.spans.find((s) => s.name === 'GET /reset-password'));
    t.truthy(span, `spans: ${receiver.spans.map((s) => s.name).join(', ')}`);
    const attribute = (key: string) => span?.attributes.find((a) => a.key === key)?.value;
    t.is(attribute('http.route')?.stringValue, '/reset-password');
    t.is(Number(attribute('http.response.status_code')?.intValue), 400);
    t.is(attribute('url.query')?.stringValue, 'not-recorded');
    t.false(
      receiver.bodies.some((b) => b.includes(secret)),
      'the query string is in no span',
    );
    t.false(
      receiver.spans.some((s) => s.attributes.some((a) => a.key === 'url.path' && a.value.stringValue === '/readyz')),
      'probes are not traced',
    );
    // The access log line of that request, on stdout (written in batches, flushed at least every second).
    const line = await eventually(30_000, () =>
      log
        .split('\n')
        .filter((l) => l.startsWith('{') && l.endsWith('}'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.requestId === 'traced-1' && l.msg === 'request'),
    );
    t.like(line, { level: 30, route: '/reset-password', status: 400 });
    t.false(log.includes(secret), 'nor in the log');
  } finally {
    child.kill('SIGTERM');
    t.is(await exited, 0, log.slice(-2000));
    process.off('exit', orphaned);
    receiver.server.close();
    await database.drop();
  }
});
