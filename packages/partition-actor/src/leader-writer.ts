import { encodeControlKey, encodeEndTxnMarkerValue, encodeRecordBatch, KafkaErrorCode, type RecordBatchView } from '@oxbow/protocol';
import { appendInfoOf } from '@oxbow/storage';
import type { PartitionBackend } from './backend.js';
import { validateProducedRecords } from './batch-validator.js';
import type { PartitionActorConfig } from './partition-actor-options.js';
import type { AppendOrigin, AppendResult, TxnMarker } from './partition-handle.js';
import type { ProducerCheck, ProducerStateTable } from './producer-state.js';
import type { ProducerStateStore } from './producer-state-store.js';
import { appendError, NO_OFFSET } from './storage-failure.js';

/** A client's (or the coordinator's) Produce batch waiting in the mailbox. */
export interface PendingAppend {
  readonly records: Buffer | null;
  readonly origin: AppendOrigin;
}

/** An append's answer before any wait for commit; `lastOffset` is set when it was stored. */
export type StoredAppend = AppendResult & { lastOffset?: bigint };

/**
 * Queued appends run as one: their batches go to the backend in one append (one write, one fsync
 * decision). Groups stay small enough that copying the batches together costs little next to the
 * thread-pool round trips a write per batch would take.
 */
export const APPEND_GROUP_ITEMS = 256;
export const APPEND_GROUP_BYTES = 1 << 20;

/** Placeholder for a batch of the group until the store has answered. */
const STORE_PENDING: StoredAppend = { errorCode: KafkaErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'not stored', baseOffset: NO_OFFSET, logAppendTimeMs: NO_OFFSET, logStartOffset: NO_OFFSET };

/** What the leader's writes take from their partition, read each time they are needed. */
export interface LeaderWriterContext {
  readonly backend: PartitionBackend;
  readonly state: ProducerStateStore;
  now(): number;
  config(): PartitionActorConfig;
  leaderEpoch(): number;
  /** Maps a storage error to the append's answer (taking the partition offline after an I/O failure); rethrows any other error. */
  storageFailure(err: unknown): AppendResult;
  /** Records were appended: the log end moved. */
  appended(): void;
}

/**
 * The leader's writes to its log, run from the mailbox by a partition that leads and has not
 * failed: groups of queued Produce batches (validated, checked against producer state, given
 * offsets) and transaction markers. The leader epoch's start offset is recorded before the
 * epoch's first write.
 */
export class LeaderWriter {
  readonly #ctx: LeaderWriterContext;
  #epochRecorded = false;

  constructor(ctx: LeaderWriterContext) {
    this.#ctx = ctx;
  }

  /** Records the current leader epoch as starting at the log end (on becoming leader). */
  async recordEpochStart(): Promise<void> {
    await this.#ctx.backend.assignEpochStartOffset(this.#ctx.leaderEpoch(), this.#ctx.backend.logEndOffset);
    this.#epochRecorded = true;
  }

