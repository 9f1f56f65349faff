/**
 * Spans and metrics for object store calls (BRIEF §9): every call runs in a span of the
 * `@oxbow/storage` tracer and is measured by an operation-latency histogram; failures count in an
 * error counter by code. Instruments are taken from the global providers when a store is created,
 * so the node must install its OpenTelemetry SDK before opening stores.
 */
import { context, metrics, SpanKind, SpanStatusCode, trace, type Attributes, type Counter, type Histogram, type Span } from '@opentelemetry/api';
import { isObjectStoreError } from './errors.js';

export const TELEMETRY_SCOPE = '@oxbow/storage';

/** Attribute names on spans and metrics. */
export const OBJECT_STORE_ATTRIBUTES = {
  system: 'oxbow.object_store.system',
  operation: 'oxbow.object_store.operation',
  bucket: 'oxbow.object_store.bucket',
  key: 'oxbow.object_store.key',
  bytes: 'oxbow.object_store.bytes',
  attempts: 'oxbow.object_store.attempts',
  errorCode: 'oxbow.object_store.error_code',
} as const;

/** Metric names. */
export const OBJECT_STORE_METRICS = {
  duration: 'oxbow.object_store.operation.duration',
  errors: 'oxbow.object_store.errors',
  retries: 'oxbow.object_store.retries',
  bytes: 'oxbow.object_store.bytes',
} as const;

/** What an instrumented call reports back, besides its result. */
export interface CallScope {
  readonly span: Span;
  /** Bytes moved (set by reads once the size is known). */
  setBytes(bytes: number): void;
  /** Attempts the SDK made for the request (1 = no retry). Accumulates across requests of one call. */
  addAttempts(attempts: number | undefined): void;
}

export class ObjectStoreTelemetry {
  readonly #system: string;
  readonly #bucket: string;
  readonly #tracer = trace.getTracer(TELEMETRY_SCOPE);
  readonly #duration: Histogram;
  readonly #errors: Counter;
  readonly #retries: Counter;
  readonly #bytes: Counter;

  constructor(system: 'file' | 's3' | 'memory', bucket: string) {
    this.#system = system;
    this.#bucket = bucket;
    const meter = metrics.getMeter(TELEMETRY_SCOPE);
    this.#duration = meter.createHistogram(OBJECT_STORE_METRICS.duration, { unit: 's', description: 'Object store operation latency' });
    this.#errors = meter.createCounter(OBJECT_STORE_METRICS.errors, { description: 'Failed object store operations, by error code' });
    this.#retries = meter.createCounter(OBJECT_STORE_METRICS.retries, { description: 'Request retries made by the S3 client' });
    this.#bytes = meter.createCounter(OBJECT_STORE_METRICS.bytes, { unit: 'By', description: 'Bytes written and read' });
  }

  /** Runs `fn` in a span named `object-store <operation>` and records its latency, bytes and outcome. */
  async run<T>(operation: string, attributes: { key?: string; bytes?: number }, fn: (scope: CallScope) => Promise<T>): Promise<T> {
    const base: Attributes = {
      [OBJECT_STORE_ATTRIBUTES.system]: this.#system,
      [OBJECT_STORE_ATTRIBUTES.operation]: operation,
      [OBJECT_STORE_ATTRIBUTES.bucket]: this.#bucket,
    };
    const spanAttributes: Attributes = { ...base };
    if (attributes.key !== undefined) spanAttributes[OBJECT_STORE_ATTRIBUTES.key] = attributes.key;
    let bytes = attributes.bytes;
    let attempts = 0;
    const span = this.#tracer.startSpan(`object-store ${operation}`, { kind: SpanKind.CLIENT, attributes: spanAttributes });
    const scope: CallScope = {
      span,
      setBytes: (n) => {
        bytes = n;
      },
      addAttempts: (n) => {
        if (n !== undefined && n > 0) attempts += n;
      },
    };
    const started = performance.now();
    try {
      const result = await context.with(trace.setSpan(context.active(), span), () => fn(scope));
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (error) {
      const code = isObjectStoreError(error) ? error.code : 'internal';
      if (isObjectStoreError(error)) scope.addAttempts(error.attempts);
      span.setAttribute(OBJECT_STORE_ATTRIBUTES.errorCode, code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      this.#errors.add(1, { ...base, [OBJECT_STORE_ATTRIBUTES.errorCode]: code });
      throw error;
    } finally {
      if (bytes !== undefined) {
        span.setAttribute(OBJECT_STORE_ATTRIBUTES.bytes, bytes);
        if (bytes > 0) this.#bytes.add(bytes, base);
      }
      if (attempts > 0) {
        span.setAttribute(OBJECT_STORE_ATTRIBUTES.attempts, attempts);
      }
      this.#duration.record((performance.now() - started) / 1000, base);
      span.end();
    }
  }

  /** Counts retries the SDK made inside one request (`$metadata.attempts - 1`). */
  recordRetries(operation: string, attempts: number | undefined): void {
    if (attempts !== undefined && attempts > 1) {
      this.#retries.add(attempts - 1, {
        [OBJECT_STORE_ATTRIBUTES.system]: this.#system,
        [OBJECT_STORE_ATTRIBUTES.operation]: operation,
        [OBJECT_STORE_ATTRIBUTES.bucket]: this.#bucket,
      });
    }
  }
}
