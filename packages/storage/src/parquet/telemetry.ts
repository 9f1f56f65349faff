/**
 * Spans and metrics of Parquet jobs (BRIEF §9): a span per job on the caller's side, whose context
 * is carried into the worker, plus job count, duration and bytes in/out.
 */
import { metrics, trace, type Counter, type Histogram, type Tracer } from '@opentelemetry/api';

/** Same instrumentation scope as the rest of @oxbow/storage. */
export const TELEMETRY_SCOPE_PARQUET = '@oxbow/storage';

export const PARQUET_ATTRIBUTES = {
  operation: 'oxbow.parquet.operation',
  writer: 'oxbow.parquet.writer',
  compression: 'oxbow.parquet.compression',
  outcome: 'oxbow.parquet.outcome',
  errorCode: 'oxbow.parquet.error_code',
  bytesIn: 'oxbow.parquet.bytes_in',
  bytesOut: 'oxbow.parquet.bytes_out',
  rows: 'oxbow.parquet.rows',
  threadId: 'oxbow.parquet.thread_id',
  queueMs: 'oxbow.parquet.queue_ms',
} as const;

export const PARQUET_METRICS = {
  jobs: 'oxbow.parquet.jobs',
  duration: 'oxbow.parquet.job.duration',
  bytes: 'oxbow.parquet.bytes',
} as const;

export interface ParquetInstruments {
  readonly tracer: Tracer;
  readonly jobs: Counter;
  readonly duration: Histogram;
  readonly bytes: Counter;
}

/** Instruments from the global providers (install the SDK before creating a pool). */
export function parquetInstruments(): ParquetInstruments {
  const meter = metrics.getMeter(TELEMETRY_SCOPE_PARQUET);
  return {
    tracer: trace.getTracer(TELEMETRY_SCOPE_PARQUET),
    jobs: meter.createCounter(PARQUET_METRICS.jobs, { description: 'Parquet encode/decode jobs run in workers, by operation, writer and outcome' }),
    duration: meter.createHistogram(PARQUET_METRICS.duration, { unit: 's', description: 'Parquet job latency, queueing included' }),
    bytes: meter.createCounter(PARQUET_METRICS.bytes, { unit: 'By', description: 'Bytes into and out of Parquet jobs (direction: in | out)' }),
  };
}
