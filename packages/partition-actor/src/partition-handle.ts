/**
 * What the broker sees of a partition (STYLE §9): a narrow handle, never the actor class.
 * Per-partition failures come back as Kafka error codes in the results, not as exceptions.
 */

export type Acks = -1 | 0 | 1;
export type AppendOrigin = 'client' | 'coordinator';

export interface AppendResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** Offset assigned to the batch's first record, or -1 on error. */
  readonly baseOffset: bigint;
  /** The broker time stamped on the batch for LogAppendTime topics, else -1. */
  readonly logAppendTimeMs: bigint;
  readonly logStartOffset: bigint;
}

export interface ReadRequest {
  readonly offset: bigint;
  readonly maxBytes: number;
  /** Return the first batch even if it is larger than maxBytes. */
  readonly minOneBatch: boolean;
  readonly isolation: 'read_uncommitted' | 'read_committed';
  /** The leader epoch the client believes current (-1 = unknown), checked like Kafka's Fetch v9+. */
  readonly currentLeaderEpoch: number;
}

export interface ReadResult {
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  /** Whole record batches, or an empty buffer when there is nothing to return. */
  readonly records: Buffer;
  /**
   * read_committed: the aborted transactions overlapping the returned batches (the consumer drops
   * those producers' records from `firstOffset` up to their abort marker); null otherwise.
   */
  readonly abortedTransactions: readonly { readonly producerId: bigint; readonly firstOffset: bigint }[] | null;
}

export interface ProducerDescription {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** Sequence of the last record appended, or -1. */
  readonly lastSequence: number;
  readonly lastTimestamp: bigint;
  /** First offset of the producer's open transaction here, or -1. */
  readonly currentTxnStartOffset: bigint;
}

/** A transaction marker (WriteTxnMarkers): ends `producerId`'s transaction in this partition. */
export interface TxnMarker {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** The transaction coordinator's epoch (its `__transaction_state` partition's leader epoch). */
  readonly coordinatorEpoch: number;
  readonly commit: boolean;
}

export interface ListOffsetResult {
  readonly errorCode: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly leaderEpoch: number;
}

/** ListOffsets special timestamps, as Kafka defines them. */
export const LIST_OFFSETS_TIMESTAMP = {
  latest: -1n,
  earliest: -2n,
  maxTimestamp: -3n,
  earliestLocal: -4n,
  latestTiered: -5n,
} as const;

export interface PartitionHandle {
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;

  /**
   * Validates and appends one produced `records` field; resolves when `acks` is satisfied.
   * `origin: 'coordinator'` is for the broker's own transactional writes (TxnOffsetCommit): they
   * carry the producer's id and epoch but no sequence, so sequence checks are skipped, as in Kafka.
   */
  append(records: Buffer | null, acks: Acks, origin?: AppendOrigin): Promise<AppendResult>;
  read(request: ReadRequest): Promise<ReadResult>;
  listOffset(timestamp: bigint, isolation: 'read_uncommitted' | 'read_committed', currentLeaderEpoch: number): Promise<ListOffsetResult>;
  /**
   * Appends a commit or abort marker (a control batch) for the producer's transaction; resolves to
   * a Kafka error code (0 once the marker is stored; INVALID_PRODUCER_EPOCH for a stale epoch).
   */
  writeTxnMarker(marker: TxnMarker): Promise<{ errorCode: number; offset: bigint }>;
  /** The producers this partition keeps state for (DescribeProducers). */
  describeProducers(): Promise<{ readonly errorCode: number; readonly producers: readonly ProducerDescription[] }>;
  /** DeleteRecords: -1 means the high watermark. Returns the new low watermark. */
  deleteRecordsBefore(offset: bigint): Promise<{ errorCode: number; lowWatermark: bigint }>;
  endOffsetForEpoch(leaderEpoch: number, currentLeaderEpoch: number): Promise<{ errorCode: number; leaderEpoch: number; endOffset: bigint }>;
  /** Calls `listener` whenever the high watermark advances; returns an unsubscribe function. */
  onHighWatermark(listener: () => void): () => void;
}
