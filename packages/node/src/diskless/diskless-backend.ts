import type { ManifestEntry, ManifestStore } from '@oxbow/controller';
import type { AppendInfo, DeferredDurability, PartitionBackend } from '@oxbow/partition-actor';
import { decodeRecordBatch, scanBatches } from '@oxbow/protocol';
import { isObjectStoreError, StorageError, type TimestampOffset } from '@oxbow/storage';
import { selectBatches, type EntryLocation, type EntryReader } from './entry-reader.js';

/** A partition's flush thresholds and ack mode (topic configs `diskless.*`). */
export interface DisklessPartitionConfig {
  readonly flushIntervalMs: number;
  readonly flushBytes: number;
  /** 0 = no record-count trigger. */
  readonly flushRecords: number;
  readonly ackMode: 'durable' | 'buffered';
  /** retention.ms (-1 = keep forever): whole entries whose newest record is older go. */
  readonly retentionMs: number;
  /** retention.bytes (-1 = no limit): the oldest whole entries go while the partition is larger. */
  readonly retentionBytes: number;
}

/** Batches appended (offsets assigned) but not yet in a committed object. */
export interface BufferedSlice {
  readonly chunks: Buffer[];
  readonly firstOffset: bigint;
  lastOffset: bigint;
  bytes: number;
  records: number;
  maxTimestamp: bigint;
  readonly leaderEpoch: number;
}

/** What a diskless partition needs from the node: buffer room, flush scheduling, the read path. */
export interface DisklessHost {
  /** Waits for `bytes` of room in the node's write buffer; throws a retriable error past its bound. */
  reserve(bytes: number): Promise<void>;
  /** Returns buffer room once the bytes are committed or dropped. */
  release(bytes: number): void;
  /** New data is buffered in `backend`: schedule or trigger its group's flush. */
  buffered(backend: DisklessBackend): void;
  /** The backend is closing: stop flushing it (its unflushed data is dropped, never acknowledged). */
  forget(backend: DisklessBackend): void;
  readonly reader: EntryReader;
}

export interface DisklessBackendOptions {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly location: EntryLocation;
  readonly manifests: ManifestStore;
  readonly host: DisklessHost;
  readonly config: DisklessPartitionConfig;
}

const snapshotKey = (topicId: string, partition: number): string => `_diskless/snapshots/${topicId}/${partition}.snapshot`;

/**
 * A diskless partition (BRIEF §5, `storage.mode=diskless`): appends are buffered in memory with
 * their offsets assigned by the actor, the node's flusher packs them with every other diskless
 * partition sharing the store into one object, and the manifest commit (compare-and-swap on the
 * partition's next offset) makes them durable. Nothing goes to local disk. Reads resolve offsets
 * through the manifest and go through the node's read cache; the newest committed slices are put
 * there by the flusher, so tailing consumers are served from memory.
 *
 * The actor is the only writer of a partition on this node; another node can take the partition
 * over (after this node's lease expired), and then this node's next commit fails its compare and
 * the buffered appends are reported lost: they were never acknowledged.
 */
export class DisklessBackend implements PartitionBackend {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly location: EntryLocation;
  readonly #manifests: ManifestStore;
  readonly #host: DisklessHost;
  #config: DisklessPartitionConfig;
  /** Appended, not yet taken by a flush. */
  #pending: BufferedSlice | null = null;
  /** Taken by flushes in progress, oldest first (their commits run in this order). */
  readonly #inFlight: BufferedSlice[] = [];
  #end: bigint;
  #durableEnd: bigint;
  #epoch = -1;
  #listener: Parameters<DeferredDurability['listen']>[0] | null = null;
  #closed = false;
  readonly deferred: DeferredDurability;

