import { SpanKind, SpanStatusCode, context, trace, type Meter, type Tracer } from '@opentelemetry/api';
import type { DecodedRequest } from '@oxbow/protocol';
import type { RequestContext } from '../handlers/handler.js';
import type { Logger } from './logger.js';

/**
 * Wraps every Kafka request in a span (api, version, client id) and records request rate and
 * latency per API; logs handler failures with their cause and connection problems once each.
 */
export class RequestObserver {
  readonly #tracer: Tracer;
  readonly #logger: Logger;
  readonly #requests;
  readonly #latency;
  readonly #errors;

  constructor(tracer: Tracer, meter: Meter, logger: Logger) {
    this.#tracer = tracer;
    this.#logger = logger;
    this.#requests = meter.createCounter('oxbow_kafka_requests', { description: 'Kafka requests handled, by API' });
    this.#latency = meter.createHistogram('oxbow_kafka_request_duration_seconds', { description: 'Kafka request handling time, by API', unit: 's' });
    this.#errors = meter.createCounter('oxbow_kafka_handler_errors', { description: 'Handlers that failed unexpectedly, by API' });
  }

  /** Runs `fn` inside the request's span. */
  observe<T>(request: DecodedRequest, remote: string, fn: () => Promise<T>): Promise<T> {
    const api = request.api.name;
    const attributes = {
      'messaging.system': 'kafka',
      'kafka.api': api,
      'kafka.api_version': request.header.apiVersion,
      'kafka.client_id': request.header.clientId ?? '',
      'network.peer.address': remote,
    };
    const span = this.#tracer.startSpan(`kafka ${api}`, { kind: SpanKind.SERVER, attributes });
    const started = performance.now();
    if (request.trailingBytes > 0) {
      this.#logger.debug({ api, version: request.header.apiVersion, trailingBytes: request.trailingBytes, remote }, 'request has bytes after its body (ignored, as Kafka does)');
    }
    return context.with(trace.setSpan(context.active(), span), fn).finally(() => {
      const labels = { api };
      this.#requests.add(1, labels);
      this.#latency.record((performance.now() - started) / 1000, labels);
      span.end();
    });
  }

  handlerFailed(api: string, ctx: RequestContext, err: unknown): void {
    this.#errors.add(1, { api });
    const span = trace.getActiveSpan();
    span?.recordException(err instanceof Error ? err : new Error(String(err)));
    span?.setStatus({ code: SpanStatusCode.ERROR });
    this.#logger.error({ err, api, version: ctx.apiVersion, clientId: ctx.header.clientId, remote: ctx.remote }, 'request handler failed; answered UNKNOWN_SERVER_ERROR');
  }

  connectionClosed(remote: string, reason: Error): void {
    this.#logger.warn({ remote, reason: reason.message }, 'closing connection');
  }

  connectionError(remote: string, err: Error): void {
    this.#logger.debug({ remote, err: err.message }, 'connection error');
  }
}
