import { SpanStatusCode, trace } from '@opentelemetry/api';
import { encodeControlKey, encodeEndTxnMarkerValue, encodeRecordBatch, KafkaErrorCode, scanBatches, type RecordBatchView } from '@oxbow/protocol';
import { appendInfoOf, StorageError } from '@oxbow/storage';
import type { PartitionBackend } from './backend.js';
import type { PartitionActorConfig, PartitionActorOptions, PartitionLogger, ReplicaFetchRequest, ReplicaFetchResult, ReplicationOptions } from './partition-actor-options.js';
import { validateProducedRecords } from './batch-validator.js';
import { BoundedMailbox, MailboxFullError, type BatchOp } from './mailbox.js';
import type { ProducerCheck, ProducerStateTable } from './producer-state.js';
import { ProducerStateStore } from './producer-state-store.js';
import { CommitWaiters } from './commit-waiters.js';
import { LeaderReplicas } from './leader-replicas.js';
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

export type { PartitionActorConfig, PartitionActorOptions, PartitionLogger, ReplicaFetchRequest, ReplicaFetchResult, ReplicationOptions } from './partition-actor-options.js';

type Role = 'leader' | 'follower' | 'fenced';

/** A client's (or the coordinator's) Produce batch waiting in the mailbox. */
interface PendingAppend {
  readonly records: Buffer | null;
  readonly origin: AppendOrigin;
}

/** An append's answer before any wait for commit; `lastOffset` is set when it was stored. */
type StoredAppend = AppendResult & { lastOffset?: bigint };

/**
 * Queued appends run as one: their batches go to the backend in one append (one write, one fsync
 * decision). Groups stay small enough that copying the batches together costs little next to the
 * thread-pool round trips a write per batch would take.
 */
const APPEND_GROUP_ITEMS = 256;
const APPEND_GROUP_BYTES = 1 << 20;

