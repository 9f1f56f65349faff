import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';

export interface Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** Serves Prometheus text for `/metrics` on the admin HTTP server. */
  serveMetrics(req: IncomingMessage, res: ServerResponse): void;
  shutdown(): Promise<void>;
}

/** True when the standard OTEL_* variables ask for trace export (none by default, BRIEF §9). */
function tracesRequested(env: NodeJS.ProcessEnv): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined) return exporter !== 'none' && exporter !== '';
  return env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
}

/**
 * OpenTelemetry for one broker process: metrics always (read by Prometheus from the admin
 * server), traces when the standard OTEL_* environment configures an exporter (the SDK reads the
 * exporter, endpoint, sampler and propagators from the environment itself).
 */
export function startTelemetry(options: { nodeId: number; env?: NodeJS.ProcessEnv }): Telemetry {
  const env = options.env ?? process.env;
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'oxbow', 'service.instance.id': String(options.nodeId) });
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  if (tracesRequested(env)) {
    const sdk = new NodeSDK({ resource, metricReader: prometheus, instrumentations: [] });
    sdk.start();
    return {
      tracer: trace.getTracer('oxbow'),
      meter: metrics.getMeter('oxbow'),
      serveMetrics: (req, res) => prometheus.getMetricsRequestHandler(req, res),
      shutdown: () => sdk.shutdown(),
    };
  }
  const provider = new MeterProvider({ resource, readers: [prometheus] });
  return {
    tracer: trace.getTracer('oxbow'),
    meter: provider.getMeter('oxbow'),
    serveMetrics: (req, res) => prometheus.getMetricsRequestHandler(req, res),
    shutdown: () => provider.shutdown(),
  };
}
