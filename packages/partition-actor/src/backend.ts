import type { TimestampOffset } from '@oxbow/storage';

/**
 * Where a partition's records live, one implementation per storage mode (STYLE §6): the actor
 * validates, assigns offsets and tracks watermarks; a backend only stores and returns batches.
 * Offsets are `bigint`, record batches opaque bytes stored without re-encoding.
 */
export interface PartitionBackend {
  readonly logStartOffset: bigint;
  /** Next offset to assign. */
  readonly logEndOffset: bigint;
  /**
   * Stores batches whose base offsets are already assigned (the first equals logEndOffset).
   * Resolves once the batches are as durable as the backend's policy makes them.
   */
  append(batches: Buffer, info: AppendInfo): Promise<void>;
  /** Whole batches from the one containing `offset`, below `maxOffset`, about maxBytes in size. */
  read(offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Promise<Buffer>;
  offsetForTimestamp(timestamp: bigint): Promise<TimestampOffset | null>;
  maxTimestamp(): TimestampOffset | null;
  deleteRecordsBefore(offset: bigint): Promise<void>;
  /** OffsetForLeaderEpoch: the end offset of `epoch` (largest known epoch ≤ it). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: bigint };
  /** The epoch of the newest entry in the leader-epoch cache, or -1 when it is empty. */
  latestEpoch(): number;
  /** Removes everything from `offset` on (a follower's diverging tail); no-op at or past the end. */
  truncateTo(offset: bigint): Promise<void>;
  /** Records that `epoch` starts at `offset` (first append of a new leader epoch). */
  assignEpochStartOffset(epoch: number, offset: bigint): Promise<void>;
  /** The newest producer-state snapshot's bytes, or null (none, or the backend keeps none). */
  readProducerSnapshot(): Promise<Buffer | null>;
  /**
   * Stores a producer-state snapshot covering every batch below `offset`, durably, replacing older
   * ones. A backend without a place for it may drop it (restart then replays the whole log).
   */
  writeProducerSnapshot(offset: bigint, data: Buffer): Promise<void>;
  /** Retention and compaction; called periodically by the node. */
  housekeeping(nowMs: number): Promise<void>;
  close(): Promise<void>;
  /** Closes and removes the partition's data (topic deletion). */
  destroy(): Promise<void>;
  /**
   * Present on backends whose appends become durable later than `append` resolves (diskless:
   * buffered in memory until the shared object is uploaded and its manifest committed). The actor
   * then bounds the high watermark by the durable end, so consumers never see an offset that could
   * vanish, and answers acks=all (and acks=1 when `acksWaitForDurable`) only once it is durable.
   */
  readonly deferred?: DeferredDurability;
}

export interface DeferredDurability {
  /** End of the durable log (≤ logEndOffset). */
  readonly durableEndOffset: bigint;
  /** True: acks=1 waits for durability too. False: every acks level is answered at buffer time (a documented loss window). */
  readonly acksWaitForDurable: boolean;
  /**
   * Registers the actor's callbacks: `durable` when durableEndOffset advanced; `lost` when the
   * buffered appends above it will never become durable (another writer took the partition over):
   * the actor stops leading and fails whoever waits with `errorCode`.
   */
  listen(listener: { durable(end: bigint): void; lost(errorCode: number, message: string): void }): void;
}

export interface AppendInfo {
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly maxTimestamp: bigint;
  readonly offsetOfMaxTimestamp: bigint;
  readonly recordCount: number;
}
