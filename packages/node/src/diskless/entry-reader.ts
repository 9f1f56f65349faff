import type { ManifestEntry } from '@oxbow/controller';
import { scanBatches } from '@oxbow/protocol';
import { planParquetRead, type ObjectStore, type ParquetFileIndex, type ParquetWorkerPool } from '@oxbow/storage';
import type { ReadCache } from './read-cache.js';

/** Where an entry's bytes live: the topic's store, named for cache keys by its location key. */
export interface EntryLocation {
  readonly store: ObjectStore;
  readonly storeKey: string;
}

/** Key of a flush object: `_diskless/objects/{node}/{ms:015}-{size:010}-{uuid}.batches`. */
export function flushObjectKey(nodeId: number, nowMs: number, size: number, uuid: string): string {
  return `_diskless/objects/${nodeId}/${String(nowMs).padStart(15, '0')}-${String(size).padStart(10, '0')}-${uuid}.batches`;
}

const FLUSH_KEY = /\/(\d{15})-(\d{10})-[0-9a-f-]+\.batches$/;

/** Upload time of a flush object, from its key, or null. */
export function flushObjectTime(objectKey: string): number | null {
  const match = FLUSH_KEY.exec(objectKey);
  return match === null ? null : Number(match[1]);
}

/** Size of a flush object, from its key, or null. */
export function flushObjectSize(objectKey: string): number | null {
  const match = FLUSH_KEY.exec(objectKey);
  return match === null ? null : Number(match[2]);
}

/** Cache key of an entry's byte range. */
export function entryCacheKey(storeKey: string, objectKey: string, position: number, size: number): string {
  return `${storeKey}\n${objectKey}\n${position}\n${size}`;
}

/**
 * Whole batches from `buffer` (absolute offsets, in order): from the one containing `offset`,
 * those starting below `maxOffset`, while they fit in `maxBytes` (the first one regardless when
 * `minOneBatch`, as Kafka's Fetch does). Returns a view of `buffer` (batches are contiguous).
 */
