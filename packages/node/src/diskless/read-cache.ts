import type { Counter, Meter } from '@opentelemetry/api';

/** Metric names of the diskless read cache. */
export const READ_CACHE_METRICS = {
  hits: 'oxbow_diskless_read_cache_hits',
  misses: 'oxbow_diskless_read_cache_misses',
  evictions: 'oxbow_diskless_read_cache_evictions',
  bytes: 'oxbow_diskless_read_cache_bytes',
} as const;

/**
 * A bytes-bounded LRU of object byte ranges (diskless Fetch, BRIEF §5): the node's only copy of
 * diskless data besides the write buffers. Concurrent loads of one key share one request. Entries
 * larger than the whole budget are returned but not kept.
 */
export class ReadCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Buffer>();
  readonly #loading = new Map<string, Promise<Buffer>>();
  #bytes = 0;
  readonly #hits: Counter | null;
  readonly #misses: Counter | null;
  readonly #evictions: Counter | null;

  constructor(maxBytes: number, meter?: Meter) {
    this.#maxBytes = Math.max(0, maxBytes);
    this.#hits = meter?.createCounter(READ_CACHE_METRICS.hits, { description: 'Diskless reads served from the node read cache' }) ?? null;
    this.#misses = meter?.createCounter(READ_CACHE_METRICS.misses, { description: 'Diskless reads that went to the object store' }) ?? null;
    this.#evictions = meter?.createCounter(READ_CACHE_METRICS.evictions, { description: 'Byte ranges evicted from the diskless read cache' }) ?? null;
    meter?.createObservableGauge(READ_CACHE_METRICS.bytes, { description: 'Bytes held by the diskless read cache', unit: 'By' }).addCallback((r) => r.observe(this.#bytes));
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The cached bytes for `key`, or `load()`'s (then cached). */
  async get(key: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      this.#hits?.add(1);
      return hit;
    }
    const pending = this.#loading.get(key);
    if (pending !== undefined) {
      this.#hits?.add(1);
      return pending;
    }
    this.#misses?.add(1);
    const loading = load().then(
      (bytes) => {
        this.#loading.delete(key);
        this.put(key, bytes);
        return bytes;
      },
      (err: unknown) => {
        this.#loading.delete(key);
        throw err;
      },
    );
    this.#loading.set(key, loading);
    return loading;
  }

  /** Whether `key` is cached or being loaded. */
  has(key: string): boolean {
    return this.#entries.has(key) || this.#loading.has(key);
  }

  put(key: string, bytes: Buffer): void {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.length;
    }
    if (bytes.length > this.#maxBytes) return;
    this.#entries.set(key, bytes);
    this.#bytes += bytes.length;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.length;
      this.#evictions?.add(1);
    }
  }
}
