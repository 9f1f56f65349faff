import { SpanStatusCode, trace } from '@opentelemetry/api';
import { KafkaErrorCode } from '@oxbow/protocol';
import { StorageError } from '@oxbow/storage';
import type { PartitionBackend } from './backend.js';
import type { PartitionActorConfig, PartitionActorOptions, PartitionLogger, ReplicaFetchRequest, ReplicaFetchResult, ReplicationOptions } from './partition-actor-options.js';
import { BoundedMailbox, MailboxFullError, type BatchOp } from './mailbox.js';
import { ProducerStateStore } from './producer-state-store.js';
import { HighWatermark } from './high-watermark.js';
import { LeaderWriter, APPEND_GROUP_BYTES, APPEND_GROUP_ITEMS, type PendingAppend, type StoredAppend } from './leader-writer.js';
import { LogEndWaiters } from './log-end-waiters.js';
import { PartitionReader } from './partition-reader.js';
import { answerReplicaFetch, appendFetchedBatches } from './replication.js';
import { appendError, NO_OFFSET, StorageFailure } from './storage-failure.js';
import type { Acks, AppendOrigin, AppendResult, ListOffsetResult, ProducerDescription, PartitionHandle, ReadRequest, ReadResult, TxnMarker } from './partition-handle.js';

export type { PartitionActorConfig, PartitionActorOptions, PartitionLogger, ReplicaFetchRequest, ReplicaFetchResult, ReplicationOptions } from './partition-actor-options.js';

