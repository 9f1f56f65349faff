import type { Meter } from '@opentelemetry/api';
import type { Coordinator, TopicRecord } from '@oxbow/controller';
import { ParquetWorkerPool, type ObjectStore } from '@oxbow/storage';
import { ms } from '../broker/partition-config.js';
import type { TopicConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import { DisklessCompactor, type CompactionPolicy } from './compactor.js';
import { DisklessBackend, type DisklessPartitionConfig } from './diskless-backend.js';
import { EntryReader } from './entry-reader.js';
import { DisklessFlusher } from './flusher.js';
import { ReadCache } from './read-cache.js';

/** Which store holds a topic's objects (the node's object-store router). */
export interface TopicStores {
  storeFor(topic: TopicRecord): ObjectStore;
  /** Identifies the store (bucket, prefix, endpoint, credentials hash); never contains a secret. */
  locationKey(topic: TopicRecord): string;
}

export interface DisklessServiceOptions {
  readonly nodeId: number;
  readonly coordinator: Coordinator;
  readonly stores: TopicStores;
  readonly logger: Logger;
  readonly meter?: Meter;
  /** Node read cache bytes (the largest `diskless.read.cache.bytes` wins; default 256 MiB). */
  readonly readCacheBytes?: number;
  /** Node write buffer bound (default 256 MiB). */
  readonly maxBufferedBytes?: number;
  readonly bufferWaitMs?: number;
  readonly compaction?: Partial<CompactionPolicy> & { readonly intervalMs?: number };
  readonly parquetThreads?: number;
  /** Partitions per manifest commit (default MAX_MANIFEST_APPENDS; lower for an etcd with a small --max-txn-ops). */
  readonly maxAppendsPerCommit?: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy & { intervalMs: number } = {
  minBytes: 64 * 1024 * 1024,
  maxAgeMs: 5 * 60_000,
  graceMs: 10 * 60_000,
  intervalMs: 30_000,
};

/** The `diskless.*` flush settings of a topic's effective configuration. */
export function disklessConfigOf(c: TopicConfig): DisklessPartitionConfig {
  return {
    flushIntervalMs: c.disklessFlushIntervalMs,
    flushBytes: c.disklessFlushBytes,
    flushRecords: c.disklessFlushRecords,
    ackMode: c.disklessAckMode === 'buffered' ? 'buffered' : 'durable',
    retentionMs: c.cleanupPolicy.includes('delete') ? ms(c.retentionMs) : -1,
    retentionBytes: c.cleanupPolicy.includes('delete') ? ms(c.retentionBytes) : -1,
  };
}

/**
 * Everything diskless on a node: the shared flusher, the read cache, the Parquet workers and the
 * compactor; opens a `DisklessBackend` for each diskless partition this node leads.
 */
export class DisklessService {
  readonly flusher: DisklessFlusher;
  readonly cache: ReadCache;
  readonly compactor: DisklessCompactor;
  readonly #options: DisklessServiceOptions;
  readonly #parquet: ParquetWorkerPool;
  readonly #open = new Map<DisklessBackend, TopicConfig>();
  readonly #policy: CompactionPolicy & { intervalMs: number };
  #timer: NodeJS.Timeout | null = null;
  readonly #lostListeners = new Set<(topic: string, partition: number) => void>();
  #compacting = false;

  constructor(options: DisklessServiceOptions) {
    this.#options = options;
    this.#parquet = new ParquetWorkerPool({ threads: options.parquetThreads ?? 1 });
    this.cache = new ReadCache(options.readCacheBytes ?? 256 * 1024 * 1024, options.meter);
    const reader = new EntryReader(this.cache, this.#parquet);
    this.flusher = new DisklessFlusher({
      nodeId: options.nodeId,
      manifests: options.coordinator,
      reader,
      logger: options.logger,
      meter: options.meter,
      maxBufferedBytes: options.maxBufferedBytes ?? 256 * 1024 * 1024,
      bufferWaitMs: options.bufferWaitMs ?? 30_000,
      maxAppendsPerCommit: options.maxAppendsPerCommit,
      reuploadAfterMs: (options.compaction?.graceMs ?? DEFAULT_COMPACTION.graceMs) / 2,
      onLost: (b) => {
        for (const l of this.#lostListeners) l(b.topic, b.partition);
      },
    });
    this.#policy = { ...DEFAULT_COMPACTION, ...options.compaction };
    this.compactor = new DisklessCompactor({ coordinator: options.coordinator, parquet: this.#parquet, reader, logger: options.logger, policy: this.#policy });
  }

  start(): void {
    this.#timer = setInterval(() => void this.runCompaction(), this.#policy.intervalMs);
    this.#timer.unref();
  }

  /** A backend for a diskless partition this node leads, from its committed manifest. */
  open(topic: TopicRecord, partition: number, config: TopicConfig): DisklessBackend {
    const backend = new DisklessBackend({
      topic: topic.name,
      topicId: topic.topicId,
      partition,
      location: { store: this.#options.stores.storeFor(topic), storeKey: this.#options.stores.locationKey(topic) },
      manifests: this.#options.coordinator,
      host: this.flusher,
      config: disklessConfigOf(config),
    });
    this.#open.set(backend, config);
    return backend;
  }

  /** Called when a partition's buffered appends were lost to another writer (reopen it from the manifest). */
  onLost(listener: (topic: string, partition: number) => void): void {
    this.#lostListeners.add(listener);
  }

  /** Applies changed topic configs to an open backend. */
  reconfigure(backend: DisklessBackend, config: TopicConfig): void {
    if (!this.#open.has(backend)) return;
    this.#open.set(backend, config);
    backend.updateConfig(disklessConfigOf(config));
  }

  /** One compaction pass over the partitions this node leads, then garbage collection per store. */
  async runCompaction(options: { force?: boolean; now?: number } = {}): Promise<number> {
    if (this.#compacting) return 0;
    this.#compacting = true;
    let written = 0;
    try {
      const stores = new Map<string, ObjectStore>();
      for (const [backend, c] of [...this.#open]) {
        if (backend.closed) {
          this.#open.delete(backend);
          continue;
        }
        if (c.disklessFormat !== 'parquet') continue;
        const key = await this.compactor.compact(backend, { compression: c.disklessCompression, prefix: '', force: options.force, now: options.now });
        if (key !== null) written++;
        stores.set(backend.location.storeKey, backend.location.store);
      }
      for (const [storeKey, store] of stores) {
        await this.compactor
          .collectGarbage(store, (topicId) => this.#storeKeyOf(topicId), storeKey, options.now)
          .catch((err: unknown) => this.#options.logger.warn({ err }, 'diskless garbage collection failed'));
      }
    } finally {
      this.#compacting = false;
    }
    return written;
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.flusher.close();
    await this.#parquet.close();
  }

  #storeKeyOf(topicId: string): string | null {
    const topic = this.#options.coordinator.topicById(topicId);
    return topic === undefined || topic.configs['storage.mode'] !== 'diskless' ? null : this.#options.stores.locationKey(topic);
  }
}
