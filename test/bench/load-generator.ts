/**
 * Typed wrapper around load-generator.py (librdkafka through python3-confluent-kafka, in its own
 * process). See that file for what each command does.
 */
import { benchFile, runJson, SYSTEM_PYTHON } from './child.js';

export interface ProduceResult {
  readonly records: number;
  readonly bytes: number;
  readonly elapsedSeconds: number;
  readonly failed: number;
  /** Bytes delivered during the untimed warm-up before `elapsedSeconds` started. */
  readonly warmupBytes?: number;
  readonly errors: readonly string[];
  /** CPU of the timed part. */
  readonly clientCpuSeconds: number;
  /** CPU of the whole client process, start-up included. */
  readonly processCpuSeconds: number;
  /** librdkafka's statistics over the timed part (null when too short for two windows). */
  readonly requests: RequestStats | null;
  readonly pid: number;
}

/** From librdkafka's per-second statistics: produce requests and where records wait. */
export interface RequestStats {
  readonly windows: number;
  readonly meanRequestBytes: number | null;
  readonly requestsPerSecond: number;
  /** Broker round trip (request written to response read): median of per-second p50s, worst per-second p99. */
  readonly rttMs: { readonly p50: number; readonly p99: number };
  /** Time records wait in the client's queue before being sent (linger, backpressure), same aggregation. */
  readonly queueMs: { readonly p50: number; readonly p99: number };
}

export interface Percentiles {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
}

export interface PacedResult extends ProduceResult {
  readonly targetRate: number;
  readonly achievedRate: number;
  /** Sends the pacer had to skip because the producer's queue was full (the broker fell behind). */
  readonly skipped: number;
  readonly latencyMs: Percentiles & { readonly max: number | null };
  readonly librdkafkaLatencyMs: Percentiles;
}

export interface ConsumeResult {
  readonly records: number;
  readonly bytes: number;
  readonly expectedRecords: number;
  readonly complete: boolean;
  readonly elapsedSeconds: number;
  readonly errors: readonly string[];
  readonly clientCpuSeconds: number;
  readonly processCpuSeconds: number;
  readonly pid: number;
}

export interface ProduceOptions {
  readonly size: number;
  readonly acks: '1' | 'all';
  readonly seconds: number;
  /** Records per second; 0 = as fast as possible. */
  readonly rate?: number;
  readonly lingerMs?: number;
  /** enable.idempotence (default off). */
  readonly idempotence?: boolean;
  /** max.in.flight.requests.per.connection (librdkafka's default 1,000,000 when unset). */
  readonly maxInFlight?: number;
}

const SCRIPT = benchFile('load-generator.py');

export function createTopic(bootstrap: string, topic: string, partitions: number): Promise<unknown> {
  return runJson(SYSTEM_PYTHON, [SCRIPT, 'create-topic', bootstrap, topic, String(partitions)], 60_000);
}

function produceArgs(bootstrap: string, topic: string, o: ProduceOptions): string[] {
  return [SCRIPT, 'produce', bootstrap, topic, '--size', String(o.size), '--acks', o.acks, '--seconds', String(o.seconds), '--rate', String(o.rate ?? 0), '--linger-ms', String(o.lingerMs ?? 5), ...(o.idempotence === true ? ['--idempotence'] : []), ...(o.maxInFlight === undefined ? [] : ['--max-in-flight', String(o.maxInFlight)])];
}

export function produce(bootstrap: string, topic: string, o: ProduceOptions): Promise<ProduceResult> {
  return runJson<ProduceResult>(SYSTEM_PYTHON, produceArgs(bootstrap, topic, { ...o, rate: 0 }), o.seconds * 1000 + 120_000);
}

export function producePaced(bootstrap: string, topic: string, o: ProduceOptions & { readonly rate: number }): Promise<PacedResult> {
  return runJson<PacedResult>(SYSTEM_PYTHON, produceArgs(bootstrap, topic, o), o.seconds * 1000 + 120_000);
}

export function consumeAll(bootstrap: string, topic: string, seconds: number): Promise<ConsumeResult> {
  return runJson<ConsumeResult>(SYSTEM_PYTHON, [SCRIPT, 'consume', bootstrap, topic, '--seconds', String(seconds)], seconds * 1000 + 60_000);
}
