import { SpanStatusCode, trace } from '@opentelemetry/api';
import { decodeControlKey, decodeRecordBatch, encodeControlKey, encodeEndTxnMarkerValue, encodeRecordBatch, KafkaErrorCode, scanBatches, type RecordBatchView } from '@oxbow/protocol';
import { StorageError } from '@oxbow/storage';
import type { PartitionBackend } from './backend.js';
import { validateProducedRecords, type ValidationConfig } from './batch-validator.js';
import { BoundedMailbox, MailboxFullError } from './mailbox.js';
import { decodeProducerSnapshot, encodeProducerSnapshot } from './producer-snapshot.js';
import { ProducerStateTable, type ProducerCheck } from './producer-state.js';
import { TransactionIndex } from './transaction-index.js';
import {
  LIST_OFFSETS_TIMESTAMP,
  type Acks,
  type AppendOrigin,
  type AppendResult,
  type ListOffsetResult,
  type ProducerDescription,
  type PartitionHandle,
  type ReadRequest,
  type ReadResult,
  type TxnMarker,
} from './partition-handle.js';

export interface PartitionActorConfig extends ValidationConfig {
  /** min.insync.replicas: acks=all needs at least this many replicas in sync. */
  readonly minInsyncReplicas: number;
}

export interface PartitionLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PartitionActorOptions {
  readonly topic: string;
  readonly partition: number;
  readonly backend: PartitionBackend;
  readonly config: PartitionActorConfig;
  readonly leaderEpoch: number;
  /** Replicas currently in sync (1 on a single node). */
  readonly isrSize: number;
  readonly mailboxCapacity?: number;
  readonly now?: () => number;
  readonly logger?: PartitionLogger;
  /** producer.id.expiration.ms: idle idempotent producers are forgotten after this (default 1 day). */
  readonly producerIdExpirationMs?: number;
}

const NO_OFFSET = -1n;
const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
/** Bytes read per step when rebuilding producer state from the log (headers only are parsed). */
const REPLAY_CHUNK_BYTES = 1 << 20;
const tracer = trace.getTracer('oxbow');

/**
 * One partition's single writer. Appends go through a bounded mailbox in arrival order: each is
 * validated, given offsets (base offset and leader epoch rewritten in the batch's own bytes) and
 * handed to the backend without re-encoding. Reads run alongside, bounded by the high watermark.
 * After a storage I/O failure the partition answers KAFKA_STORAGE_ERROR until it is reopened; the
 * failure is logged once.
 */
