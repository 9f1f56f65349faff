import { KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import { StorageError } from '@oxbow/storage';
import type { PartitionBackend } from './backend.js';
import type { HighWatermark } from './high-watermark.js';
import { LIST_OFFSETS_TIMESTAMP, type ListOffsetResult, type ReadRequest, type ReadResult } from './partition-handle.js';
import type { ProducerStateStore } from './producer-state-store.js';
import { NO_OFFSET, type StorageFailure } from './storage-failure.js';

/** What a partition's reads take from it. */
export interface PartitionReaderContext {
  readonly backend: PartitionBackend;
  readonly state: ProducerStateStore;
  readonly highWatermark: HighWatermark;
  readonly failure: StorageFailure;
  leaderEpoch(): number;
}

/**
 * A partition's client reads, run alongside its mailbox: Fetch bounded by the high watermark (or
 * the last stable offset for read_committed), ListOffsets and OffsetForLeaderEpoch, each fenced
 * by the leader epoch the client knows.
 */
export class PartitionReader {
  readonly #ctx: PartitionReaderContext;

  constructor(ctx: PartitionReaderContext) {
    this.#ctx = ctx;
  }

  /** The high watermark, or the first offset of the oldest transaction still open here. */
  get lastStableOffset(): bigint {
    return this.#ctx.state.txns.lastStableOffset(this.#ctx.highWatermark.offset);
  }

  async read(request: ReadRequest): Promise<ReadResult> {
    const { backend, state, failure } = this.#ctx;
    const committed = request.isolation === 'read_committed';
    const empty = { records: Buffer.alloc(0), abortedTransactions: committed ? [] : null };
    if (!state.isLoaded && failure.error === null) {
      // The LSO needs the transaction index: load it before the first read after opening.
      try {
        await state.table();
      } catch (err) {
        failure.record(err);
      }
    }
    const hwm = this.#ctx.highWatermark.offset;
    const lso = this.lastStableOffset;
    const base = { highWatermark: hwm, lastStableOffset: lso, logStartOffset: backend.logStartOffset };
    const fenced = this.#checkEpoch(request.currentLeaderEpoch);
    if (fenced !== 0) return { ...base, ...empty, errorCode: fenced };
    if (failure.error !== null) return { ...base, ...empty, errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR };
    if (request.offset < base.logStartOffset || request.offset > backend.logEndOffset) {
      return { ...base, ...empty, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE };
    }
    const upper = committed ? lso : hwm;
    if (request.offset >= upper) return { ...base, ...empty, errorCode: 0 };
    try {
      const records = await backend.read(request.offset, request.maxBytes, upper, request.minOneBatch);
      let abortedTransactions: ReadResult['abortedTransactions'] = null;
      if (committed) {
        const views = records.length === 0 ? [] : scanBatches(records, { verifyCrc: false, allowPartialTail: true });
        const last = views[views.length - 1];
        abortedTransactions = last === undefined ? [] : state.txns.abortedBetween(request.offset, last.lastOffset);
      }
      return { ...base, errorCode: 0, records, abortedTransactions };
    } catch (err) {
      if (err instanceof StorageError && err.code === 'offset-out-of-range') {
        return { ...base, ...empty, logStartOffset: backend.logStartOffset, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE };
      }
      const failed = failure.record(err);
      return { ...base, ...empty, errorCode: failed.errorCode };
    }
  }

  async listOffset(timestamp: bigint, isolation: 'read_uncommitted' | 'read_committed', currentLeaderEpoch: number): Promise<ListOffsetResult> {
    const { backend, failure } = this.#ctx;
    const none = { offset: NO_OFFSET, timestamp: NO_OFFSET, leaderEpoch: -1 };
    const fenced = this.#checkEpoch(currentLeaderEpoch);
    if (fenced !== 0) return { ...none, errorCode: fenced };
    if (failure.error !== null) return { ...none, errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR };
    const epoch = this.#ctx.leaderEpoch();
    const upper = isolation === 'read_committed' ? this.lastStableOffset : this.#ctx.highWatermark.offset;
    switch (timestamp) {
      case LIST_OFFSETS_TIMESTAMP.latest:
        return { errorCode: 0, offset: upper, timestamp: NO_OFFSET, leaderEpoch: epoch };
      case LIST_OFFSETS_TIMESTAMP.earliest:
      case LIST_OFFSETS_TIMESTAMP.earliestLocal:
        return { errorCode: 0, offset: backend.logStartOffset, timestamp: NO_OFFSET, leaderEpoch: epoch };
      case LIST_OFFSETS_TIMESTAMP.latestTiered:
        return { errorCode: 0, offset: NO_OFFSET, timestamp: NO_OFFSET, leaderEpoch: epoch };
      case LIST_OFFSETS_TIMESTAMP.maxTimestamp: {
        const max = backend.maxTimestamp();
        if (max === null) return { ...none, errorCode: 0 };
        try {
          // Appends only tell the backend the batch (its last offset); Kafka answers with the first
          // record carrying the largest timestamp, which the timestamp lookup finds.
          const exact = (await backend.offsetForTimestamp(max.timestamp)) ?? max;
          if (exact.offset >= upper) return { ...none, errorCode: 0 };
          return { errorCode: 0, offset: exact.offset, timestamp: exact.timestamp, leaderEpoch: epoch };
        } catch (err) {
          return { ...none, errorCode: failure.record(err).errorCode };
        }
      }
      default: {
        if (timestamp < 0n) return { ...none, errorCode: KafkaErrorCode.INVALID_REQUEST };
        try {
          const found = await backend.offsetForTimestamp(timestamp);
          if (found === null || found.offset >= upper) return { ...none, errorCode: 0 };
          return { errorCode: 0, offset: found.offset, timestamp: found.timestamp, leaderEpoch: epoch };
        } catch (err) {
          return { ...none, errorCode: failure.record(err).errorCode };
        }
      }
    }
  }

  endOffsetForEpoch(leaderEpoch: number, currentLeaderEpoch: number): Promise<{ errorCode: number; leaderEpoch: number; endOffset: bigint }> {
    const fenced = this.#checkEpoch(currentLeaderEpoch);
    if (fenced !== 0) return Promise.resolve({ errorCode: fenced, leaderEpoch: -1, endOffset: NO_OFFSET });
    if (this.#ctx.failure.error !== null) return Promise.resolve({ errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, leaderEpoch: -1, endOffset: NO_OFFSET });
    const { epoch, endOffset } = this.#ctx.backend.endOffsetForEpoch(leaderEpoch);
    return Promise.resolve({ errorCode: 0, leaderEpoch: epoch, endOffset });
  }

  /** Kafka's leader-epoch fencing for Fetch/ListOffsets/OffsetForLeaderEpoch v9+/v4+/v2+ clients. */
  #checkEpoch(clientEpoch: number): number {
    const leaderEpoch = this.#ctx.leaderEpoch();
    if (clientEpoch < 0 || clientEpoch === leaderEpoch) return 0;
    return clientEpoch < leaderEpoch ? KafkaErrorCode.FENCED_LEADER_EPOCH : KafkaErrorCode.UNKNOWN_LEADER_EPOCH;
  }
}
