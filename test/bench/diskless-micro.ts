/**
 * The diskless bench's direct measurements, outside the broker (diskless-bench.ts runs them after
 * the broker's runs, on the same s3rver): S3 PUT latency of flush-sized objects, one at a time as
 * the flusher uploads (one flush in flight per store); EmbeddedCoordinator `commitObject` latency
 * of 16-partition commits, one at a time as the flusher commits; Parquet encode throughput of one
 * ParquetWorkerPool thread and the main thread's event-loop delay meanwhile. Every loop is bounded
 * by a count and a time limit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmbeddedCoordinator, type ManifestAppend } from '@oxbow/controller';
import { encodeRecordBatch } from '@oxbow/protocol';
import { DEFAULT_PARQUET_WRITER, ParquetWorkerPool, S3ObjectStore, type ObjectStoreSettings } from '@oxbow/storage';
import { quantile } from './stats.js';

export interface LatencySummary {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly seconds: number;
}

function summarize(ms: readonly number[], seconds: number): LatencySummary {
  return { samples: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: ms.length === 0 ? NaN : Math.max(...ms), seconds };
}

export interface PutLatency extends LatencySummary {
  readonly objectBytes: number;
  /** objectBytes × samples / wall time: one PUT at a time, as the flusher uploads. */
  readonly MBps: number;
}

/**
 * `count` PUTs of `objectBytes` random bytes one after the other (each a new key, deleted
 * afterwards), stopping early at `timeLimitMs`; two warm-up PUTs are not counted.
 */
export async function measurePuts(settings: ObjectStoreSettings, objectBytes: number, count: number, timeLimitMs: number): Promise<PutLatency> {
  const store = new S3ObjectStore(settings);
  const body = randomBytes(objectBytes);
  const keys: string[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const key = `bench-put/warm-${randomUUID()}`;
      await store.put(key, body);
      keys.push(key);
    }
    const ms: number[] = [];
    const start = performance.now();
    while (ms.length < count && performance.now() - start < timeLimitMs) {
      const key = `bench-put/${randomUUID()}`;
      const t = performance.now();
      await store.put(key, body);
      ms.push(performance.now() - t);
      keys.push(key);
    }
    const seconds = (performance.now() - start) / 1000;
    return { ...summarize(ms, seconds), objectBytes, MBps: (objectBytes * ms.length) / 1e6 / seconds };
  } finally {
    for (const key of keys) await store.delete(key).catch(() => undefined);
    await store.close();
  }
}

/**
 * `count` commits of one flush object's entries for `partitions` partitions of one topic, one at a
 * time, into an EmbeddedCoordinator in a temp dir (the coordinator a single `oxbow start` runs).
 */
export async function measureCommits(partitions: number, count: number, timeLimitMs: number): Promise<LatencySummary> {
  const dir = await mkdtemp(join(tmpdir(), 'oxbow-bench-commit-'));
  const coordinator = new EmbeddedCoordinator({ dataDir: dir, nodeId: 0 });
  try {
    await coordinator.start();
    const topicId = randomUUID();
    const next = new Array<bigint>(partitions).fill(0n);
    const commit = async (): Promise<void> => {
      const objectKey = `_diskless/objects/0/${Date.now()}-${randomUUID()}.batches`;
      const appends: ManifestAppend[] = next.map((base, partition) => {
        const records = 64;
        const lastOffset = base + BigInt(records - 1);
        return { topicId, partition, expectedNextOffset: base, entry: { baseOffset: base, lastOffset, objectKey, format: 'batches', position: partition * 70_000, size: 70_000, records, maxTimestamp: BigInt(Date.now()), leaderEpoch: 0 } };
      });
      const result = await coordinator.commitObject(appends);
      if (!result.ok) throw new Error(`commitObject conflicted: ${JSON.stringify(result.conflicts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
      for (let p = 0; p < partitions; p++) next[p] = (next[p] as bigint) + 64n;
    };
    for (let i = 0; i < 5; i++) await commit(); // warm-up
    const ms: number[] = [];
    const start = performance.now();
    while (ms.length < count && performance.now() - start < timeLimitMs) {
      const t = performance.now();
      await commit();
      ms.push(performance.now() - t);
    }
    return summarize(ms, (performance.now() - start) / 1000);
  } finally {
    await coordinator.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ParquetEncodeResult {
  readonly writer: string;
  readonly compression: 'snappy';
  readonly records: number;
  readonly inputMB: number;
  readonly fileMB: number;
  /** MB of record batches per second of worker time (one thread). */
  readonly workerMBps: number;
  /** Same, per second of wall time (transfer to and from the worker included). */
  readonly wallMBps: number;
  readonly rowsPerSecond: number;
  /** Main thread's event-loop delay while the worker encodes (1 ms resolution subtracted). */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

const VALUE_BYTES = 1024;
const PER_BATCH = 500;
const LOOP_RESOLUTION_MS = 1;

/** 1 KiB values, half random bytes and half repeated JSON-like text (about 2:1 compressible). */
function value(seed: number): Buffer {
  const v = randomBytes(VALUE_BYTES);
  v.write(`{"event":"click","user":${seed % 7919},"path":"/items/${seed % 307}"}`.repeat(12), VALUE_BYTES / 2, 'utf8');
  return v;
}

/** Kafka v2 batches of PER_BATCH records with keys, as a compaction run reads them from flush slices. */
async function batches(records: number): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let base = 0; base < records; base += PER_BATCH) {
    const n = Math.min(PER_BATCH, records - base);
    out.push(
      await encodeRecordBatch({
        baseOffset: BigInt(base),
        records: Array.from({ length: n }, (_, i) => ({ timestamp: 1_700_000_000_000n + BigInt(base + i), key: Buffer.from(`user-${(base + i) % 7919}`), value: value(base + i) })),
      }),
    );
  }
  return Buffer.concat(out);
}

/**
 * One worker thread (the broker's writer, snappy: what `diskless.compression=zstd` falls back to on
 * Node 20) encodes `records` 1 KiB records after a small warm-up job, with the main thread idle
 * apart from the delay monitor.
 */
export async function measureParquetEncode(records: number): Promise<ParquetEncodeResult> {
  const input = await batches(records);
  const warm = await batches(2 * PER_BATCH);
  const pool = new ParquetWorkerPool({ threads: 1 });
  try {
    await pool.encode(warm, { compression: 'snappy' });
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const t = performance.now();
    const encoded = await pool.encode(input, { compression: 'snappy' });
    const wallSeconds = (performance.now() - t) / 1000;
    loop.disable();
    const workerSeconds = encoded.job.workerMs / 1000;
    return {
      writer: DEFAULT_PARQUET_WRITER,
      compression: 'snappy',
      records,
      inputMB: input.length / 1e6,
      fileMB: encoded.file.length / 1e6,
      workerMBps: input.length / 1e6 / workerSeconds,
      wallMBps: input.length / 1e6 / wallSeconds,
      rowsPerSecond: records / workerSeconds,
      loopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
      loopDelayMaxMs: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS),
    };
  } finally {
    await pool.close();
  }
}
