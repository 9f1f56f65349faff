import type { Coordinator } from '@oxbow/controller';
import { KafkaErrorCode } from '@oxbow/protocol';
import type { PartitionLookup } from '../broker/services.js';
import type { TopicAdmin } from '../broker/topic-admin.js';
import type { BrokerConfig } from '../config/index.js';
import { findInternalCoordinator, type CoordinatorLookup } from '../internal/internal-topic.js';
import type { Logger } from '../observability/logger.js';
import type { ProducerIdAllocator } from '../producers/producer-id-allocator.js';
import { MAX_PRODUCER_EPOCH, TransactionCompletion, type MarkerWriter } from './transaction-completion.js';
import { TransactionExpiry } from './transaction-expiry.js';
import { cloneSets, fromLog, fromSets, toLog, type TopicPartitions, type TxnMetadata } from './transaction-metadata.js';
import { TransactionQueue } from './transaction-queue.js';
import type { TxnLogValue } from './transaction-records.js';
import { TRANSACTION_STATE_TOPIC, TransactionStateLog } from './transaction-state-log.js';

export { TRANSACTION_STATE_TOPIC } from './transaction-state-log.js';
export type { MarkerWriter } from './transaction-completion.js';

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
  readonly #txns = new Map<string, TxnMetadata>();
  readonly #queue = new TransactionQueue();
  readonly #log: TransactionStateLog;
  readonly #completion: TransactionCompletion;
  readonly #expiry: TransactionExpiry;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: TransactionCoordinatorOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const now = this.#now;
    const closed = (): boolean => this.#closed;
    const txns = this.#txns;
    const { coordinator, topics, config, logger, partition, markers } = options;
    this.#log = new TransactionStateLog({ coordinator, topics, config, logger, partition, now, txns, onLoaded: (p) => this.#recover(p) });
    this.#completion = new TransactionCompletion({ txns, log: this.#log, markers, logger, now, closed });
    this.#expiry = new TransactionExpiry({ txns, log: this.#log, queue: this.#queue, completion: this.#completion, config, logger, now, closed });
  }

  start(): void {
    const topic = this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC);
    if (topic !== undefined) for (let p = 0; p < topic.partitions.length; p++) this.#log.startLoad(p);
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
    this.#log.forget(p);
    for (const id of [...this.#txns.keys()]) if (this.partitionFor(id) === p) this.#txns.delete(id);
    if (leads) this.#log.startLoad(p);
  }

  partitionFor(transactionalId: string): number {
    return this.#log.partitionFor(transactionalId);
  }

  /** FindCoordinator for a transactional id: creates `__transaction_state` on first use. */
  findCoordinator(transactionalId: string): Promise<CoordinatorLookup> {
    return findInternalCoordinator(this.#o.coordinator, TRANSACTION_STATE_TOPIC, () => this.#log.ensureTopic(), () => this.partitionFor(transactionalId), this.#o.logger);
  }

  /** InitProducerId with a transactional id. */
  initProducerId(transactionalId: string, timeoutMs: number, expectedProducerId: bigint, expectedEpoch: number): Promise<InitProducerIdResult> {
    return this.#queue.run(transactionalId, 'init producer id', async () => {
      const status = this.#log.status(transactionalId);
      if (status !== 0) return failed(status);
      if (timeoutMs <= 0 || timeoutMs > this.#o.config.broker['transaction.max.timeout.ms']) return failed(KafkaErrorCode.INVALID_TRANSACTION_TIMEOUT);
      let txn = this.#txns.get(transactionalId);
      if (txn === undefined) {
        const producerId = await this.#o.producerIds.next();
        const fresh: TxnLogValue = { producerId, producerEpoch: 0, timeoutMs, state: 'Empty', partitions: [], lastUpdateMs: this.#now(), startMs: -1 };
        const error = await this.#log.write(transactionalId, fresh);
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
        const error = await this.#completion.end(txn, false, true);
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
      const error = await this.#log.write(transactionalId, next);
      if (error !== 0) return failed(error);
      this.#txns.set(transactionalId, fromLog(transactionalId, next));
      return { errorCode: 0, producerId, producerEpoch };
    });
  }

  /** AddPartitionsToTxn (and AddOffsetsToTxn, with the group's offsets partition). */
  addPartitions(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartitions[]): Promise<number> {
    return this.#queue.run(transactionalId, 'add partitions to txn', async () => {
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
      const error = await this.#log.write(transactionalId, next);
      if (error !== 0) return error;
      this.#txns.set(transactionalId, fromLog(transactionalId, next));
      return 0;
    });
  }

  /** EndTxn. */
  endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    return this.#queue.run(transactionalId, commit ? 'commit txn' : 'abort txn', async () => {
      const checked = this.#check(transactionalId, producerId, producerEpoch);
      if (typeof checked === 'number') return checked;
      const txn = checked;
      switch (txn.state) {
        case 'Ongoing':
          return this.#completion.end(txn, commit, false);
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
    const status = this.#log.status(transactionalId);
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
      .filter((t) => this.#log.isLoaded(this.partitionFor(t.transactionalId)))
      .filter((t) => states.size === 0 || states.has(t.state))
      .filter((t) => producerIds.size === 0 || producerIds.has(t.producerId))
      .filter((t) => minDurationMs < 0 || (t.state === 'Ongoing' && now - t.startMs >= minDurationMs))
      .map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state }));
  }

  /**
   * Aborts open transactions past their timeout, retries markers of transactions left in a
   * Prepare state and forgets idle ids (see TransactionExpiry). Runs on a timer; public for tests.
   */
  abortTimedOut(): Promise<void> {
    return this.#expiry.sweep();
  }

  /** Kafka's checks before AddPartitionsToTxn/AddOffsetsToTxn/EndTxn: the metadata, or an error code. */
  #check(transactionalId: string, producerId: bigint, producerEpoch: number): TxnMetadata | number {
    const status = this.#log.status(transactionalId);
    if (status !== 0) return status;
    const txn = this.#txns.get(transactionalId);
    if (txn?.producerId !== producerId) return KafkaErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (txn.producerEpoch !== producerEpoch) return KafkaErrorCode.PRODUCER_FENCED;
    return txn;
  }

  /** `__transaction_state` partition `p` has loaded. */
  #recover(p: number): void {
    // Transactions caught between Prepare and Complete are finished now; open ones time out.
    for (const txn of this.#txns.values()) {
      if (this.partitionFor(txn.transactionalId) !== p) continue;
      if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') {
        void this.#queue.run(txn.transactionalId, 'complete txn', () => this.#completion.complete(txn.transactionalId));
      }
    }
  }
}
