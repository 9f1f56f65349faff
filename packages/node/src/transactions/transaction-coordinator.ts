import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Coordinator } from '@oxbow/controller';
import type { PartitionHandle } from '@oxbow/partition-actor';
import { KafkaErrorCode } from '@oxbow/protocol';
import type { PartitionLookup } from '../broker/services.js';
import type { TopicAdmin } from '../broker/topic-admin.js';
import type { BrokerConfig } from '../config/index.js';
import { appendInternalRecords, coordinatorPartitionFor, ensureInternalTopic, findInternalCoordinator, replayPartition, type CoordinatorLookup } from '../internal/internal-topic.js';
import type { Logger } from '../observability/logger.js';
import type { ProducerIdAllocator } from '../producers/producer-id-allocator.js';
import { cloneSets, fromLog, fromSets, toLog, type TopicPartitions, type TxnMetadata } from './transaction-metadata.js';
import { decodeTxnLogKey, decodeTxnLogValue, encodeTxnLogKey, encodeTxnLogValue, type TxnLogValue } from './transaction-records.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/** Kafka's Short.MaxValue - 1: the last epoch a producer id may reach before a new id is handed out. */
const MAX_PRODUCER_EPOCH = 32766;
/** Attempts at writing one marker before the transaction is left to the background retry. */
const MARKER_ATTEMPTS = 10;
const MARKER_BACKOFF_MS = 100;
const tracer = trace.getTracer('oxbow');

/** Writes the transaction markers of an ending transaction (in-process on one node; WriteTxnMarkers in a cluster). */
export interface MarkerWriter {
  /** Resolves to a Kafka error code for the partition; UNKNOWN_TOPIC_OR_PARTITION means the partition is gone. */
  write(topic: string, partition: number, marker: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number; commit: boolean }): Promise<number>;
}

export interface TransactionCoordinatorOptions {
  readonly coordinator: Coordinator;
  readonly topics: TopicAdmin;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly partition: (topic: string, partition: number) => PartitionLookup;
  readonly producerIds: ProducerIdAllocator;
  readonly markers: MarkerWriter;
  readonly now?: () => number;
}

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface TransactionDescription {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly transactionState: string;
  readonly transactionTimeoutMs: number;
  readonly transactionStartTimeMs: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly topics: { topic: string; partitions: number[] }[];
}

const failed = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1n, producerEpoch: -1 });

/**
 * The transaction coordinator, after Kafka's TransactionCoordinator: the transactional ids whose
 * `__transaction_state` partition this node leads. Every state change is written to that
 * partition (acks=all) before it takes effect in memory; ending a transaction writes
 * PrepareCommit/PrepareAbort, then a marker to every partition in the transaction, then
 * CompleteCommit/CompleteAbort. On load, transactions found in a Prepare state are completed and
 * open ones are aborted when they time out, so a restart never leaves a partition's LSO stuck.
 *
 * Operations on one transactional id run one at a time (a per-id queue), so the state machine
 * never sees two transitions interleave.
 */