export function selectBatches(buffer: Buffer, offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Buffer {
  let start = -1;
  let end = 0;
  for (const view of scanBatches(buffer, { allowPartialTail: true })) {
    if (view.lastOffset < offset) continue;
    if (view.baseOffset >= maxOffset) break;
    const next = view.start + view.size;
    if (start < 0) {
      if (view.size > maxBytes && !minOneBatch) break;
      start = view.start;
    } else if (next - start > maxBytes) {
      break;
    }
    end = next;
  }
  return start < 0 ? buffer.subarray(0, 0) : buffer.subarray(start, end);
}

/** The Parquet file index a compacted entry carries in `extra`, with offsets as strings. */
interface StoredIndex {
  readonly fileSize: number;
  readonly footer: { offset: number; length: number };
  readonly rowGroups: readonly { first: string; last: string; rows: number; batches: number; offset: number; length: number }[];
}

export function encodeParquetIndex(index: ParquetFileIndex): string {
  const stored: StoredIndex = {
    fileSize: index.fileSize,
    footer: { offset: index.footer.offset, length: index.footer.length },
    rowGroups: index.rowGroups.map((g) => ({ first: g.firstOffset.toString(), last: g.lastOffset.toString(), rows: g.rows, batches: g.batches, offset: g.range.offset, length: g.range.length })),
  };
  return JSON.stringify(stored);
}

export function decodeParquetIndex(extra: string): ParquetFileIndex {
  const stored = JSON.parse(extra) as StoredIndex;
  return {
    fileSize: stored.fileSize,
    footer: stored.footer,
    rowGroups: stored.rowGroups.map((g) => ({ firstOffset: BigInt(g.first), lastOffset: BigInt(g.last), rows: g.rows, batches: g.batches, range: { offset: g.offset, length: g.length } })),
  };
}

/**
 * Flush objects are read (and cached) whole, one GET serving every partition's slice, when they are
 * at most this size and at most 1/16 of the read cache: consumers of many partitions read one
 * object at different times, and an object evicted before its last reader would be fetched again
 * (a larger one is read by ranged GETs, one per partition slice).
 */
export const WHOLE_OBJECT_MAX_BYTES = 16 * 1024 * 1024;
const WHOLE_OBJECT_CACHE_SHARE = 16;

/**
 * Reads committed diskless entries: slices of flush objects (the whole object with one GET when
 * it is small enough, so a consumer of many partitions costs one GET per object, else one ranged
 * GET per slice), and compacted Parquet files by their footer and the row groups a Fetch needs,
 * decoded in the worker pool. Every GET goes through the node's read cache.
 */
export class EntryReader {
  readonly #cache: ReadCache;
  readonly #parquet: ParquetWorkerPool;

  readonly #wholeMax: number;

  constructor(cache: ReadCache, parquet: ParquetWorkerPool) {
    this.#cache = cache;
    this.#parquet = parquet;
    this.#wholeMax = Math.min(WHOLE_OBJECT_MAX_BYTES, Math.floor(cache.maxBytes / WHOLE_OBJECT_CACHE_SHARE));
  }

  async read(where: EntryLocation, entry: ManifestEntry, offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Promise<Buffer> {
    if (entry.format === 'batches') return selectBatches(await this.#slice(where, entry), offset, maxBytes, maxOffset, minOneBatch);
    if (entry.extra === undefined) throw new Error(`Parquet entry ${entry.objectKey} has no file index`);
    const index = decodeParquetIndex(entry.extra);
    const planned = planParquetRead(index, offset, maxBytes);
    const ranges = await Promise.all(planned.map(async (r) => ({ offset: r.offset, bytes: await this.#range(where, entry.objectKey, r.offset, r.length) })));
    const decoded = await this.#parquet.decode({ fileSize: index.fileSize, ranges }, offset, maxBytes);
    return selectBatches(decoded.batches, offset, maxBytes, maxOffset, minOneBatch);
  }

  /** Loads the first bytes a sequential reader of `entry` will need, in the background. */
  prefetch(where: EntryLocation, entry: ManifestEntry): void {
    if (entry.format === 'batches') {
      void this.#slice(where, entry).catch(() => undefined);
      return;
    }
    if (entry.extra === undefined) return;
    const index = decodeParquetIndex(entry.extra);
    for (const r of planParquetRead(index, entry.baseOffset, 1)) void this.#range(where, entry.objectKey, r.offset, r.length).catch(() => undefined);
  }

  /** Puts a just-committed flush object (or its slices) into the cache, so the newest data is served from memory. */
  remember(where: EntryLocation, objectKey: string, body: Buffer, entries: readonly ManifestEntry[]): void {
    if (body.length <= this.#wholeMax) {
      this.#cache.put(entryCacheKey(where.storeKey, objectKey, 0, -1), body);
      return;
    }
    for (const e of entries) this.#cache.put(entryCacheKey(where.storeKey, objectKey, e.position, e.size), body.subarray(e.position, e.position + e.size));
  }

  /** The bytes of a flush-object slice: from the cached whole object when there is one (or it is small), else a ranged GET. */
  async #slice(where: EntryLocation, entry: ManifestEntry): Promise<Buffer> {
    const end = entry.position + entry.size;
    const wholeKey = entryCacheKey(where.storeKey, entry.objectKey, 0, -1);
    const size = flushObjectSize(entry.objectKey);
    if (this.#cache.has(wholeKey) || (size !== null && size <= this.#wholeMax)) {
      const whole = await this.#cache.get(wholeKey, () => where.store.get(entry.objectKey));
      if (whole.length >= end) return whole.subarray(entry.position, end);
    }
    return this.#range(where, entry.objectKey, entry.position, entry.size);
  }

  #range(where: EntryLocation, objectKey: string, position: number, size: number): Promise<Buffer> {
    return this.#cache.get(entryCacheKey(where.storeKey, objectKey, position, size), () => where.store.get(objectKey, { range: { offset: position, length: size } }));
  }
}
