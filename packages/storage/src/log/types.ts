/**
 * The local log's contract (BRIEF §5 `standard`): one directory per partition holding segments
 * (`{baseOffset:020}.log`) with sparse offset and time indexes, rolled by size/age, trimmed by
 * retention, optionally compacted. Batches are stored exactly as received (bytes of record batches
 * v2 whose base offsets the caller already assigned); reads return whole batches as bytes.
 */

/** Per-partition settings, from the topic's configs (Kafka names in comments). */
export interface LogConfig {
  /** segment.bytes: roll the active segment when it would grow past this. */
  readonly segmentBytes: number;
  /** segment.ms: roll when the active segment's first batch is older than this. */
  readonly segmentMs: number;
  /** retention.ms: delete segments whose newest record is older; -1 keeps forever. */
  readonly retentionMs: number;
  /** retention.bytes: delete oldest segments while the log is larger; -1 = no limit. */
  readonly retentionBytes: number;
  /** cleanup.policy: `delete`, `compact`, or both. */
  readonly cleanupPolicy: readonly ('delete' | 'compact')[];
  /** index.interval.bytes: bytes between offset/time index entries. */
  readonly indexIntervalBytes: number;
  /** flush.messages: fsync after this many messages (1 = every append before it is acknowledged). */
  readonly flushMessages: number;
  /** flush.ms: fsync at least this often (ms) when there is unflushed data. */
  readonly flushMs: number;
  /** delete.retention.ms: how long compaction keeps tombstones. */
  readonly deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are not compacted. */
  readonly minCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: compact when this fraction of the log is uncompacted. */
  readonly minCleanableDirtyRatio: number;
  /** file.delete.delay.ms: deleted segments are renamed `.deleted` and removed after this. */
  readonly fileDeleteDelayMs: number;
}

/** What the caller knows about batches it appends (computed while validating them). */
export interface AppendBatchesInfo {
  /** Base offset of the first batch (must equal the log end offset). */
  readonly firstOffset: bigint;
  /** Last offset of the last batch; the log end offset becomes lastOffset + 1. */
  readonly lastOffset: bigint;
  /** Largest timestamp among the batches and the offset it belongs to (for the time index). */
  readonly maxTimestamp: bigint;
  readonly offsetOfMaxTimestamp: bigint;
  /** Number of records (for flush.messages). */
  readonly recordCount: number;
}

export interface ReadOptions {
  /** Bytes to return at most, except that the first batch is returned whole even if larger. */
  readonly maxBytes: number;
  /**
   * Exclusive upper bound: batches starting at or past it are not returned (e.g. the high watermark).
   * A batch that straddles it (base offset below, last offset at or above) is not returned either,
   * as in Kafka, so records at or past the bound are never exposed.
   */
  readonly maxOffset?: bigint;
  /** Return the first batch even when it exceeds maxBytes (Kafka's behaviour for the first partition of a fetch). */
  readonly minOneBatch: boolean;
}

export interface ReadResult {
  /** Whole batches, starting with the batch that contains the requested offset; empty when none. */
  readonly records: Buffer;
  /** Log start and end offsets at the time of the read. */
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
}

export interface TimestampOffset {
  readonly offset: bigint;
  readonly timestamp: bigint;
}

export interface SegmentInfo {
  readonly baseOffset: bigint;
  /** Next offset after the segment's last batch. */
  readonly endOffset: bigint;
  readonly sizeBytes: number;
  readonly largestTimestamp: bigint;
  readonly path: string;
}

export interface CompactionStats {
  readonly segmentsRewritten: number;
  readonly recordsRemoved: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** Structured logger the log reports to (a pino-compatible subset). */
export interface LogLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Stable codes for storage failures; `io` covers disk full and other OS errors. `invalid-argument`
 * is a caller bug: a config value out of range, a negative leader epoch.
 */
/**
 * `io`: the local disk failed (the partition stops serving until reopened); `unavailable`: remote
 * storage failed in a way that may pass (that request fails, the partition keeps serving).
 */
export const STORAGE_ERROR_CODES = ['offset-out-of-range', 'io', 'unavailable', 'corrupt', 'closed', 'invalid-append', 'invalid-argument'] as const;
export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly retriable: boolean;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options);
    this.code = code;
    this.retriable = options?.retriable ?? false;
  }
}
