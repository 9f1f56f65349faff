import type { Coordinator } from '@oxbow/controller';
import type { PartitionHandle } from '@oxbow/partition-actor';
import { KafkaErrorCode } from '@oxbow/protocol';
import type { PartitionLookup } from '../broker/services.js';
import type { TopicAdmin } from '../broker/topic-admin.js';
import type { BrokerConfig } from '../config/index.js';
import { appendInternalRecords, coordinatorPartitionFor, ensureInternalTopic, replayPartition } from '../internal/internal-topic.js';
import type { Logger } from '../observability/logger.js';
import { fromLog, type TxnMetadata } from './transaction-metadata.js';
import { decodeTxnLogKey, decodeTxnLogValue, encodeTxnLogKey, encodeTxnLogValue, type TxnLogValue } from './transaction-records.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export interface TransactionStateLogOptions {
  readonly coordinator: Coordinator;
  readonly topics: TopicAdmin;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly partition: (topic: string, partition: number) => PartitionLookup;
  readonly now: () => number;
  /** The coordinator's in-memory state, filled in as `__transaction_state` partitions load. */
  readonly txns: Map<string, TxnMetadata>;
  /** Called once partition `p` has loaded and its ids are in `txns`. */
  readonly onLoaded: (p: number) => void;
}

/**
 * The persistence of transaction state: which `__transaction_state` partition owns a
 * transactional id, whether this node has loaded that partition, creating the topic on first
 * use, appending state changes to it and replaying it into memory on load.
 */
export class TransactionStateLog {
  readonly #o: TransactionStateLogOptions;
  readonly #numPartitions: number;
  /** `__transaction_state` partition → true once loaded; false while loading. */
  readonly #loaded = new Map<number, boolean>();
  #creating: Promise<void> | null = null;

  constructor(options: TransactionStateLogOptions) {
    this.#o = options;
    this.#numPartitions = options.config.broker['transaction.state.log.num.partitions'];
  }

  partitionFor(transactionalId: string): number {
    const topic = this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC);
    return coordinatorPartitionFor(transactionalId, topic?.partitions.length ?? this.#numPartitions);
  }

  isLoaded(p: number): boolean {
    return this.#loaded.get(p) === true;
  }

  /** Forgets whether partition `p` was loaded (its leadership changed). */
  forget(p: number): void {
    this.#loaded.delete(p);
  }

  /** Transactional-id lookup status: 0, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE. */
  status(transactionalId: string): number {
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
    if (loaded === undefined) this.startLoad(p);
    return KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  coordinatorEpoch(transactionalId: string): number {
    return this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC)?.partitions[this.partitionFor(transactionalId)]?.leaderEpoch ?? 0;
  }

  /** Appends a transactional id's new state (null: a tombstone); resolves to a Kafka error code. */
  async write(transactionalId: string, value: TxnLogValue | null): Promise<number> {
    const found = this.#o.partition(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId));
    if (!found.ok) return found.errorCode === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER ? KafkaErrorCode.NOT_COORDINATOR : KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
    const code = await appendInternalRecords(found.handle, [{ key: encodeTxnLogKey(transactionalId), value: value === null ? null : encodeTxnLogValue(value) }], this.#o.now());
    if (code === 0) return 0;
    if (code === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER) return KafkaErrorCode.NOT_COORDINATOR;
    // Kafka maps failed transaction-log appends to COORDINATOR_NOT_AVAILABLE, which clients retry.
    return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /** Creates `__transaction_state` if missing, then loads its partitions this node leads. */
  ensureTopic(): Promise<void> {
    this.#creating ??= (async () => {
      const b = this.#o.config.broker;
      const created = await ensureInternalTopic(this.#o.coordinator, this.#o.topics, TRANSACTION_STATE_TOPIC, this.#numPartitions, b['transaction.state.log.replication.factor'], b['transaction.state.log.segment.bytes']);
      const topic = this.#o.coordinator.topic(TRANSACTION_STATE_TOPIC);
      for (let p = 0; p < (topic?.partitions.length ?? 0); p++) {
        if (created) this.#loaded.set(p, true);
        else this.startLoad(p);
      }
    })().finally(() => {
      this.#creating = null;
    });
    return this.#creating;
  }

  startLoad(p: number): void {
    if (this.#loaded.has(p)) return;
    const found = this.#o.partition(TRANSACTION_STATE_TOPIC, p);
    if (!found.ok) return;
    this.#loaded.set(p, false);
    const started = this.#o.now();
    this.#load(found.handle)
      .then((count) => {
        this.#loaded.set(p, true);
        this.#o.logger.info({ partition: p, transactionalIds: count, ms: this.#o.now() - started }, `loaded ${TRANSACTION_STATE_TOPIC} partition`);
        this.#o.onLoaded(p);
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
        this.#o.txns.delete(id);
      } else {
        this.#o.txns.set(id, fromLog(id, value));
        count++;
      }
    }
    return count;
  }
}