export class TransactionCoordinator {
  readonly #o: TransactionCoordinatorOptions;
  readonly #now: () => number;
  readonly #numPartitions: number;
  readonly #txns = new Map<string, TxnMetadata>();
  /** `__transaction_state` partition → true once loaded; false while loading. */
  readonly #loaded = new Map<number, boolean>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #creating: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: TransactionCoordinatorOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#numPartitions = options.config.broker['transaction.state.log.num.partitions'];
  }

  start(): void {
    const topic = this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC);
    if (topic !== undefined) for (let p = 0; p < topic.partitions.length; p++) this.#startLoad(p);
    const interval = this.#o.config.broker['transaction.abort.timed.out.transaction.cleanup.interval.ms'];
    this.#timer = setInterval(() => {
      this.abortTimedOut().catch((err: unknown) => this.#o.logger.error({ err }, 'aborting timed-out transactions failed'));
    }, interval);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
  }

  /** This node started or stopped leading `__transaction_state` partition `p`: load it, or forget its ids. */
  partitionLeadership(p: number, leads: boolean): void {
    this.#loaded.delete(p);
    for (const id of [...this.#txns.keys()]) if (this.partitionFor(id) === p) this.#txns.delete(id);
    if (leads) this.#startLoad(p);
  }

  partitionFor(transactionalId: string): number {
    const topic = this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC);
    return coordinatorPartitionFor(transactionalId, topic?.partitions.length ?? this.#numPartitions);
  }

  /** FindCoordinator for a transactional id: creates `__transaction_state` on first use. */
  findCoordinator(transactionalId: string): Promise<CoordinatorLookup> {
    return findInternalCoordinator(this.#o.coordinator, TRANSACTION_STATE_TOPIC, () => this.#ensureTopic(), () => this.partitionFor(transactionalId), this.#o.logger);
  }

  /** InitProducerId with a transactional id. */
  initProducerId(transactionalId: string, timeoutMs: number, expectedProducerId: bigint, expectedEpoch: number): Promise<InitProducerIdResult> {
    return this.#serialized(transactionalId, 'init producer id', async () => {
      const status = this.#status(transactionalId);
      if (status !== 0) return failed(status);
      if (timeoutMs <= 0 || timeoutMs > this.#o.config.broker['transaction.max.timeout.ms']) return failed(KafkaErrorCode.INVALID_TRANSACTION_TIMEOUT);
      let txn = this.#txns.get(transactionalId);
      if (txn === undefined) {
        const producerId = await this.#o.producerIds.next();
        const fresh: TxnLogValue = { producerId, producerEpoch: 0, timeoutMs, state: 'Empty', partitions: [], lastUpdateMs: this.#now(), startMs: -1 };
        const error = await this.#write(transactionalId, fresh);
        if (error !== 0) return failed(error);
        this.#txns.set(transactionalId, fromLog(transactionalId, fresh));
        return { errorCode: 0, producerId, producerEpoch: 0 };
      }
      // KIP-360: a producer naming its current id/epoch asks for a bump; another id/epoch is a zombie.
      if (expectedProducerId >= 0n && (expectedProducerId !== txn.producerId || expectedEpoch !== txn.producerEpoch)) {
        return failed(KafkaErrorCode.PRODUCER_FENCED);
      }
      if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort' || txn.state === 'PrepareEpochFence') return failed(KafkaErrorCode.CONCURRENT_TRANSACTIONS);
      if (txn.state === 'Ongoing') {
        // A new producer instance with the same transactional id: fence the old one by aborting
        // its transaction with a bumped epoch, then hand out the next epoch.
        const error = await this.#endTransaction(txn, false, true);
        if (error !== 0) return failed(error);
        txn = this.#txns.get(transactionalId);
        if (txn === undefined) return failed(KafkaErrorCode.CONCURRENT_TRANSACTIONS);
      }
      let producerId = txn.producerId;
      let producerEpoch = txn.producerEpoch + 1;
      if (producerEpoch > MAX_PRODUCER_EPOCH) {
        producerId = await this.#o.producerIds.next();
        producerEpoch = 0;
      }
      const next: TxnLogValue = { producerId, producerEpoch, timeoutMs, state: 'Empty', partitions: [], lastUpdateMs: this.#now(), startMs: -1 };
      const error = await this.#write(transactionalId, next);
      if (error !== 0) return failed(error);
      this.#txns.set(transactionalId, fromLog(transactionalId, next));
      return { errorCode: 0, producerId, producerEpoch };
    });
  }

  /** AddPartitionsToTxn (and AddOffsetsToTxn, with the group's offsets partition). */
  addPartitions(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartitions[]): Promise<number> {
    return this.#serialized(transactionalId, 'add partitions to txn', async () => {
      const checked = this.#check(transactionalId, producerId, producerEpoch);
      if (typeof checked === 'number') return checked;
      const txn = checked;
      if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort' || txn.state === 'PrepareEpochFence') return KafkaErrorCode.CONCURRENT_TRANSACTIONS;
      const ongoing = txn.state === 'Ongoing';
      const merged = ongoing ? cloneSets(txn.partitions) : new Map<string, Set<number>>();
      let added = false;
      for (const tp of partitions) {
        let set = merged.get(tp.topic);
        if (set === undefined) merged.set(tp.topic, (set = new Set()));
        for (const p of tp.partitions) {
          if (!set.has(p)) added = true;
          set.add(p);
        }
      }
      if (ongoing && !added) return 0;
      const now = this.#now();
      const next: TxnLogValue = { ...toLog(txn), state: 'Ongoing', partitions: fromSets(merged), lastUpdateMs: now, startMs: ongoing ? txn.startMs : now };
      const error = await this.#write(transactionalId, next);
      if (error !== 0) return error;
      this.#txns.set(transactionalId, fromLog(transactionalId, next));
      return 0;
    });
  }

  /** EndTxn. */
  endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    return this.#serialized(transactionalId, commit ? 'commit txn' : 'abort txn', async () => {
      const checked = this.#check(transactionalId, producerId, producerEpoch);
      if (typeof checked === 'number') return checked;
      const txn = checked;
      switch (txn.state) {
        case 'Ongoing':
          return this.#endTransaction(txn, commit, false);
        case 'CompleteCommit':
          return commit ? 0 : KafkaErrorCode.INVALID_TXN_STATE;
        case 'CompleteAbort':
          return commit ? KafkaErrorCode.INVALID_TXN_STATE : 0;
        case 'PrepareCommit':
          return commit ? KafkaErrorCode.CONCURRENT_TRANSACTIONS : KafkaErrorCode.INVALID_TXN_STATE;
        case 'PrepareAbort':
          return commit ? KafkaErrorCode.INVALID_TXN_STATE : KafkaErrorCode.CONCURRENT_TRANSACTIONS;
        default:
          return KafkaErrorCode.INVALID_TXN_STATE;
      }
    });
  }

  /** DescribeTransactions for one id. */
  describe(transactionalId: string): TransactionDescription {
    const base = { transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] };
    const status = this.#status(transactionalId);
    if (status !== 0) return { ...base, errorCode: status };
    const txn = this.#txns.get(transactionalId);
    if (txn === undefined) return { ...base, errorCode: KafkaErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
    return {
      errorCode: 0,
      transactionalId,
      transactionState: txn.state,
      transactionTimeoutMs: txn.timeoutMs,
      transactionStartTimeMs: BigInt(txn.startMs),
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      topics: fromSets(txn.partitions).map((t) => ({ topic: t.topic, partitions: [...t.partitions] })),
    };
  }

  /** ListTransactions over the loaded partitions this node coordinates. */
  list(states: ReadonlySet<string>, producerIds: ReadonlySet<bigint>, minDurationMs: number): { transactionalId: string; producerId: bigint; transactionState: string }[] {
    const now = this.#now();
    return [...this.#txns.values()]
      .filter((t) => this.#loaded.get(this.partitionFor(t.transactionalId)) === true)
      .filter((t) => states.size === 0 || states.has(t.state))
      .filter((t) => producerIds.size === 0 || producerIds.has(t.producerId))
      .filter((t) => minDurationMs < 0 || (t.state === 'Ongoing' && now - t.startMs >= minDurationMs))
      .map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state }));
  }

  /**
   * Aborts open transactions past their timeout, bumping the epoch so the producer is fenced
   * (its next request fails with PRODUCER_FENCED / INVALID_PRODUCER_EPOCH), retries markers of
   * transactions left in a Prepare state and forgets ids idle past transactional.id.expiration.ms.
   * Runs on a timer; public for tests.
   */
  async abortTimedOut(): Promise<void> {
    const now = this.#now();
    for (const txn of [...this.#txns.values()]) {
      if (this.#closed) return;
      if (this.#status(txn.transactionalId) !== 0) continue;
      if (txn.state === 'Ongoing' && now - txn.startMs > txn.timeoutMs) {
        this.#o.logger.info({ transactionalId: txn.transactionalId, producerId: String(txn.producerId), timeoutMs: txn.timeoutMs }, 'aborting transaction past its timeout');
        await this.#serialized(txn.transactionalId, 'abort timed-out txn', () => {
          const current = this.#txns.get(txn.transactionalId);
          if (current?.state !== 'Ongoing' || now - current.startMs <= current.timeoutMs) return Promise.resolve(0);
          return this.#endTransaction(current, false, true);
        });
      } else if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') {
        await this.#serialized(txn.transactionalId, 'complete txn', () => this.#complete(txn.transactionalId));
      } else if (txn.state !== 'Ongoing' && now - txn.lastUpdateMs > this.#o.config.broker['transactional.id.expiration.ms']) {
        // transactional.id.expiration.ms: an idle id is forgotten (a tombstone in the log).
        await this.#serialized(txn.transactionalId, 'expire transactional id', async () => {
          const current = this.#txns.get(txn.transactionalId);
          if (current === undefined || current.state === 'Ongoing' || now - current.lastUpdateMs <= this.#o.config.broker['transactional.id.expiration.ms']) return 0;
          const error = await this.#write(txn.transactionalId, null);
          if (error === 0) this.#txns.delete(txn.transactionalId);
          return error;
        });
      }
    }
  }

  /** Transactional-id lookup status: 0, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE. */
  #status(transactionalId: string): number {
    if (this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC) === undefined) return KafkaErrorCode.NOT_COORDINATOR;
    const p = this.partitionFor(transactionalId);
    const found = this.#o.partition(TRANSACTION_STATE_TOPIC, p);
    if (!found.ok) {
      if (found.errorCode !== KafkaErrorCode.NOT_LEADER_OR_FOLLOWER) return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
      const leader = this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC)?.partitions[p]?.leader;
      return leader === this.#o.config.nodeId ? KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS : KafkaErrorCode.NOT_COORDINATOR;
    }
    const loaded = this.#loaded.get(p);
    if (loaded === true) return 0;
    if (loaded === undefined) this.#startLoad(p);
    return KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  /** Kafka's checks before AddPartitionsToTxn/AddOffsetsToTxn/EndTxn: the metadata, or an error code. */
  #check(transactionalId: string, producerId: bigint, producerEpoch: number): TxnMetadata | number {
    const status = this.#status(transactionalId);
    if (status !== 0) return status;
    const txn = this.#txns.get(transactionalId);
    if (txn?.producerId !== producerId) return KafkaErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (txn.producerEpoch !== producerEpoch) return KafkaErrorCode.PRODUCER_FENCED;
    return txn;
  }

  /**
   * Ends an open transaction: Prepare state written, markers written to every partition, Complete
   * state written. `fence` bumps the epoch first (timeouts, a new producer instance), so markers
   * carry the new epoch and the old producer is fenced in every partition.
   */
  async #endTransaction(txn: TxnMetadata, commit: boolean, fence: boolean): Promise<number> {
    const now = this.#now();
    const producerEpoch = fence && txn.producerEpoch < MAX_PRODUCER_EPOCH ? txn.producerEpoch + 1 : txn.producerEpoch;
    const prepare: TxnLogValue = { ...toLog(txn), producerEpoch, state: commit ? 'PrepareCommit' : 'PrepareAbort', lastUpdateMs: now };
    const error = await this.#write(txn.transactionalId, prepare);
    if (error !== 0) return error;
    this.#txns.set(txn.transactionalId, fromLog(txn.transactionalId, prepare));
    // The decision is durable: the client's EndTxn succeeds even if some markers must be retried later.
    await this.#complete(txn.transactionalId);
    return 0;
  }

  /** Writes the markers of a transaction in a Prepare state, then its Complete state. */
  async #complete(transactionalId: string): Promise<number> {
    const txn = this.#txns.get(transactionalId);
    if (txn === undefined || (txn.state !== 'PrepareCommit' && txn.state !== 'PrepareAbort')) return 0;
    const commit = txn.state === 'PrepareCommit';
    const coordinatorEpoch = this.#coordinatorEpoch(transactionalId);
    const results = await Promise.all(
      fromSets(txn.partitions).flatMap((t) =>
        t.partitions.map((p) => this.#writeMarker(t.topic, p, { producerId: txn.producerId, producerEpoch: txn.producerEpoch, coordinatorEpoch, commit })),
      ),
    );
    if (results.some((ok) => !ok)) {
      this.#o.logger.warn({ transactionalId, commit }, 'some transaction markers could not be written yet; retrying in the background');
      return 0;
    }
    const done: TxnLogValue = { ...toLog(txn), state: commit ? 'CompleteCommit' : 'CompleteAbort', partitions: [], lastUpdateMs: this.#now() };
    const error = await this.#write(transactionalId, done);
    if (error !== 0) {
      this.#o.logger.warn({ transactionalId, errorCode: error }, 'writing the completed transaction state failed; retrying in the background');
      return 0;
    }
    this.#txns.set(transactionalId, fromLog(transactionalId, done));
    return 0;
  }

  /** One marker with bounded retries; true once written (or the partition no longer exists). */
  async #writeMarker(topic: string, partition: number, marker: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number; commit: boolean }): Promise<boolean> {
    for (let attempt = 1; attempt <= MARKER_ATTEMPTS && !this.#closed; attempt++) {
      const code = await this.#o.markers.write(topic, partition, marker).catch((err: unknown) => {
        this.#o.logger.warn({ err, topic, partition }, 'writing a transaction marker threw');
        return KafkaErrorCode.UNKNOWN_SERVER_ERROR;
      });
      if (code === 0 || code === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return true;
      // A stale epoch means a newer marker already ended this producer's transaction there.
      if (code === KafkaErrorCode.INVALID_PRODUCER_EPOCH) return true;
      await new Promise((resolve) => setTimeout(resolve, MARKER_BACKOFF_MS * attempt));
    }
    return false;
  }

  #coordinatorEpoch(transactionalId: string): number {
    return this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC)?.partitions[this.partitionFor(transactionalId)]?.leaderEpoch ?? 0;
  }

  async #write(transactionalId: string, value: TxnLogValue | null): Promise<number> {
    const found = this.#o.partition(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId));
    if (!found.ok) return found.errorCode === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER ? KafkaErrorCode.NOT_COORDINATOR : KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
    const code = await appendInternalRecords(found.handle, [{ key: encodeTxnLogKey(transactionalId), value: value === null ? null : encodeTxnLogValue(value) }], this.#now());
    if (code === 0) return 0;
    if (code === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER) return KafkaErrorCode.NOT_COORDINATOR;
    // Kafka maps failed transaction-log appends to COORDINATOR_NOT_AVAILABLE, which clients retry.
    return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  #serialized<T>(transactionalId: string, name: string, op: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(transactionalId) ?? Promise.resolve();
    const run = previous.then(
      () => this.#traced(name, transactionalId, op),
      () => this.#traced(name, transactionalId, op),
    );
    const tail = run.catch(() => undefined);
    this.#queues.set(transactionalId, tail);
    void tail.then(() => {
      if (this.#queues.get(transactionalId) === tail) this.#queues.delete(transactionalId);
    });
    return run;
  }

  #traced<T>(name: string, transactionalId: string, op: () => Promise<T>): Promise<T> {
    return tracer.startActiveSpan(`txn ${name}`, { attributes: { 'oxbow.transactional_id': transactionalId } }, async (span) => {
      try {
        const result = await op();
        if (typeof result === 'number' && result !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: String(result) });
        return result;
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  #ensureTopic(): Promise<void> {
    this.#creating ??= (async () => {
      const b = this.#o.config.broker;
      const created = await ensureInternalTopic(this.#o.coordinator, this.#o.topics, TRANSACTION_STATE_TOPIC, this.#numPartitions, b['transaction.state.log.replication.factor'], b['transaction.state.log.segment.bytes']);
      const topic = this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC);
      for (let p = 0; p < (topic?.partitions.length ?? 0); p++) {
        if (created) this.#loaded.set(p, true);
        else this.#startLoad(p);
      }
    })().finally(() => {
      this.#creating = null;
    });
    return this.#creating;
  }

  #startLoad(p: number): void {
    if (this.#loaded.has(p)) return;
    const found = this.#o.partition(TRANSACTION_STATE_TOPIC, p);
    if (!found.ok) return;
    this.#loaded.set(p, false);
    const started = this.#now();
    this.#load(found.handle)
      .then((count) => {
        this.#loaded.set(p, true);
        this.#o.logger.info({ partition: p, transactionalIds: count, ms: this.#now() - started }, `loaded ${TRANSACTION_STATE_TOPIC} partition`);
        // Transactions caught between Prepare and Complete are finished now; open ones time out.
        for (const txn of this.#txns.values()) {
          if (this.partitionFor(txn.transactionalId) !== p) continue;
          if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') {
            void this.#serialized(txn.transactionalId, 'complete txn', () => this.#complete(txn.transactionalId));
          }
        }
      })
      .catch((err: unknown) => {
        this.#loaded.delete(p);
        this.#o.logger.error({ err, partition: p }, `loading ${TRANSACTION_STATE_TOPIC} partition failed`);
      });
  }

  async #load(handle: PartitionHandle): Promise<number> {
    const found = new Map<string, TxnLogValue | null>();
    await replayPartition(handle, {
      record: (record) => {
        const id = decodeTxnLogKey(record.key);
        if (id === null) return;
        found.set(id, record.value === null ? null : decodeTxnLogValue(record.value));
      },
    });
    let count = 0;
    for (const [id, value] of found) {
      if (value === null || value.state === 'Dead') {
        this.#txns.delete(id);
      } else {
        this.#txns.set(id, fromLog(id, value));
        count++;
      }
    }
    return count;
  }
}
