import { trace, SpanStatusCode } from '@opentelemetry/api';
import type { Coordinator, ManifestEntry } from '@oxbow/controller';
import { lakeObjectKey, parquetCompressionSupport, type ObjectStore, type ParquetCompression, type ParquetWorkerPool } from '@oxbow/storage';
import type { Logger } from '../observability/logger.js';
import type { DisklessBackend } from './diskless-backend.js';
import { encodeParquetIndex, flushObjectTime, type EntryReader } from './entry-reader.js';

const tracer = trace.getTracer('oxbow.diskless');

/** Prefix of the flusher's shared objects inside a store. */
export const FLUSH_OBJECT_PREFIX = '_diskless/objects/';

export interface CompactionPolicy {
  /** Compact once a partition's uncompacted flush slices reach this many bytes... */
  readonly minBytes: number;
  /** ...or once the oldest of them is this old. */
  readonly maxAgeMs: number;
  /** Flush objects no manifest references are deleted once this old (in-flight commits must finish within it). */
  readonly graceMs: number;
}

/**
 * Rewrites a diskless partition's flush slices into lake layout (BRIEF §5):
 * `{prefix}/{topic}/partition={p}/{first:020}-{last:020}.parquet`, encoded in the worker pool, then
 * swaps the manifest entries for the file's in one compare-and-swap (a Fetch sees either the old
 * slices or the file). Flush objects that no manifest references any more are deleted after a
 * grace period by `collectGarbage`, which also removes objects of flushes that never committed.
 */
export class DisklessCompactor {
  readonly #coordinator: Coordinator;
  readonly #parquet: ParquetWorkerPool;
  readonly #reader: EntryReader;
  readonly #logger: Logger;
  readonly #policy: CompactionPolicy;

  constructor(options: { coordinator: Coordinator; parquet: ParquetWorkerPool; reader: EntryReader; logger: Logger; policy: CompactionPolicy }) {
    this.#coordinator = options.coordinator;
    this.#parquet = options.parquet;
    this.#reader = options.reader;
    this.#logger = options.logger;
    this.#policy = options.policy;
  }

  /**
   * Compacts the leading run of flush slices of `backend` when the policy says so (or always with
   * `force`). Returns the lake key written, or null when there was nothing to do.
   */
  async compact(backend: DisklessBackend, options: { compression: string; prefix: string; now?: number; force?: boolean }): Promise<string | null> {
    const manifest = this.#coordinator.manifest(backend.topicId, backend.partition);
    const run: ManifestEntry[] = [];
    let bytes = 0;
    for (const e of manifest.entries) {
      if (e.format !== 'batches') {
        if (run.length > 0) break;
        continue;
      }
      run.push(e);
      bytes += e.size;
      if (bytes >= this.#policy.minBytes * 2) break;
    }
    const first = run[0];
    const last = run[run.length - 1];
    if (first === undefined || last === undefined) return null;
    const oldest = flushObjectTime(first.objectKey) ?? 0;
    const due = bytes >= this.#policy.minBytes || (options.now ?? Date.now()) - oldest >= this.#policy.maxAgeMs;
    if (!due && options.force !== true) return null;
    return tracer.startActiveSpan('diskless compaction', { attributes: { 'messaging.destination.name': backend.topic, 'messaging.destination.partition.id': String(backend.partition), 'oxbow.diskless.entries': run.length } }, async (span) => {
      try {
        const slices = await Promise.all(run.map((e) => this.#reader.read(backend.location, e, e.baseOffset, e.size, e.lastOffset + 1n, true)));
        const batches = Buffer.concat(slices);
        const encoded = await this.#parquet.encode(batches, { compression: parquetCompression(options.compression) });
        const key = lakeObjectKey(options.prefix, backend.topic, backend.partition, first.baseOffset, last.lastOffset);
        await backend.location.store.put(key, encoded.file, { contentType: 'application/vnd.apache.parquet' });
        const entry: ManifestEntry = {
          baseOffset: first.baseOffset,
          lastOffset: last.lastOffset,
          objectKey: key,
          format: 'parquet',
          position: 0,
          size: encoded.file.length,
          records: run.reduce((n, e) => n + e.records, 0),
          maxTimestamp: run.reduce((m, e) => (e.maxTimestamp > m ? e.maxTimestamp : m), -1n),
          leaderEpoch: last.leaderEpoch,
          extra: encodeParquetIndex(encoded),
        };
        const swapped = await this.#coordinator.replaceManifestEntries(backend.topicId, backend.partition, run.map((e) => ({ baseOffset: e.baseOffset, objectKey: e.objectKey })), [entry]);
        if (!swapped) {
          await backend.location.store.delete(key).catch(() => undefined);
          return null;
        }
        span.setAttribute('oxbow.object.key', key);
        return key;
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        this.#logger.warn({ err, topic: backend.topic, partition: backend.partition }, 'diskless compaction failed; will retry');
        return null;
      } finally {
        span.end();
      }
    });
  }

  /**
   * Deletes flush objects in `store` older than the grace period that no manifest entry of a topic
   * stored there references (superseded by compaction, or never committed). Returns the count.
   */
  async collectGarbage(store: ObjectStore, storeKeyOf: (topicId: string) => string | null, storeKey: string, now = Date.now()): Promise<number> {
    const referenced = new Set<string>();
    for (const topic of this.#coordinator.topics()) {
      if (storeKeyOf(topic.topicId) !== storeKey) continue;
      for (const p of topic.partitions) for (const e of this.#coordinator.manifest(topic.topicId, p.partition).entries) referenced.add(e.objectKey);
    }
    const doomed: string[] = [];
    for await (const o of store.list(FLUSH_OBJECT_PREFIX)) {
      const at = flushObjectTime(o.key) ?? o.lastModified?.getTime() ?? now;
      if (now - at >= this.#policy.graceMs && !referenced.has(o.key)) doomed.push(o.key);
    }
    if (doomed.length > 0) await store.delete(doomed);
    return doomed.length;
  }
}

/** The Parquet page compression for `diskless.compression`; zstd falls back to snappy where this Node cannot write it. */
export function parquetCompression(name: string): ParquetCompression {
  const supported = parquetCompressionSupport('hyparquet-writer');
  const wanted = (name === 'none' || name === 'snappy' || name === 'gzip' || name === 'zstd' ? name : 'snappy') as ParquetCompression;
  return supported.includes(wanted) ? wanted : 'snappy';
}