const NO_OFFSET = -1n;
/** Placeholder for a batch of the group until the store has answered. */
const STORE_PENDING: StoredAppend = { errorCode: KafkaErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'not stored', baseOffset: NO_OFFSET, logAppendTimeMs: NO_OFFSET, logStartOffset: NO_OFFSET };
const DEFAULT_ACK_TIMEOUT_MS = 30_000;
const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
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
  #role: Role = 'leader';
  /** False until becomeLeader/becomeFollower first ran: the constructor's leader role is the single-node default. */
  #roleAssigned = false;
  readonly #replication: ReplicationOptions | undefined;
  /** The leader's view of its followers; null on a follower or without replication. */
  #followers: LeaderReplicas | null = null;
  /** acks=all appends waiting for the high watermark. */
  readonly #commitWaiters = new CommitWaiters();
  /** Replica fetches waiting for the log end to move. */
  readonly #endListeners = new Set<() => void>();
  #isrTimer: NodeJS.Timeout | null = null;
  #isrChanging = false;
  #failure: Error | null = null;
  #epochRecorded = false;
  readonly #producerIdExpirationMs: number;
  /** Idempotent-producer state and the transaction index, loaded on the first append, marker, read or housekeeping. */
  readonly #state: ProducerStateStore;
  readonly #appendOp: BatchOp<PendingAppend, StoredAppend> = {
    maxItems: APPEND_GROUP_ITEMS,
    maxWeight: APPEND_GROUP_BYTES,
    run: (items) => this.#doAppends(items),
  };
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
    this.#replication = options.replication;
    this.#state = new ProducerStateStore(this.#backend, { topic: this.topic, partition: this.partition }, this.#logger);
    // Without followers every appended record is committed; with them, becomeLeader/becomeFollower
    // decide (a follower learns the watermark from its leader).
    this.#highWatermark = this.#durableEnd();
    this.#backend.deferred?.listen({
      durable: () => this.#updateHighWatermark(),
      lost: (errorCode, message) => {
        this.#logger?.warn({ topic: this.topic, partition: this.partition, errorCode }, `buffered appends lost: ${message}`);
        this.fence(errorCode);
      },
    });
  }

  /** 'leader' serves clients and followers; 'follower' only appends what it fetched; 'fenced' neither. */
  get role(): Role {
    return this.#role;
  }

  /** In-sync replicas as the leader knows them (its own id only, without replication). */
  get isr(): readonly number[] {
    return this.#followers?.isr ?? [this.#replication?.selfId ?? 0];
  }

  /** The epoch of the last batch in the log (-1 when empty): what a follower sends as lastFetchedEpoch. */
  get lastLogEpoch(): number {
    return this.#backend.latestEpoch();
  }

  /**
   * Makes this replica the leader of `leaderEpoch` (KIP-101): the epoch's start is recorded at the
   * current log end, producer state is reloaded from the log, and the high watermark advances as
   * the ISR's followers fetch.
   */
  becomeLeader(state: { readonly leaderEpoch: number; readonly replicas: readonly number[]; readonly isr: readonly number[] }): Promise<void> {
    return this.#mailbox.submit(async () => {
      const selfId = this.#replication?.selfId ?? 0;
      const wasLeader = this.#roleAssigned && this.#role === 'leader' && this.#leaderEpoch === state.leaderEpoch;
      this.#roleAssigned = true;
      this.#leaderEpoch = state.leaderEpoch;
      this.#role = 'leader';
      const others = state.replicas.filter((id) => id !== selfId);
      if (others.length === 0) {
        this.#followers = null;
        this.#isrSize = state.isr.length;
      } else if (wasLeader && this.#followers !== null) {
        this.#followers.update(state.replicas, state.isr, this.#now());
      } else {
        this.#followers = new LeaderReplicas(selfId, state.replicas, state.isr, this.#now());
      }
      if (!wasLeader) {
        this.#state.invalidate();
        if (this.#failure === null) {
          try {
            await this.#backend.assignEpochStartOffset(this.#leaderEpoch, this.#backend.logEndOffset);
            this.#epochRecorded = true;
          } catch (err) {
            this.#storageFailure(err);
          }
        }
      }
      this.#startIsrTimer();
      this.#updateHighWatermark();
    });
  }

  /** Makes this replica a follower of `leaderEpoch`: appends from clients are refused from now on. */
  becomeFollower(state: { readonly leaderEpoch: number }): Promise<void> {
    return this.#mailbox.submit(() => {
      this.#roleAssigned = true;
      this.#leaderEpoch = state.leaderEpoch;
      this.#role = 'follower';
      this.#followers = null;
      this.#stopIsrTimer();
      this.#commitWaiters.failAll(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
      return Promise.resolve();
    });
  }

  /**
   * Stops acting as leader at once (not through the mailbox): the node lost its coordinator
   * session and another node may be elected. Pending acks=all appends fail; nothing new is accepted.
   */
  fence(errorCode: number = KafkaErrorCode.NOT_LEADER_OR_FOLLOWER): void {
    if (this.#role === 'fenced') return;
    this.#role = 'fenced';
    this.#stopIsrTimer();
    this.#commitWaiters.failAll(errorCode);
  }

  /**
   * Leader side of replication: the follower's fetch from `fetchOffset` acknowledges everything
   * before it (the high watermark may advance); answered with the batches after it, up to the log
   * end, after waiting up to `maxWaitMs` when there are none. A follower whose log diverges from
   * the leader's (its last epoch ends earlier here) is told where to truncate.
   */
  async replicaFetch(req: ReplicaFetchRequest): Promise<ReplicaFetchResult> {
    const base = (): Omit<ReplicaFetchResult, 'errorCode' | 'records' | 'divergingEpoch'> => ({ highWatermark: this.#highWatermark, logStartOffset: this.#backend.logStartOffset });
    const fail = (errorCode: number): ReplicaFetchResult => ({ ...base(), errorCode, records: Buffer.alloc(0), divergingEpoch: null });
    if (this.#failure !== null) return fail(KafkaErrorCode.KAFKA_STORAGE_ERROR);
    if (this.#role !== 'leader') return fail(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (req.leaderEpoch !== this.#leaderEpoch) return fail(req.leaderEpoch < this.#leaderEpoch ? KafkaErrorCode.FENCED_LEADER_EPOCH : KafkaErrorCode.UNKNOWN_LEADER_EPOCH);
    const followers = this.#followers;
    if (followers === null || !followers.isReplica(req.replicaId)) return fail(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (req.lastFetchedEpoch >= 0) {
      const end = this.#backend.endOffsetForEpoch(req.lastFetchedEpoch);
      if (end.epoch !== req.lastFetchedEpoch || end.endOffset < req.fetchOffset) {
        return { ...base(), errorCode: 0, records: Buffer.alloc(0), divergingEpoch: { epoch: end.epoch, endOffset: end.endOffset } };
      }
    }
    if (req.fetchOffset < this.#backend.logStartOffset || req.fetchOffset > this.#backend.logEndOffset) return fail(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
    followers.onFetch(req.replicaId, req.fetchOffset, this.#backend.logEndOffset, this.#now());
    this.#updateHighWatermark();
    this.#maybeExpandIsr();
    if (req.fetchOffset >= this.#backend.logEndOffset && req.maxWaitMs > 0) await this.#waitForEnd(req.fetchOffset, req.maxWaitMs);
    if (this.#role !== 'leader' || req.leaderEpoch !== this.#leaderEpoch) return fail(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (req.fetchOffset >= this.#backend.logEndOffset) return { ...base(), errorCode: 0, records: Buffer.alloc(0), divergingEpoch: null };
    try {
      const records = await this.#backend.read(req.fetchOffset, req.maxBytes, this.#backend.logEndOffset, true);
      return { ...base(), errorCode: 0, records, divergingEpoch: null };
    } catch (err) {
      if (err instanceof StorageError && err.code === 'offset-out-of-range') return fail(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
      return fail(this.#storageFailure(err).errorCode);
    }
  }

  /**
   * Follower side: appends batches fetched from the leader as they are (offsets and epochs the
   * leader assigned), records new epochs' start offsets, and takes the leader's high watermark
   * (capped at the local log end) and log start.
   */
  appendReplicated(records: Buffer, leaderHighWatermark: bigint, leaderLogStart: bigint): Promise<number> {
    return this.#mailbox.submit(async () => {
      if (this.#failure !== null) return KafkaErrorCode.KAFKA_STORAGE_ERROR;
      if (this.#role !== 'follower') return KafkaErrorCode.NOT_LEADER_OR_FOLLOWER;
      try {
        const end = this.#backend.logEndOffset;
        const views = records.length === 0 ? [] : scanBatches(records, { verifyCrc: true }).filter((v) => v.baseOffset >= end);
        const first = views[0];
        const last = views[views.length - 1];
        if (first !== undefined && last !== undefined) {
          if (first.baseOffset !== end) throw new StorageError('invalid-append', `replicated batches start at ${first.baseOffset}, the log ends at ${end}`);
          let epoch = this.#backend.latestEpoch();
          for (const v of views) {
            if (v.partitionLeaderEpoch > epoch) {
              epoch = v.partitionLeaderEpoch;
              await this.#backend.assignEpochStartOffset(epoch, v.baseOffset);
            }
          }
          const bytes = first.start === 0 && last.start + last.size === records.length ? records : records.subarray(first.start, last.start + last.size);
          await this.#backend.append(bytes, appendInfoOf(views));
          this.#state.invalidate();
          this.#notifyEnd();
        }
        if (leaderLogStart > this.#backend.logStartOffset && leaderLogStart <= this.#backend.logEndOffset) await this.#backend.deleteRecordsBefore(leaderLogStart);
        const hwm = leaderHighWatermark < this.#backend.logEndOffset ? leaderHighWatermark : this.#backend.logEndOffset;
        this.#setHighWatermark(hwm);
        return 0;
      } catch (err) {
        if (err instanceof StorageError && err.code === 'io') return this.#storageFailure(err).errorCode;
        throw err;
      }
    });
  }

  /** Follower: drops everything from `offset` on (a diverging tail, KIP-279). */
  truncateTo(offset: bigint): Promise<void> {
    return this.#mailbox.submit(async () => {
      if (offset >= this.#backend.logEndOffset) return;
      await this.#backend.truncateTo(offset);
      this.#state.invalidate();
      if (this.#highWatermark > offset) this.#highWatermark = offset;
    });
  }

  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }
  get highWatermark(): bigint {
    return this.#highWatermark;
  }
  /** The high watermark, or the first offset of the oldest transaction still open here. */
  get lastStableOffset(): bigint {
    return this.#state.txns.lastStableOffset(this.#highWatermark);
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
    if (this.#role !== 'leader') return this.#appendError(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, `this replica is not the leader (${this.#role})`);
    const isrSize = this.#followers?.isr.length ?? this.#isrSize;
    if (acks === -1 && isrSize < this.#config.minInsyncReplicas) {
      return this.#appendError(KafkaErrorCode.NOT_ENOUGH_REPLICAS, `${isrSize} in-sync replicas, min.insync.replicas=${this.#config.minInsyncReplicas}`);
    }
    // A span per append (queueing in the mailbox included), child of the Produce request's span.
    return tracer.startActiveSpan('partition append', { attributes: { 'messaging.destination.name': this.topic, 'messaging.destination.partition.id': String(this.partition) } }, async (span) => {
      try {
        const appended = await this.#mailbox.submitBatched(this.#appendOp, { records, origin }, records?.length ?? 0);
        const { lastOffset, ...stored } = appended;
        const result = appended.errorCode === 0 && this.#waitsForCommit(acks) && lastOffset !== undefined ? await this.#awaitCommitted(stored, lastOffset) : stored;
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

  /**
   * Appends queued batches in queue order, as one backend append. Each batch is validated, checked
   * against producer state (which already holds the group's earlier batches, so a retry of one of
   * them is a duplicate and sequences continue across the group) and given its offsets; the group's
   * accepted batches are then stored together. One result per item; a failed store fails every
   * accepted batch of the group and drops the producer state recorded for them (reloaded from the log).
   */
  async #doAppends(items: readonly PendingAppend[]): Promise<StoredAppend[]> {
    if (this.#failure !== null) return items.map(() => this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, this.#failure?.message ?? ''));
    if (this.#role !== 'leader') return items.map(() => this.#appendError(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, `this replica is not the leader (${this.#role})`));
    const now = this.#now();
    let producers: ProducerStateTable;
    try {
      producers = await this.#state.table();
    } catch (err) {
      const failed = this.#storageFailure(err);
      return items.map(() => failed);
    }
    const logAppendTime = this.#config.timestampType === 'LogAppendTime' ? BigInt(now) : NO_OFFSET;
    const results: StoredAppend[] = [];
    const accepted: { readonly index: number; readonly batch: RecordBatchView }[] = [];
    let nextOffset = this.#backend.logEndOffset;
    for (const [index, item] of items.entries()) {
      const checked = await validateProducedRecords(item.records, this.#config, now);
      if (!checked.ok) {
        results.push(this.#appendError(checked.errorCode, checked.message));
        continue;
      }
      const batch = checked.batch;
      const verdict: ProducerCheck = item.origin === 'coordinator' ? { kind: 'append' } : producers.check(batch);
      if (verdict.kind === 'error') {
        results.push(this.#appendError(verdict.errorCode, verdict.message));
        continue;
      }
      if (batch.isTransactional && batch.producerId < 0n) {
        results.push(this.#appendError(KafkaErrorCode.INVALID_RECORD, 'Transactional batch without a producer id'));
        continue;
      }
      if (!batch.isTransactional && batch.producerId >= 0n && this.#state.txns.openFor(batch.producerId) !== undefined) {
        results.push(this.#appendError(KafkaErrorCode.INVALID_TXN_STATE, `Producer ${batch.producerId} has a transaction open on this partition; non-transactional batch refused`));
        continue;
      }
      if (verdict.kind === 'duplicate') {
        // Kafka answers a retried batch it already has with the original offsets and no error.
        results.push({ errorCode: 0, errorMessage: null, baseOffset: verdict.batch.firstOffset, logAppendTimeMs: NO_OFFSET, logStartOffset: this.#backend.logStartOffset });
        continue;
      }
      batch.baseOffset = nextOffset;
      batch.partitionLeaderEpoch = this.#leaderEpoch;
      if (logAppendTime !== NO_OFFSET) batch.setLogAppendTime(logAppendTime);
      // Recorded before the store so the group's later batches are checked against it.
      if (batch.producerId >= 0n) {
        if (item.origin === 'client') producers.record(batch, nextOffset, BigInt(now));
        if (batch.isTransactional) this.#state.txns.onData(batch.producerId, batch.producerEpoch, nextOffset);
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
      this.#state.invalidate();
      const failed = this.#storageFailure(err);
      for (const a of accepted) results[a.index] = failed;
      return results;
    }
    const logStartOffset = this.#backend.logStartOffset;
    for (const { index, batch } of accepted) {
      if (batch.producerId >= 0n) this.#state.changed();
      results[index] = { errorCode: 0, errorMessage: null, baseOffset: batch.baseOffset, logAppendTimeMs: logAppendTime, logStartOffset, lastOffset: batch.lastOffset };
    }
    this.#notifyEnd();
    this.#updateHighWatermark();
    return results;
  }

  /** Hands batches with assigned offsets to the backend in one append (the first at the log end). */
  async #store(batches: readonly RecordBatchView[]): Promise<void> {
    const first = batches[0];
    const last = batches[batches.length - 1];
    if (first === undefined || last === undefined) return;
    if (!this.#epochRecorded) {
      await this.#backend.assignEpochStartOffset(this.#leaderEpoch, first.baseOffset);
      this.#epochRecorded = true;
    }
    const bytes = batches.length === 1 ? first.bytes() : Buffer.concat(batches.map((b) => b.bytes()));
    await this.#backend.append(bytes, appendInfoOf(batches));
  }

  async writeTxnMarker(marker: TxnMarker): Promise<{ errorCode: number; offset: bigint }> {
    if (this.#failure !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, offset: NO_OFFSET };
    return tracer.startActiveSpan(
      'partition txn marker',
      { attributes: { 'messaging.destination.name': this.topic, 'messaging.destination.partition.id': String(this.partition), 'oxbow.txn.commit': marker.commit } },
      async (span) => {
        try {
          let result = await this.#mailbox.submit(() => this.#doWriteMarker(marker));
          if (result.errorCode === 0) {
            const committed = await this.#waitCommitted(result.offset + 1n);
            if (committed !== 0) result = { errorCode: committed, offset: NO_OFFSET };
          }
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
    if (this.#role !== 'leader') return { errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, offset: NO_OFFSET };
    const now = this.#now();
    try {
      const producers = await this.#state.table();
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
      this.#state.txns.onMarker(marker.producerId, marker.commit, offset);
      this.#state.changed();
      this.#notifyEnd();
      this.#updateHighWatermark();
      return { errorCode: 0, offset };
    } catch (err) {
      return { errorCode: this.#storageFailure(err).errorCode, offset: NO_OFFSET };
    }
  }

  async describeProducers(): Promise<{ errorCode: number; producers: ProducerDescription[] }> {
    if (this.#failure !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, producers: [] };
    let table: ProducerStateTable;
    try {
      table = await this.#state.table();
    } catch (err) {
      return { errorCode: this.#storageFailure(err).errorCode, producers: [] };
    }
    const ids = new Set<bigint>([...[...table.entries()].map((e) => e.producerId), ...[...this.#state.txns.open()].map((t) => t.producerId)]);
    const producers = [...ids].map((producerId): ProducerDescription => {
      const entry = table.get(producerId);
      const last = entry?.batches[entry.batches.length - 1];
      const open = this.#state.txns.openFor(producerId);
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
    if (!this.#state.isLoaded && this.#failure === null) {
      // The LSO needs the transaction index: load it before the first read after opening.
      try {
        await this.#state.table();
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
        abortedTransactions = last === undefined ? [] : this.#state.txns.abortedBetween(request.offset, last.lastOffset);
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
            await this.#state.truncateBefore();
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
        const producers = await this.#state.table();
        if (producers.expire(now, this.#producerIdExpirationMs) > 0) this.#state.changed();
        await this.#state.truncateBefore();
        await this.#state.snapshot();
      })
      .catch((err: unknown) => {
        if (err instanceof MailboxFullError) return; // busy partition: try again next round
        this.#storageFailure(err);
      });
  }

  async close(): Promise<void> {
    await this.#mailbox.close();
    this.#listeners.clear();
    if (this.#failure === null) await this.#state.snapshot();
    await this.#backend.close();
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

  /** Whether an append with `acks` is answered only once committed (replicated, or durable for a deferred backend). */
  #waitsForCommit(acks: Acks): boolean {
    const deferred = this.#backend.deferred;
    if (deferred === undefined) return acks === -1;
    return acks !== 0 && deferred.acksWaitForDurable;
  }

  /** The end of what may be committed: the log end, or the durable end of a deferred backend. */
  #durableEnd(): bigint {
    return this.#backend.deferred?.durableEndOffset ?? this.#backend.logEndOffset;
  }

  /** Recomputes the high watermark (leader): the (durable) log end without followers, else the ISR's smallest log end. */
  #updateHighWatermark(): void {
    if (this.#role !== 'leader') return;
    const end = this.#durableEnd();
    const hwm = this.#followers === null ? end : this.#followers.highWatermark(end);
    if (hwm > this.#highWatermark) this.#setHighWatermark(hwm);
  }

  #setHighWatermark(to: bigint): void {
    if (to <= this.#highWatermark) return;
    this.#highWatermark = to;
    if (this.#commitWaiters.size > 0) {
      const isrSize = this.#followers?.isr.length ?? this.#isrSize;
      // Kafka: an acks=all append whose offsets became committed while the ISR had shrunk below
      // min.insync.replicas is answered NOT_ENOUGH_REPLICAS_AFTER_APPEND (it is stored, but not as
      // widely as asked).
      this.#commitWaiters.release(to, isrSize < this.#config.minInsyncReplicas ? KafkaErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : 0);
    }
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (err) {
        this.#logger?.error({ err, topic: this.topic, partition: this.partition }, 'high-watermark listener threw');
      }
    }
  }

  /** Resolves with 0 once the high watermark reaches `offset`, or a Kafka error code. */
  #waitCommitted(offset: bigint): Promise<number> {
    if (this.#highWatermark >= offset) return Promise.resolve(0);
    if (this.#role !== 'leader') return Promise.resolve(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    return this.#commitWaiters.wait(offset, this.#replication?.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS, KafkaErrorCode.REQUEST_TIMED_OUT);
  }

  async #awaitCommitted(result: AppendResult, lastOffset: bigint): Promise<AppendResult> {
    const code = await this.#waitCommitted(lastOffset + 1n);
    if (code === 0) return result;
    return { ...this.#appendError(code, code === KafkaErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND ? 'the ISR shrank below min.insync.replicas before the batch was replicated' : `not replicated: error ${code}`) };
  }

  #notifyEnd(): void {
    for (const l of [...this.#endListeners]) l();
  }

  /** Waits until the log end passes `offset`, or `maxWaitMs`. */
  #waitForEnd(offset: bigint, maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#endListeners.delete(check);
        resolve();
      };
      const check = (): void => {
        if (this.#backend.logEndOffset > offset || this.#role !== 'leader') done();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.#endListeners.add(check);
      check();
    });
  }

  #startIsrTimer(): void {
    this.#stopIsrTimer();
    const replication = this.#replication;
    if (this.#followers === null || replication === undefined) return;
    this.#isrTimer = setInterval(() => this.#maybeShrinkIsr(), Math.max(100, Math.floor(replication.lagTimeMaxMs / 2)));
    this.#isrTimer.unref();
  }

  #stopIsrTimer(): void {
    if (this.#isrTimer !== null) clearInterval(this.#isrTimer);
    this.#isrTimer = null;
  }

  #maybeShrinkIsr(): void {
    const followers = this.#followers;
    const replication = this.#replication;
    if (followers === null || replication === undefined || this.#role !== 'leader') return;
    const lagging = followers.laggingInIsr(this.#now(), replication.lagTimeMaxMs);
    if (lagging.length === 0) return;
    this.#proposeIsr(followers.isr.filter((id) => !lagging.includes(id)), 'shrink');
  }

  #maybeExpandIsr(): void {
    const followers = this.#followers;
    if (followers === null || this.#role !== 'leader') return;
    const epochStart = this.#backend.endOffsetForEpoch(this.#leaderEpoch - 1).endOffset;
    const joining = followers.caughtUpOutsideIsr(this.#highWatermark, epochStart);
    if (joining.length === 0) return;
    this.#proposeIsr([...followers.isr, ...joining], 'expand');
  }

  /** One ISR change at a time; applied locally once the coordinator accepted it. */
  #proposeIsr(isr: readonly number[], why: 'shrink' | 'expand'): void {
    const replication = this.#replication;
    const followers = this.#followers;
    if (this.#isrChanging || replication === undefined || followers === null) return;
    this.#isrChanging = true;
    const epoch = this.#leaderEpoch;
    const sorted = [...new Set(isr)].sort((a, b) => a - b);
    replication
      .changeIsr(sorted)
      .then((applied) => {
        if (applied === null || this.#followers !== followers || this.#leaderEpoch !== epoch) return;
        this.#logger?.warn({ topic: this.topic, partition: this.partition, isr: applied, why }, 'ISR changed');
        followers.update(followers.replicas, applied, this.#now());
        this.#updateHighWatermark();
      })
      .catch((err: unknown) => this.#logger?.warn({ err, topic: this.topic, partition: this.partition }, 'ISR change failed'))
      .finally(() => {
        this.#isrChanging = false;
      });
  }

  #appendError(errorCode: number, message: string): AppendResult {
    return { errorCode, errorMessage: message, baseOffset: NO_OFFSET, logAppendTimeMs: NO_OFFSET, logStartOffset: this.#backend.logStartOffset };
  }

  /** Takes the partition offline after an I/O failure (logged once); other errors are rethrown. */
  #storageFailure(err: unknown): AppendResult {
    // Remote storage that may come back (an object store outage) fails this request only.
    if (err instanceof StorageError && err.code === 'unavailable') return this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, err.message);
    if (!(err instanceof StorageError) || err.code !== 'io') throw err;
    if (this.#failure === null) {
      this.#failure = err;
      this.#logger?.error({ err, topic: this.topic, partition: this.partition }, 'partition storage failed; answering KAFKA_STORAGE_ERROR until reopened');
    }
    return this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, err.message);
  }
}