  constructor(options: DisklessBackendOptions) {
    this.topic = options.topic;
    this.topicId = options.topicId;
    this.partition = options.partition;
    this.location = options.location;
    this.#manifests = options.manifests;
    this.#host = options.host;
    this.#config = options.config;
    const manifest = this.#manifest();
    this.#end = manifest.nextOffset;
    this.#durableEnd = manifest.nextOffset;
    const last = manifest.entries[manifest.entries.length - 1];
    if (last !== undefined) this.#epoch = last.leaderEpoch;
    const durableEnd = (): bigint => this.#durableEnd;
    const acksWait = (): boolean => this.#config.ackMode === 'durable';
    const listen = (l: Parameters<DeferredDurability['listen']>[0]): void => {
      this.#listener = l;
    };
    this.deferred = {
      get durableEndOffset() {
        return durableEnd();
      },
      get acksWaitForDurable() {
        return acksWait();
      },
      listen,
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  get config(): DisklessPartitionConfig {
    return this.#config;
  }

  updateConfig(config: DisklessPartitionConfig): void {
    this.#config = config;
  }

  get logStartOffset(): bigint {
    return this.#manifest().startOffset;
  }

  get logEndOffset(): bigint {
    return this.#end;
  }

  /** Buffered bytes not yet taken by a flush. */
  get pendingBytes(): number {
    return this.#pending?.bytes ?? 0;
  }

  get pendingRecords(): number {
    return this.#pending?.records ?? 0;
  }

  async append(batches: Buffer, info: AppendInfo): Promise<void> {
    if (this.#closed) throw new StorageError('closed', `diskless partition ${this.topic}-${this.partition} is closed`);
    await this.#host.reserve(batches.length);
    if (this.#closed) {
      this.#host.release(batches.length);
      throw new StorageError('closed', `diskless partition ${this.topic}-${this.partition} is closed`);
    }
    const copy = Buffer.from(batches);
    const p = (this.#pending ??= { chunks: [], firstOffset: info.firstOffset, lastOffset: info.lastOffset, bytes: 0, records: 0, maxTimestamp: -1n, leaderEpoch: this.#epoch });
    p.chunks.push(copy);
    p.lastOffset = info.lastOffset;
    p.bytes += copy.length;
    p.records += info.recordCount;
    if (info.maxTimestamp > p.maxTimestamp) p.maxTimestamp = info.maxTimestamp;
    this.#end = info.lastOffset + 1n;
    this.#host.buffered(this);
  }

  /** Flusher: takes the pending slice for the next object (null when there is none). */
  takeForFlush(): BufferedSlice | null {
    const slice = this.#pending;
    if (slice === null || this.#closed) return null;
    this.#inFlight.push(slice);
    this.#pending = null;
    return slice;
  }

  /** Flusher: the in-flight slice is committed as `entry`. */
  committed(entry: ManifestEntry): void {
    const slice = this.#inFlight[0];
    if (slice === undefined || slice.firstOffset !== entry.baseOffset) return;
    this.#inFlight.shift();
    this.#host.release(slice.bytes);
    this.#durableEnd = entry.lastOffset + 1n;
    this.#listener?.durable(this.#durableEnd);
    if (this.#pending !== null) this.#host.buffered(this);
  }

  /** Flusher: the partition's next offset moved elsewhere: everything buffered here is lost (never acknowledged). */
  lost(errorCode: number, message: string): void {
    if (this.#inFlight.length === 0 && this.#pending === null && this.#end === this.#durableEnd) return;
    for (const s of [...this.#inFlight.splice(0), this.#pending]) if (s !== null) this.#host.release(s.bytes);
    this.#pending = null;
    this.#end = this.#durableEnd;
    this.#listener?.lost(errorCode, message);
  }

  async read(offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Promise<Buffer> {
    const limit = maxOffset < this.#durableEnd ? maxOffset : this.#durableEnd;
    if (offset >= limit) return Buffer.alloc(0);
    const manifest = this.#manifest();
    if (offset < manifest.startOffset) throw new StorageError('offset-out-of-range', `offset ${offset} is below the log start ${manifest.startOffset}`);
    // The entries the byte budget may reach, read concurrently (each is one cached GET at most).
    const first = entryIndex(manifest.entries, offset);
    const planned: ManifestEntry[] = [];
    let planBytes = 0;
    for (let i = first; i < manifest.entries.length && (planned.length === 0 || planBytes < maxBytes); i++) {
      const e = manifest.entries[i] as ManifestEntry;
      if (e.baseOffset >= limit) break;
      planned.push(e);
      planBytes += e.size;
    }
    const after = manifest.entries[first + planned.length];
    if (after !== undefined && after.baseOffset < limit) this.#host.reader.prefetch(this.location, after);
    const reads = planned.map((e, i) => this.#readEntry(e, i === 0 ? offset : e.baseOffset, maxBytes, limit, true));
    // Whole batches while they fit, the first one regardless when minOneBatch (Kafka's Fetch rule).
    const out: Buffer[] = [];
    let budget = maxBytes;
    let from = offset;
    for (const pending of reads) {
      const chunk = selectBatches(await pending, from, budget, limit, minOneBatch && out.length === 0);
      // Empty: the next batch does not fit in what is left of maxBytes (entries are contiguous, no gaps).
      if (chunk.length === 0) break;
      out.push(chunk);
      budget -= chunk.length;
      const views = scanBatches(chunk, { allowPartialTail: true });
      from = (views[views.length - 1]?.lastOffset ?? from) + 1n;
      if (budget <= 0) break;
    }
    for (const pending of reads) pending.catch(() => undefined);
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  async offsetForTimestamp(timestamp: bigint): Promise<TimestampOffset | null> {
    const manifest = this.#manifest();
    for (const entry of manifest.entries) {
      if (entry.maxTimestamp < timestamp || entry.lastOffset < manifest.startOffset) continue;
      let from = entry.baseOffset > manifest.startOffset ? entry.baseOffset : manifest.startOffset;
      while (from <= entry.lastOffset) {
        const chunk = await this.#readEntry(entry, from, 1 << 20, entry.lastOffset + 1n, true);
        const views = scanBatches(chunk, { allowPartialTail: true });
        if (views.length === 0) break;
        for (const view of views) {
          if (view.maxTimestamp < timestamp) continue;
          const batch = await decodeRecordBatch(view, { verifyCrc: false });
          for (const r of batch.records) {
            if (r.offset >= from && r.timestamp >= timestamp) return { offset: r.offset, timestamp: r.timestamp };
          }
        }
        from = (views[views.length - 1]?.lastOffset ?? entry.lastOffset) + 1n;
      }
    }
    return null;
  }

  maxTimestamp(): TimestampOffset | null {
    let best: TimestampOffset | null = null;
    for (const e of this.#manifest().entries) {
      if (best === null || e.maxTimestamp > best.timestamp) best = { offset: e.lastOffset, timestamp: e.maxTimestamp };
    }
    return best;
  }

  async deleteRecordsBefore(offset: bigint): Promise<void> {
    try {
      await this.#manifests.advanceManifestStart(this.topicId, this.partition, offset);
    } catch (err) {
      throw new StorageError('unavailable', `cannot move the log start of ${this.topic}-${this.partition}: ${(err as Error).message}`, { cause: err, retriable: true });
    }
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: bigint } {
    const entries = this.#manifest().entries;
    let found = -1;
    for (const e of entries) {
      if (e.leaderEpoch > epoch) return found < 0 ? { epoch: -1, endOffset: -1n } : { epoch: found, endOffset: e.baseOffset };
      found = e.leaderEpoch;
    }
    if (this.#epoch >= 0 && this.#epoch <= epoch) return { epoch: this.#epoch, endOffset: this.#end };
    return found < 0 ? { epoch: -1, endOffset: -1n } : { epoch: found, endOffset: this.#end };
  }

  latestEpoch(): number {
    return this.#epoch;
  }

  truncateTo(): Promise<void> {
    // Diskless partitions have no followers: nothing is ever truncated.
    return Promise.resolve();
  }

  assignEpochStartOffset(epoch: number): Promise<void> {
    if (epoch > this.#epoch) this.#epoch = epoch;
    return Promise.resolve();
  }

  async readProducerSnapshot(): Promise<Buffer | null> {
    try {
      return await this.location.store.get(snapshotKey(this.topicId, this.partition));
    } catch (err) {
      if (isObjectStoreError(err) && err.code === 'not-found') return null;
      throw new StorageError('unavailable', `cannot read the producer snapshot of ${this.topic}-${this.partition}: ${(err as Error).message}`, { cause: err, retriable: true });
    }
  }

  async writeProducerSnapshot(offset: bigint, data: Buffer): Promise<void> {
    // A snapshot must not describe batches that may still be lost: only at the durable end.
    if (offset !== this.#durableEnd) return;
    await this.location.store.put(snapshotKey(this.topicId, this.partition), data);
  }

  /**
   * Retention (`retention.ms`, `retention.bytes`) by whole manifest entries, as Kafka deletes whole
   * segments: the log start moves past them; lake files no other entry references are deleted
   * (flush objects are collected by the node's garbage collection once unreferenced).
   */
  async housekeeping(nowMs: number): Promise<void> {
    const { retentionMs, retentionBytes } = this.#config;
    if (retentionMs < 0 && retentionBytes < 0) return;
    const manifest = this.#manifest();
    let total = manifest.entries.reduce((n, e) => n + e.size, 0);
    let start = manifest.startOffset;
    for (const e of manifest.entries) {
      const expired = retentionMs >= 0 && e.maxTimestamp >= 0n && Number(e.maxTimestamp) < nowMs - retentionMs;
      const oversize = retentionBytes >= 0 && total - e.size >= retentionBytes;
      if (!expired && !oversize) break;
      total -= e.size;
      start = e.lastOffset + 1n;
    }
    if (start <= manifest.startOffset) return;
    let dropped: readonly ManifestEntry[];
    try {
      dropped = await this.#manifests.advanceManifestStart(this.topicId, this.partition, start);
    } catch (err) {
      throw new StorageError('unavailable', `retention of ${this.topic}-${this.partition}: ${(err as Error).message}`, { cause: err, retriable: true });
    }
    const lakeFiles = dropped.filter((e) => e.format === 'parquet').map((e) => e.objectKey);
    if (lakeFiles.length > 0) await this.location.store.delete(lakeFiles).catch(() => undefined);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#host.forget(this);
    if (this.#pending !== null) this.#host.release(this.#pending.bytes);
    this.#pending = null;
    return Promise.resolve();
  }

  /**
   * Topic deletion: the coordinator already dropped the manifest; the partition's snapshot and lake
   * files go too (flush objects are collected once no manifest references them).
   */
  async destroy(): Promise<void> {
    await this.close();
    const doomed = [snapshotKey(this.topicId, this.partition)];
    try {
      for await (const o of this.location.store.list(`${this.topic}/partition=${this.partition}/`)) doomed.push(o.key);
      await this.location.store.delete(doomed);
    } catch {
      // Best effort: the topic is gone either way; leftover files are unreferenced.
    }
  }

  #manifest(): ReturnType<ManifestStore['manifest']> {
    return this.#manifests.manifest(this.topicId, this.partition);
  }

  #readEntry(entry: ManifestEntry, from: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Promise<Buffer> {
    return this.#host.reader.read(this.location, entry, from, maxBytes, maxOffset, minOneBatch).catch((err: unknown) => {
      throw err instanceof StorageError ? err : new StorageError('unavailable', `cannot read ${this.topic}-${this.partition} at ${from}: ${(err as Error).message}`, { cause: err, retriable: true });
    });
  }
}

/** Index of the entry holding `offset` (the last one starting at or below it), or the first after it. */
function entryIndex(entries: readonly ManifestEntry[], offset: bigint): number {
  let lo = 0;
  let hi = entries.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as ManifestEntry).baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const e = entries[found];
  return e !== undefined && e.lastOffset < offset ? found + 1 : found;
}
