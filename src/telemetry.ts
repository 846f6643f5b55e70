/**
 * OpenTelemetry tracing, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: main.ts imports
 * this module first, so the SDK is running before the app loads. Unset, nothing of the
 * SDK is loaded and nothing is patched. The SDK reads its other OTEL_* variables itself
 * (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER …).
 *
 * One server span per request, named `<method> <route template>` (set by the request
 * metrics); never the query string (reset links carry tokens there); health probes and
 * /metrics are not traced.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { requestRoutes } from './util/request-context.js';

const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);
const pathOf = (url: string | undefined) => (url ?? '').split('?')[0] ?? '';

async function startTracing(): Promise<{ shutdown(): Promise<void> }> {
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
  ]);
  const sdk = new NodeSDK({
    ...(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: 'gatehouse' }),
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED.has(pathOf(req.url)),
        // Attributes returned here replace the instrumentation's own: the query string is not kept.
        startIncomingSpanHook: (req) => ((req.url ?? '').includes('?') ? { 'url.query': 'not-recorded' } : {}),
        applyCustomAttributesOnSpan: (span, request) => {
          const route = requestRoutes.get(request as IncomingMessage);
          if (!route) return;
          span.updateName(`${(request as IncomingMessage).method} ${route}`);
          span.setAttribute('http.route', route);
        },
      }),
    ],
  });
  sdk.start();
  // The instrumentation patches `http` as it is required; the app imports it as an ES module.
  createRequire(import.meta.url)('node:http');
  return sdk;
}

/** The running SDK (flushed by `shutdown()` when the server stops), or undefined when tracing is off. */
export const telemetry = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? await startTracing() : undefined;