  /**
   * Appends queued batches in queue order, as one backend append. Each batch is validated, checked
   * against producer state (which already holds the group's earlier batches, so a retry of one of
   * them is a duplicate and sequences continue across the group) and given its offsets; the group's
   * accepted batches are then stored together. One result per item; a failed store fails every
   * accepted batch of the group and drops the producer state recorded for them (reloaded from the log).
   */
  async appendGroup(items: readonly PendingAppend[]): Promise<StoredAppend[]> {
    const { backend, state } = this.#ctx;
    const now = this.#ctx.now();
    let producers: ProducerStateTable;
    try {
      producers = await state.table();
    } catch (err) {
      const failed = this.#ctx.storageFailure(err);
      return items.map(() => failed);
    }
    const logAppendTime = this.#ctx.config().timestampType === 'LogAppendTime' ? BigInt(now) : NO_OFFSET;
    const results: StoredAppend[] = [];
    const accepted: { readonly index: number; readonly batch: RecordBatchView }[] = [];
    let nextOffset = backend.logEndOffset;
    for (const [index, item] of items.entries()) {
      const checked = await validateProducedRecords(item.records, this.#ctx.config(), now);
      if (!checked.ok) {
        results.push(this.#error(checked.errorCode, checked.message));
        continue;
      }
      const batch = checked.batch;
      const verdict: ProducerCheck = item.origin === 'coordinator' ? { kind: 'append' } : producers.check(batch);
      if (verdict.kind === 'error') {
        results.push(this.#error(verdict.errorCode, verdict.message));
        continue;
      }
      if (batch.isTransactional && batch.producerId < 0n) {
        results.push(this.#error(KafkaErrorCode.INVALID_RECORD, 'Transactional batch without a producer id'));
        continue;
      }
      if (!batch.isTransactional && batch.producerId >= 0n && state.txns.openFor(batch.producerId) !== undefined) {
        results.push(this.#error(KafkaErrorCode.INVALID_TXN_STATE, `Producer ${batch.producerId} has a transaction open on this partition; non-transactional batch refused`));
        continue;
      }
      if (verdict.kind === 'duplicate') {
        // Kafka answers a retried batch it already has with the original offsets and no error.
        results.push({ errorCode: 0, errorMessage: null, baseOffset: verdict.batch.firstOffset, logAppendTimeMs: NO_OFFSET, logStartOffset: backend.logStartOffset });
        continue;
      }
      batch.baseOffset = nextOffset;
      batch.partitionLeaderEpoch = this.#ctx.leaderEpoch();
      if (logAppendTime !== NO_OFFSET) batch.setLogAppendTime(logAppendTime);
      // Recorded before the store so the group's later batches are checked against it.
      if (batch.producerId >= 0n) {
        if (item.origin === 'client') producers.record(batch, nextOffset, BigInt(now));
        if (batch.isTransactional) state.txns.onData(batch.producerId, batch.producerEpoch, nextOffset);
      }
      accepted.push({ index, batch });
      results.push(STORE_PENDING);
      nextOffset = batch.lastOffset + 1n;
    }
    const first = accepted[0];
    if (first === undefined) return results;
    try {
      await this.#store(accepted.map((a) => a.batch));
    } catch (err) {
      // The producer state recorded for the group is not in the log: rebuild it from the log.
      state.invalidate();
      const failed = this.#ctx.storageFailure(err);
      for (const a of accepted) results[a.index] = failed;
      return results;
    }
    const logStartOffset = backend.logStartOffset;
    for (const { index, batch } of accepted) {
      if (batch.producerId >= 0n) state.changed();
      results[index] = { errorCode: 0, errorMessage: null, baseOffset: batch.baseOffset, logAppendTimeMs: logAppendTime, logStartOffset, lastOffset: batch.lastOffset };
    }
    this.#ctx.appended();
    return results;
  }

  /** Writes a COMMIT or ABORT marker at the log end; a producer epoch older than the one known is fenced. */
  async writeMarker(marker: TxnMarker): Promise<{ errorCode: number; offset: bigint }> {
    const { backend, state } = this.#ctx;
    const now = this.#ctx.now();
    try {
      const producers = await state.table();
      const current = producers.get(marker.producerId);
      if (current !== undefined && marker.producerEpoch < current.epoch) {
        return { errorCode: KafkaErrorCode.INVALID_PRODUCER_EPOCH, offset: NO_OFFSET };
      }
      const offset = backend.logEndOffset;
      const bytes = await encodeRecordBatch({
        baseOffset: offset,
        partitionLeaderEpoch: this.#ctx.leaderEpoch(),
        transactional: true,
        control: true,
        producerId: marker.producerId,
        producerEpoch: marker.producerEpoch,
        baseSequence: -1,
        records: [{ timestamp: BigInt(now), key: encodeControlKey(marker.commit ? 'commit' : 'abort'), value: encodeEndTxnMarkerValue(marker.coordinatorEpoch) }],
      });
      if (!this.#epochRecorded) await this.#recordEpochStartAt(offset);
      await backend.append(bytes, { firstOffset: offset, lastOffset: offset, maxTimestamp: BigInt(now), offsetOfMaxTimestamp: offset, recordCount: 1 });
      producers.bumpEpoch(marker.producerId, marker.producerEpoch, BigInt(now));
      state.txns.onMarker(marker.producerId, marker.commit, offset);
      state.changed();
      this.#ctx.appended();
      return { errorCode: 0, offset };
    } catch (err) {
      return { errorCode: this.#ctx.storageFailure(err).errorCode, offset: NO_OFFSET };
    }
  }

  /** Hands batches with assigned offsets to the backend in one append (the first at the log end). */
  async #store(batches: readonly RecordBatchView[]): Promise<void> {
    const first = batches[0];
    const last = batches[batches.length - 1];
    if (first === undefined || last === undefined) return;
    if (!this.#epochRecorded) await this.#recordEpochStartAt(first.baseOffset);
    const bytes = batches.length === 1 ? first.bytes() : Buffer.concat(batches.map((b) => b.bytes()));
    await this.#ctx.backend.append(bytes, appendInfoOf(batches));
  }

  /** Before the epoch's first write, unless becoming leader already recorded it. */
  async #recordEpochStartAt(offset: bigint): Promise<void> {
    await this.#ctx.backend.assignEpochStartOffset(this.#ctx.leaderEpoch(), offset);
    this.#epochRecorded = true;
  }

  #error(errorCode: number, message: string): AppendResult {
    return appendError(errorCode, message, this.#ctx.backend.logStartOffset);
  }
}