export class PartitionActor implements PartitionHandle {
  readonly topic: string;
  readonly partition: number;
  readonly #backend: PartitionBackend;
  readonly #mailbox: BoundedMailbox;
  readonly #now: () => number;
  readonly #logger: PartitionLogger | undefined;
  readonly #listeners = new Set<() => void>();
  #config: PartitionActorConfig;
  #leaderEpoch: number;
  #isrSize: number;
  #highWatermark: bigint;
  #failure: Error | null = null;
  #epochRecorded = false;
  readonly #producerIdExpirationMs: number;
  /**
   * Idempotent-producer state and the transaction index, loaded together (snapshot + log replay) on
   * the first append, marker, read or housekeeping; `#loading` shares one load between callers.
   */
  #producers: ProducerStateTable | null = null;
  #loading: Promise<ProducerStateTable> | null = null;
  readonly #txns = new TransactionIndex();
  /** Producer-state changes since the last snapshot was written. */
  #producerChanges = 0;
  constructor(options: PartitionActorOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.#backend = options.backend;
    this.#config = options.config;
    this.#leaderEpoch = options.leaderEpoch;
    this.#isrSize = options.isrSize;
    this.#mailbox = new BoundedMailbox(options.mailboxCapacity ?? 1024);
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#producerIdExpirationMs = options.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    // On a single node every appended record is committed; replication will hold this back.
    this.#highWatermark = this.#backend.logEndOffset;
  }

  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }
  get highWatermark(): bigint {
    return this.#highWatermark;
  }
  /** The high watermark, or the first offset of the oldest transaction still open here. */
  get lastStableOffset(): bigint {
    return this.#txns.lastStableOffset(this.#highWatermark);
  }
  get logStartOffset(): bigint {
    return this.#backend.logStartOffset;
  }
  get logEndOffset(): bigint {
    return this.#backend.logEndOffset;
  }
  /** Operations queued or running. */
  get mailboxDepth(): number {
    return this.#mailbox.depth;
  }

  updateConfig(config: PartitionActorConfig): void {
    this.#config = config;
  }

  async append(records: Buffer | null, acks: Acks, origin: AppendOrigin = 'client'): Promise<AppendResult> {
    if (this.#failure !== null) return this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, this.#failure.message);
    if (acks === -1 && this.#isrSize < this.#config.minInsyncReplicas) {
      return this.#appendError(
        KafkaErrorCode.NOT_ENOUGH_REPLICAS,
        `${this.#isrSize} in-sync replicas, min.insync.replicas=${this.#config.minInsyncReplicas}`,
      );
    }
    // A span per append (queueing in the mailbox included), child of the Produce request's span.
    return tracer.startActiveSpan('partition append', { attributes: { 'messaging.destination.name': this.topic, 'messaging.destination.partition.id': String(this.partition) } }, async (span) => {
      try {
        const result = await this.#mailbox.submit(() => this.#doAppend(records, origin));
        span.setAttribute('kafka.error_code', result.errorCode);
        if (result.errorCode !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: result.errorMessage ?? String(result.errorCode) });
        else span.setAttribute('messaging.kafka.offset', Number(result.baseOffset));
        return result;
      } catch (err) {
        if (err instanceof MailboxFullError) return this.#appendError(KafkaErrorCode.REQUEST_TIMED_OUT, err.message);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  async #doAppend(records: Buffer | null, origin: AppendOrigin): Promise<AppendResult> {
    if (this.#failure !== null) return this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, this.#failure.message);
    const now = this.#now();
    const checked = await validateProducedRecords(records, this.#config, now);
    if (!checked.ok) return this.#appendError(checked.errorCode, checked.message);
    const batch = checked.batch;
    let producers: ProducerStateTable;
    try {
      producers = this.#producers ?? (await this.#producerState());
    } catch (err) {
      return this.#storageFailure(err);
    }
    const verdict: ProducerCheck = origin === 'coordinator' ? { kind: 'append' } : producers.check(batch);
    if (verdict.kind === 'error') return this.#appendError(verdict.errorCode, verdict.message);
    if (batch.isTransactional && batch.producerId < 0n) return this.#appendError(KafkaErrorCode.INVALID_RECORD, 'Transactional batch without a producer id');
    if (!batch.isTransactional && batch.producerId >= 0n && this.#txns.openFor(batch.producerId) !== undefined) {
      return this.#appendError(KafkaErrorCode.INVALID_TXN_STATE, `Producer ${batch.producerId} has a transaction open on this partition; non-transactional batch refused`);
    }
    if (verdict.kind === 'duplicate') {
      // Kafka answers a retried batch it already has with the original offsets and no error.
      return { errorCode: 0, errorMessage: null, baseOffset: verdict.batch.firstOffset, logAppendTimeMs: NO_OFFSET, logStartOffset: this.#backend.logStartOffset };
    }
    const baseOffset = this.#backend.logEndOffset;
    batch.baseOffset = baseOffset;
    batch.partitionLeaderEpoch = this.#leaderEpoch;
    let logAppendTime = NO_OFFSET;
    if (this.#config.timestampType === 'LogAppendTime') {
      logAppendTime = BigInt(now);
      batch.setLogAppendTime(logAppendTime);
    }
    const lastOffset = batch.lastOffset;
    try {
      if (!this.#epochRecorded) {
        await this.#backend.assignEpochStartOffset(this.#leaderEpoch, baseOffset);
        this.#epochRecorded = true;
      }
      await this.#backend.append(batch.bytes(), {
        firstOffset: baseOffset,
        lastOffset,
        maxTimestamp: batch.maxTimestamp,
        offsetOfMaxTimestamp: lastOffset,
        recordCount: batch.recordsCount,
      });
    } catch (err) {
      return this.#storageFailure(err);
    }
    if (batch.producerId >= 0n) {
      if (origin === 'client') producers.record(batch, baseOffset, BigInt(now));
      if (batch.isTransactional) this.#txns.onData(batch.producerId, batch.producerEpoch, baseOffset);
      this.#producerChanges++;
    }
    this.#advanceHighWatermark(lastOffset + 1n);
    return { errorCode: 0, errorMessage: null, baseOffset, logAppendTimeMs: logAppendTime, logStartOffset: this.#backend.logStartOffset };
  }

  async writeTxnMarker(marker: TxnMarker): Promise<{ errorCode: number; offset: bigint }> {
    if (this.#failure !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, offset: NO_OFFSET };
    return tracer.startActiveSpan(
      'partition txn marker',
      { attributes: { 'messaging.destination.name': this.topic, 'messaging.destination.partition.id': String(this.partition), 'oxbow.txn.commit': marker.commit } },
      async (span) => {
        try {
          const result = await this.#mailbox.submit(() => this.#doWriteMarker(marker));
          if (result.errorCode !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: String(result.errorCode) });
          return result;
        } catch (err) {
          if (err instanceof MailboxFullError) return { errorCode: KafkaErrorCode.REQUEST_TIMED_OUT, offset: NO_OFFSET };
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  async #doWriteMarker(marker: TxnMarker): Promise<{ errorCode: number; offset: bigint }> {
    if (this.#failure !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, offset: NO_OFFSET };
    const now = this.#now();
    try {
      const producers = await this.#producerState();
      const current = producers.get(marker.producerId);
      if (current !== undefined && marker.producerEpoch < current.epoch) {
        return { errorCode: KafkaErrorCode.INVALID_PRODUCER_EPOCH, offset: NO_OFFSET };
      }
      const offset = this.#backend.logEndOffset;
      const bytes = await encodeRecordBatch({
        baseOffset: offset,
        partitionLeaderEpoch: this.#leaderEpoch,
        transactional: true,
        control: true,
        producerId: marker.producerId,
        producerEpoch: marker.producerEpoch,
        baseSequence: -1,
        records: [{ timestamp: BigInt(now), key: encodeControlKey(marker.commit ? 'commit' : 'abort'), value: encodeEndTxnMarkerValue(marker.coordinatorEpoch) }],
      });
      if (!this.#epochRecorded) {
        await this.#backend.assignEpochStartOffset(this.#leaderEpoch, offset);
        this.#epochRecorded = true;
      }
      await this.#backend.append(bytes, { firstOffset: offset, lastOffset: offset, maxTimestamp: BigInt(now), offsetOfMaxTimestamp: offset, recordCount: 1 });
      producers.bumpEpoch(marker.producerId, marker.producerEpoch, BigInt(now));
      this.#txns.onMarker(marker.producerId, marker.commit, offset);
      this.#producerChanges++;
      this.#advanceHighWatermark(offset + 1n);
      return { errorCode: 0, offset };
    } catch (err) {
      return { errorCode: this.#storageFailure(err).errorCode, offset: NO_OFFSET };
    }
  }

  async describeProducers(): Promise<{ errorCode: number; producers: ProducerDescription[] }> {
    if (this.#failure !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, producers: [] };
    let table: ProducerStateTable;
    try {
      table = await this.#producerState();
    } catch (err) {
      return { errorCode: this.#storageFailure(err).errorCode, producers: [] };
    }
    const ids = new Set<bigint>([...[...table.entries()].map((e) => e.producerId), ...[...this.#txns.open()].map((t) => t.producerId)]);
    const producers = [...ids].map((producerId): ProducerDescription => {
      const entry = table.get(producerId);
      const last = entry?.batches[entry.batches.length - 1];
      const open = this.#txns.openFor(producerId);
      return {
        producerId,
        producerEpoch: entry?.epoch ?? open?.producerEpoch ?? -1,
        lastSequence: last?.lastSeq ?? -1,
        lastTimestamp: entry?.lastTimestamp ?? -1n,
        currentTxnStartOffset: open?.firstOffset ?? NO_OFFSET,
      };
    });
    return { errorCode: 0, producers };
  }

  async read(request: ReadRequest): Promise<ReadResult> {
    const committed = request.isolation === 'read_committed';
    const empty = { records: Buffer.alloc(0), abortedTransactions: committed ? [] : null };
    if (this.#producers === null && this.#failure === null) {
      // The LSO needs the transaction index: load it before the first read after opening.
      try {
        await this.#producerState();
      } catch (err) {
        this.#storageFailure(err);
      }
    }
    const hwm = this.#highWatermark;
    const lso = this.lastStableOffset;
    const base = { highWatermark: hwm, lastStableOffset: lso, logStartOffset: this.#backend.logStartOffset };
    const fenced = this.#checkEpoch(request.currentLeaderEpoch);
    if (fenced !== 0) return { ...base, ...empty, errorCode: fenced };
    if (this.#failure !== null) return { ...base, ...empty, errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR };
    if (request.offset < base.logStartOffset || request.offset > this.#backend.logEndOffset) {
      return { ...base, ...empty, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE };
    }
    const upper = committed ? lso : hwm;
    if (request.offset >= upper) return { ...base, ...empty, errorCode: 0 };
    try {
      const records = await this.#backend.read(request.offset, request.maxBytes, upper, request.minOneBatch);
      let abortedTransactions: ReadResult['abortedTransactions'] = null;
      if (committed) {
        const views = records.length === 0 ? [] : scanBatches(records, { verifyCrc: false, allowPartialTail: true });
        const last = views[views.length - 1];
        abortedTransactions = last === undefined ? [] : this.#txns.abortedBetween(request.offset, last.lastOffset);
      }
      return { ...base, errorCode: 0, records, abortedTransactions };
    } catch (err) {
      if (err instanceof StorageError && err.code === 'offset-out-of-range') {
        return { ...base, ...empty, logStartOffset: this.#backend.logStartOffset, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE };
      }
      const failed = this.#storageFailure(err);
      return { ...base, ...empty, errorCode: failed.errorCode };
    }
  }

  async listOffset(timestamp: bigint, isolation: 'read_uncommitted' | 'read_committed', currentLeaderEpoch: number): Promise<ListOffsetResult> {
    const none = { offset: NO_OFFSET, timestamp: NO_OFFSET, leaderEpoch: -1 };
    const fenced = this.#checkEpoch(currentLeaderEpoch);
    if (fenced !== 0) return { ...none, errorCode: fenced };
    if (this.#failure !== null) return { ...none, errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR };
    const epoch = this.#leaderEpoch;
    const upper = isolation === 'read_committed' ? this.lastStableOffset : this.#highWatermark;
    switch (timestamp) {
      case LIST_OFFSETS_TIMESTAMP.latest:
        return { errorCode: 0, offset: upper, timestamp: NO_OFFSET, leaderEpoch: epoch };
      case LIST_OFFSETS_TIMESTAMP.earliest:
      case LIST_OFFSETS_TIMESTAMP.earliestLocal:
        return { errorCode: 0, offset: this.#backend.logStartOffset, timestamp: NO_OFFSET, leaderEpoch: epoch };
      case LIST_OFFSETS_TIMESTAMP.latestTiered:
        return { errorCode: 0, offset: NO_OFFSET, timestamp: NO_OFFSET, leaderEpoch: epoch };
      case LIST_OFFSETS_TIMESTAMP.maxTimestamp: {
        const max = this.#backend.maxTimestamp();
        if (max === null) return { ...none, errorCode: 0 };
        try {
          // Appends only tell the backend the batch (its last offset); Kafka answers with the first
          // record carrying the largest timestamp, which the timestamp lookup finds.
          const exact = (await this.#backend.offsetForTimestamp(max.timestamp)) ?? max;
          if (exact.offset >= upper) return { ...none, errorCode: 0 };
          return { errorCode: 0, offset: exact.offset, timestamp: exact.timestamp, leaderEpoch: epoch };
        } catch (err) {
          return { ...none, errorCode: this.#storageFailure(err).errorCode };
        }
      }
      default: {
        if (timestamp < 0n) return { ...none, errorCode: KafkaErrorCode.INVALID_REQUEST };
        try {
          const found = await this.#backend.offsetForTimestamp(timestamp);
          if (found === null || found.offset >= upper) return { ...none, errorCode: 0 };
          return { errorCode: 0, offset: found.offset, timestamp: found.timestamp, leaderEpoch: epoch };
        } catch (err) {
          return { ...none, errorCode: this.#storageFailure(err).errorCode };
        }
      }
    }
  }

  async deleteRecordsBefore(offset: bigint): Promise<{ errorCode: number; lowWatermark: bigint }> {
    try {
      return await this.#mailbox.submit(async () => {
        if (this.#failure !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, lowWatermark: NO_OFFSET };
        const target = offset === -1n ? this.#highWatermark : offset;
        if (target < 0n || target > this.#highWatermark) return { errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: NO_OFFSET };
        try {
          if (target > this.#backend.logStartOffset) {
            await this.#backend.deleteRecordsBefore(target);
            await this.#truncateProducerState();
          }
        } catch (err) {
          return { errorCode: this.#storageFailure(err).errorCode, lowWatermark: NO_OFFSET };
        }
        return { errorCode: 0, lowWatermark: this.#backend.logStartOffset };
      });
    } catch (err) {
      if (err instanceof MailboxFullError) return { errorCode: KafkaErrorCode.REQUEST_TIMED_OUT, lowWatermark: NO_OFFSET };
      throw err;
    }
  }

  endOffsetForEpoch(leaderEpoch: number, currentLeaderEpoch: number): Promise<{ errorCode: number; leaderEpoch: number; endOffset: bigint }> {
    const fenced = this.#checkEpoch(currentLeaderEpoch);
    if (fenced !== 0) return Promise.resolve({ errorCode: fenced, leaderEpoch: -1, endOffset: NO_OFFSET });
    if (this.#failure !== null) return Promise.resolve({ errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, leaderEpoch: -1, endOffset: NO_OFFSET });
    const { epoch, endOffset } = this.#backend.endOffsetForEpoch(leaderEpoch);
    return Promise.resolve({ errorCode: 0, leaderEpoch: epoch, endOffset });
  }

  onHighWatermark(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Retention and compaction, run through the mailbox so they never race an append. */
  housekeeping(): Promise<void> {
    return this.#mailbox
      .submit(async () => {
        if (this.#failure !== null) return;
        const now = this.#now();
        await this.#backend.housekeeping(now);
        const producers = await this.#producerState();
        if (producers.expire(now, this.#producerIdExpirationMs) > 0) this.#producerChanges++;
        await this.#truncateProducerState();
        await this.#snapshotProducers();
      })
      .catch((err: unknown) => {
        if (err instanceof MailboxFullError) return; // busy partition: try again next round
        this.#storageFailure(err);
      });
  }

  async close(): Promise<void> {
    await this.#mailbox.close();
    this.#listeners.clear();
    if (this.#failure === null) await this.#snapshotProducers();
    await this.#backend.close();
  }

  /** Drops producer and aborted-transaction state wholly below the log start. */
  async #truncateProducerState(): Promise<void> {
    const producers = await this.#producerState();
    const start = this.#backend.logStartOffset;
    const before = producers.size;
    producers.truncateBefore(start);
    if (this.#txns.truncateBefore(start) > 0 || producers.size !== before) this.#producerChanges++;
  }

  /**
   * Producer state and the transaction index, loaded on first use: the newest snapshot, then the
   * batch headers after it (control batches are decoded for their marker type).
   */
  #producerState(): Promise<ProducerStateTable> {
    if (this.#producers !== null) return Promise.resolve(this.#producers);
    this.#loading ??= this.#loadProducerState().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  async #loadProducerState(): Promise<ProducerStateTable> {
    const table = new ProducerStateTable();
    const txns = this.#txns;
    const end = this.#backend.logEndOffset;
    let from = this.#backend.logStartOffset;
    const snapshot = await this.#readSnapshot();
    // A snapshot past the log end belongs to records lost in recovery (a torn tail): not usable.
    if (snapshot !== null && snapshot.offset <= end) {
      for (const entry of snapshot.entries) table.restore(entry);
      txns.restore(snapshot.openTransactions, snapshot.abortedTransactions);
      if (snapshot.offset > from) from = snapshot.offset;
    } else {
      txns.restore([], []);
    }
    while (from < end) {
      const chunk = await this.#backend.read(from, REPLAY_CHUNK_BYTES, end, true);
      if (chunk.length === 0) break;
      for (const view of scanBatches(chunk, { verifyCrc: false })) {
        if (view.lastOffset >= from) await this.#replayBatch(table, view);
        from = view.lastOffset + 1n;
      }
    }
    this.#producers = table;
    return table;
  }

  async #replayBatch(table: ProducerStateTable, view: RecordBatchView): Promise<void> {
    if (view.producerId < 0n) return;
    if (!view.isControl) {
      table.replay(view);
      if (view.isTransactional) this.#txns.onData(view.producerId, view.producerEpoch, view.baseOffset);
      return;
    }
    const [record] = (await decodeRecordBatch(view, { verifyCrc: false })).records;
    const type = decodeControlKey(record?.key ?? null).type;
    if (type !== 'commit' && type !== 'abort') return;
    table.bumpEpoch(view.producerId, view.producerEpoch, view.maxTimestamp);
    this.#txns.onMarker(view.producerId, type === 'commit', view.baseOffset);
  }

  async #readSnapshot(): Promise<ReturnType<typeof decodeProducerSnapshot> | null> {
    try {
      const data = await this.#backend.readProducerSnapshot();
      return data === null ? null : decodeProducerSnapshot(data);
    } catch (err) {
      this.#logger?.warn({ err, topic: this.topic, partition: this.partition }, 'producer-state snapshot unreadable; rebuilding from the log');
      return null;
    }
  }

  /** Writes a snapshot at the log end when producer state changed since the last one. */
  async #snapshotProducers(): Promise<void> {
    const producers = this.#producers;
    if (producers === null || this.#producerChanges === 0) return;
    const changes = this.#producerChanges;
    try {
      await this.#backend.writeProducerSnapshot(this.#backend.logEndOffset, encodeProducerSnapshot(this.#backend.logEndOffset, producers, this.#txns));
      this.#producerChanges -= changes;
    } catch (err) {
      // Only restart time suffers: the log still holds everything.
      this.#logger?.warn({ err, topic: this.topic, partition: this.partition }, 'cannot write producer-state snapshot');
    }
  }

  /** Closes and removes the partition's data. */
  async destroy(): Promise<void> {
    await this.#mailbox.close();
    this.#listeners.clear();
    await this.#backend.destroy();
  }

  /** Kafka's leader-epoch fencing for Fetch/ListOffsets/OffsetForLeaderEpoch v9+/v4+/v2+ clients. */
  #checkEpoch(clientEpoch: number): number {
    if (clientEpoch < 0 || clientEpoch === this.#leaderEpoch) return 0;
    return clientEpoch < this.#leaderEpoch ? KafkaErrorCode.FENCED_LEADER_EPOCH : KafkaErrorCode.UNKNOWN_LEADER_EPOCH;
  }

  #advanceHighWatermark(to: bigint): void {
    if (to <= this.#highWatermark) return;
    this.#highWatermark = to;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (err) {
        this.#logger?.error({ err, topic: this.topic, partition: this.partition }, 'high-watermark listener threw');
      }
    }
  }

  #appendError(errorCode: number, message: string): AppendResult {
    return { errorCode, errorMessage: message, baseOffset: NO_OFFSET, logAppendTimeMs: NO_OFFSET, logStartOffset: this.#backend.logStartOffset };
  }

  /** Takes the partition offline after an I/O failure (logged once); other errors are rethrown. */
  #storageFailure(err: unknown): AppendResult {
    if (!(err instanceof StorageError) || err.code !== 'io') throw err;
    if (this.#failure === null) {
      this.#failure = err;
      this.#logger?.error({ err, topic: this.topic, partition: this.partition }, 'partition storage failed; answering KAFKA_STORAGE_ERROR until reopened');
    }
    return this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, err.message);
  }
}