type Role = 'leader' | 'follower' | 'fenced';

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
  #config: PartitionActorConfig;
  #leaderEpoch: number;
  #role: Role = 'leader';
  /** False until becomeLeader/becomeFollower first ran: the constructor's leader role is the single-node default. */
  #roleAssigned = false;
  readonly #replication: ReplicationOptions | undefined;
  /** The high watermark with the ISR and acks=all waiters that move with it. */
  readonly #highWatermark: HighWatermark;
  /** Replica fetches waiting for the log end to move. */
  readonly #endWaiters = new LogEndWaiters();
  readonly #failure: StorageFailure;
  readonly #producerIdExpirationMs: number;
  /** Idempotent-producer state and the transaction index, loaded on the first append, marker, read or housekeeping. */
  readonly #state: ProducerStateStore;
  readonly #writer: LeaderWriter;
  readonly #reader: PartitionReader;
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
    this.#mailbox = new BoundedMailbox(options.mailboxCapacity ?? 1024);
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#producerIdExpirationMs = options.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.#replication = options.replication;
    const where = { topic: this.topic, partition: this.partition };
    this.#failure = new StorageFailure(where, this.#logger, () => this.#backend.logStartOffset);
    this.#state = new ProducerStateStore(this.#backend, where, this.#logger);
    this.#highWatermark = new HighWatermark(
      {
        ...where,
        replication: this.#replication,
        logger: this.#logger,
        now: () => this.#now(),
        isLeader: () => this.#role === 'leader',
        leaderEpoch: () => this.#leaderEpoch,
        minInsyncReplicas: () => this.#config.minInsyncReplicas,
        durableEnd: () => this.#backend.deferred?.durableEndOffset ?? this.#backend.logEndOffset,
        epochStart: () => this.#backend.endOffsetForEpoch(this.#leaderEpoch - 1).endOffset,
      },
      options.isrSize,
    );
    this.#writer = new LeaderWriter({
      backend: this.#backend,
      state: this.#state,
      now: () => this.#now(),
      config: () => this.#config,
      leaderEpoch: () => this.#leaderEpoch,
      storageFailure: (err) => this.#failure.record(err),
      appended: () => {
        this.#endWaiters.notify();
        this.#highWatermark.update();
      },
    });
    this.#reader = new PartitionReader({
      backend: this.#backend,
      state: this.#state,
      highWatermark: this.#highWatermark,
      failure: this.#failure,
      leaderEpoch: () => this.#leaderEpoch,
    });
    this.#backend.deferred?.listen({
      durable: () => this.#highWatermark.update(),
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
    return this.#highWatermark.isr;
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
      const wasLeader = this.#roleAssigned && this.#role === 'leader' && this.#leaderEpoch === state.leaderEpoch;
      this.#roleAssigned = true;
      this.#leaderEpoch = state.leaderEpoch;
      this.#role = 'leader';
      this.#highWatermark.lead(state, wasLeader);
      if (!wasLeader) {
        this.#state.invalidate();
        if (this.#failure.error === null) {
          try {
            await this.#writer.recordEpochStart();
          } catch (err) {
            this.#failure.record(err);
          }
        }
      }
      this.#highWatermark.startIsrTimer();
      this.#highWatermark.update();
    });
  }

  /** Makes this replica a follower of `leaderEpoch`: appends from clients are refused from now on. */
  becomeFollower(state: { readonly leaderEpoch: number }): Promise<void> {
    return this.#mailbox.submit(() => {
      this.#roleAssigned = true;
      this.#leaderEpoch = state.leaderEpoch;
      this.#role = 'follower';
      this.#highWatermark.follow();
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
    this.#highWatermark.stopLeading(errorCode);
  }

  /** Leader side of replication: see {@link answerReplicaFetch}. */
  replicaFetch(req: ReplicaFetchRequest): Promise<ReplicaFetchResult> {
    return answerReplicaFetch(req, {
      backend: this.#backend,
      highWatermark: this.#highWatermark,
      endWaiters: this.#endWaiters,
      failure: this.#failure,
      isLeader: () => this.#role === 'leader',
      leaderEpoch: () => this.#leaderEpoch,
    });
  }

  /**
   * Follower side: appends batches fetched from the leader as they are (offsets and epochs the
   * leader assigned), records new epochs' start offsets, and takes the leader's high watermark
   * (capped at the local log end) and log start.
   */
  appendReplicated(records: Buffer, leaderHighWatermark: bigint, leaderLogStart: bigint): Promise<number> {
    return this.#mailbox.submit(async () => {
      if (this.#failure.error !== null) return KafkaErrorCode.KAFKA_STORAGE_ERROR;
      if (this.#role !== 'follower') return KafkaErrorCode.NOT_LEADER_OR_FOLLOWER;
      try {
        if (await appendFetchedBatches(this.#backend, records)) {
          this.#state.invalidate();
          this.#endWaiters.notify();
        }
        if (leaderLogStart > this.#backend.logStartOffset && leaderLogStart <= this.#backend.logEndOffset) await this.#backend.deleteRecordsBefore(leaderLogStart);
        const hwm = leaderHighWatermark < this.#backend.logEndOffset ? leaderHighWatermark : this.#backend.logEndOffset;
        this.#highWatermark.advanceTo(hwm);
        return 0;
      } catch (err) {
        if (err instanceof StorageError && err.code === 'io') return this.#failure.record(err).errorCode;
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
      this.#highWatermark.truncateTo(offset);
    });
  }

  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }
  get highWatermark(): bigint {
    return this.#highWatermark.offset;
  }
  /** The high watermark, or the first offset of the oldest transaction still open here. */
  get lastStableOffset(): bigint {
    return this.#reader.lastStableOffset;
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
    const failure = this.#failure.error;
    if (failure !== null) return this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, failure.message);
    if (this.#role !== 'leader') return this.#appendError(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, `this replica is not the leader (${this.#role})`);
    const isrSize = this.#highWatermark.isrSize;
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

  /** Runs a group of queued appends (see {@link LeaderWriter.appendGroup}) while this replica still leads and has not failed. */
  async #doAppends(items: readonly PendingAppend[]): Promise<StoredAppend[]> {
    if (this.#failure.error !== null) return items.map(() => this.#appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, this.#failure.error?.message ?? ''));
    if (this.#role !== 'leader') return items.map(() => this.#appendError(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, `this replica is not the leader (${this.#role})`));
    return this.#writer.appendGroup(items);
  }

  async writeTxnMarker(marker: TxnMarker): Promise<{ errorCode: number; offset: bigint }> {
    if (this.#failure.error !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, offset: NO_OFFSET };
    return tracer.startActiveSpan(
      'partition txn marker',
      { attributes: { 'messaging.destination.name': this.topic, 'messaging.destination.partition.id': String(this.partition), 'oxbow.txn.commit': marker.commit } },
      async (span) => {
        try {
          let result = await this.#mailbox.submit(() => this.#doWriteMarker(marker));
          if (result.errorCode === 0) {
            const committed = await this.#highWatermark.waitCommitted(result.offset + 1n);
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
    if (this.#failure.error !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, offset: NO_OFFSET };
    if (this.#role !== 'leader') return { errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, offset: NO_OFFSET };
    return this.#writer.writeMarker(marker);
  }

  async describeProducers(): Promise<{ errorCode: number; producers: ProducerDescription[] }> {
    if (this.#failure.error !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, producers: [] };
    try {
      return { errorCode: 0, producers: await this.#state.describe() };
    } catch (err) {
      return { errorCode: this.#failure.record(err).errorCode, producers: [] };
    }
  }

  read(request: ReadRequest): Promise<ReadResult> {
    return this.#reader.read(request);
  }

  listOffset(timestamp: bigint, isolation: 'read_uncommitted' | 'read_committed', currentLeaderEpoch: number): Promise<ListOffsetResult> {
    return this.#reader.listOffset(timestamp, isolation, currentLeaderEpoch);
  }

  async deleteRecordsBefore(offset: bigint): Promise<{ errorCode: number; lowWatermark: bigint }> {
    try {
      return await this.#mailbox.submit(async () => {
        if (this.#failure.error !== null) return { errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, lowWatermark: NO_OFFSET };
        const hwm = this.#highWatermark.offset;
        const target = offset === -1n ? hwm : offset;
        if (target < 0n || target > hwm) return { errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: NO_OFFSET };
        try {
          if (target > this.#backend.logStartOffset) {
            await this.#backend.deleteRecordsBefore(target);
            await this.#state.truncateBefore();
          }
        } catch (err) {
          return { errorCode: this.#failure.record(err).errorCode, lowWatermark: NO_OFFSET };
        }
        return { errorCode: 0, lowWatermark: this.#backend.logStartOffset };
      });
    } catch (err) {
      if (err instanceof MailboxFullError) return { errorCode: KafkaErrorCode.REQUEST_TIMED_OUT, lowWatermark: NO_OFFSET };
      throw err;
    }
  }

  endOffsetForEpoch(leaderEpoch: number, currentLeaderEpoch: number): Promise<{ errorCode: number; leaderEpoch: number; endOffset: bigint }> {
    return this.#reader.endOffsetForEpoch(leaderEpoch, currentLeaderEpoch);
  }

  onHighWatermark(listener: () => void): () => void {
    return this.#highWatermark.listen(listener);
  }

  /** Retention and compaction, run through the mailbox so they never race an append. */
  housekeeping(): Promise<void> {
    return this.#mailbox
      .submit(async () => {
        if (this.#failure.error !== null) return;
        const now = this.#now();
        await this.#backend.housekeeping(now);
        const producers = await this.#state.table();
        if (producers.expire(now, this.#producerIdExpirationMs) > 0) this.#state.changed();
        await this.#state.truncateBefore();
        await this.#state.snapshot();
      })
      .catch((err: unknown) => {
        if (err instanceof MailboxFullError) return; // busy partition: try again next round
        this.#failure.record(err);
      });
  }

  async close(): Promise<void> {
    await this.#mailbox.close();
    this.#highWatermark.clearListeners();
    if (this.#failure.error === null) await this.#state.snapshot();
    await this.#backend.close();
  }

  /** Closes and removes the partition's data. */
  async destroy(): Promise<void> {
    await this.#mailbox.close();
    this.#highWatermark.clearListeners();
    await this.#backend.destroy();
  }

  /** Whether an append with `acks` is answered only once committed (replicated, or durable for a deferred backend). */
  #waitsForCommit(acks: Acks): boolean {
    const deferred = this.#backend.deferred;
    if (deferred === undefined) return acks === -1;
    return acks !== 0 && deferred.acksWaitForDurable;
  }

  async #awaitCommitted(result: AppendResult, lastOffset: bigint): Promise<AppendResult> {
    const code = await this.#highWatermark.waitCommitted(lastOffset + 1n);
    if (code === 0) return result;
    return { ...this.#appendError(code, code === KafkaErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND ? 'the ISR shrank below min.insync.replicas before the batch was replicated' : `not replicated: error ${code}`) };
  }

  #appendError(errorCode: number, message: string): AppendResult {
    return appendError(errorCode, message, this.#backend.logStartOffset);
  }
}
