import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsDeps {
  /** The database pool now (db/database.ts `poolUsage`). */
  pool: () => { inUse: number; waiting: number; max: number };
  /** Import jobs by status, read at each scrape. */
  importJobs: () => Promise<Record<string, number>>;
  log: { warn(obj: object, msg: string): void };
  /** Node's process metrics (CPU, memory, event loop, GC): only when metrics are served. */
  processMetrics: boolean;
}

/** Seconds: from a cached token answer (a few ms) to a sign-in's argon2 under load. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics (prom-client) on a registry of this container's own (tests run
 * several servers in one process). Labels are bounded: route templates, never paths;
 * reasons, grant types, operations and limits from fixed sets.
 */
export function createMetricsService(deps: MetricsDeps) {
  const registry = new Registry();
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers });
  const requests = counter(
    'gatehouse_http_requests_total',
    'HTTP requests answered, by method, route template and status',
    ['method', 'route', 'status'],
  );
  const durations = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const signIns = counter(
    'gatehouse_sign_in_attempts_total',
    'Sign-in attempts as recorded in the audit log, by result (succeeded, failed) and reason of a failure',
    ['result', 'reason'],
  );
  const tokens = counter('gatehouse_tokens_issued_total', 'Successful token endpoint grants, by grant type', [
    'grant_type',
  ]);
  const scim = counter('gatehouse_scim_requests_total', 'SCIM requests, by operation and status', [
    'operation',
    'status',
  ]);
  const refusals = counter(
    'gatehouse_rate_limit_refusals_total',
    'Requests refused (or mails not sent) by a rate limit, by limit',
    ['limit'],
  );
  new Gauge({
    name: 'gatehouse_db_pool_connections',
    help: 'Database pool connections in use, callers waiting for one, and the pool size',
    labelNames: ['state'],
    registers,
    collect() {
      const { inUse, waiting, max } = deps.pool();
      this.set({ state: 'in_use' }, inUse);
      this.set({ state: 'waiting' }, waiting);
      this.set({ state: 'max' }, max);
    },
  });
  new Gauge({
    name: 'gatehouse_import_jobs',
    help: 'CSV import jobs, by state',
    labelNames: ['state'],
    registers,
    async collect() {
      try {
        for (const [state, count] of Object.entries(await deps.importJobs())) this.set({ state }, count);
      } catch (err) {
        // The rest of the scrape still answers while the database does not.
        this.reset();
        deps.log.warn({ err }, 'metrics.import_jobs_failed');
      }
    },
  });
  if (deps.processMetrics) collectDefaultMetrics({ register: registry });

  return {
    /** One answered HTTP request. */
    request(labels: { method: string; route: string; status: number }, seconds: number): void {
      const l = { method: labels.method, route: labels.route, status: String(labels.status) };
      requests.inc(l);
      durations.observe(l, seconds);
    },
    signIn(result: 'succeeded' | 'failed', reason = ''): void {
      signIns.inc({ result, reason });
    },
    tokenIssued(grantType: string): void {
      tokens.inc({ grant_type: grantType });
    },
    scimRequest(operation: string, status: number): void {
      scim.inc({ operation, status: String(status) });
    },
    rateLimitRefused(limit: string): void {
      refusals.inc({ limit });
    },
    /** The exposition: its content type and text. */
    async exposition(): Promise<{ contentType: string; text: string }> {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
export type MetricsService = ReturnType<typeof createMetricsService>;
