/**
 * Tracing, metrics and error mapping for etcd requests. Every transaction and range read the
 * EtcdCoordinator makes runs through `EtcdCalls.run` (lease keepalives, every TTL/4, and the etcd3
 * campaign's own calls are not traced): it gets an
 * OpenTelemetry span (tracer `@oxbow/controller`), lands in the `oxbow.etcd.request.duration`
 * histogram (seconds, by operation and outcome), is bounded by a deadline, and fails with a
 * retriable Kafka error when etcd cannot be reached in time.
 */
import { SpanKind, SpanStatusCode, metrics, trace, type Histogram } from '@opentelemetry/api';
import { KafkaApiError } from '@oxbow/protocol';

const TRACER_NAME = '@oxbow/controller';

/** Where a write stands in its time budget: an absolute deadline (ms since the epoch). */
export interface Budget {
  readonly deadline: number;
  readonly timeoutMs: number;
}

export function budget(timeoutMs: number): Budget {
  return { deadline: Date.now() + timeoutMs, timeoutMs };
}

/** The retriable error for an etcd outage (or a write that outlived its budget). */
export function unavailable(message: string, cause?: unknown): KafkaApiError {
  return new KafkaApiError('REQUEST_TIMED_OUT', message, cause === undefined ? undefined : { cause });
}

export class EtcdCalls {
  readonly #tracer = trace.getTracer(TRACER_NAME);
  #histogram: Histogram | undefined;
  readonly #cluster: string;

  constructor(clusterName: string) {
    this.#cluster = clusterName;
  }

  /** Created on first use: the metrics API has no proxy, so a meter taken before the SDK is set up would stay a no-op. */
  get #latency(): Histogram {
    this.#histogram ??= metrics.getMeter(TRACER_NAME).createHistogram('oxbow.etcd.request.duration', {
      description: 'Latency of etcd transactions and range reads made by the coordinator.',
      unit: 's',
    });
    return this.#histogram;
  }

  /**
   * Runs `call` (handed the gRPC deadline) in a span; rejects with REQUEST_TIMED_OUT when etcd
   * fails or does not answer before `budget.deadline`. `outcome` names a successful result for the
   * metric (e.g. a transaction whose compare failed).
   */
  async run<T>(op: string, b: Budget, call: (deadline: Date) => Promise<T>, outcome?: (result: T) => string): Promise<T> {
    const remaining = b.deadline - Date.now();
    if (remaining <= 0) throw unavailable(`etcd ${op}: no time left of the ${b.timeoutMs} ms budget (etcd slow or unreachable).`);
    return this.#tracer.startActiveSpan(
      `etcd ${op}`,
      { kind: SpanKind.CLIENT, attributes: { 'db.system': 'etcd', 'db.operation': op, 'oxbow.cluster': this.#cluster } },
      async (span) => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        let result = 'error';
        try {
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(unavailable(`etcd did not answer ${op} within ${b.timeoutMs} ms.`)), remaining);
          });
          const value = await Promise.race([call(new Date(b.deadline)), timeout]);
          result = outcome?.(value) ?? 'ok';
          span.setAttribute('oxbow.etcd.outcome', result);
          return value;
        } catch (error) {
          const mapped = mapEtcdError(op, error);
          result = mapped instanceof KafkaApiError && mapped.errorName === 'REQUEST_TIMED_OUT' ? 'unavailable' : 'error';
          span.recordException(mapped);
          span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.message });
          throw mapped;
        } finally {
          clearTimeout(timer);
          this.#latency.record((performance.now() - started) / 1000, { 'db.operation': op, 'oxbow.etcd.outcome': result });
          span.end();
        }
      },
    );
  }
}

/** Errors meaning "etcd refused this for good" rather than "etcd is unreachable or busy". */
const PERMANENT = /PermissionDenied|Authentication|InvalidArgument|UserNotFound|RoleNotFound|NotImplemented/;

/** etcd3/gRPC failures become REQUEST_TIMED_OUT (retriable) unless they are clearly permanent. */
export function mapEtcdError(op: string, error: unknown): Error {
  if (error instanceof KafkaApiError) return error;
  const name = error instanceof Error ? error.constructor.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (PERMANENT.test(name)) return new Error(`etcd refused ${op}: ${message}`, { cause: error });
  return unavailable(`etcd ${op} failed: ${message}`, error);
}

/** True when etcd says a lease does not exist (expired or revoked). */
export function isLeaseGone(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const causeText = cause instanceof Error ? `${cause.constructor.name} ${cause.message}` : '';
  const text = error instanceof Error ? `${error.constructor.name} ${error.message} ${causeText}` : String(error);
  return /LeaseInvalid|lease not found|requested lease not found/i.test(text);
}
