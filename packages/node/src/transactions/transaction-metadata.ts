import type { TxnLogValue, TxnStateName } from './transaction-records.js';

/**
 * A transactional id's state in memory (Kafka's TransactionMetadata) and its conversions to and
 * from the `__transaction_state` value it is persisted as.
 */
export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** One transactional id's state, as in Kafka's TransactionMetadata. */
export interface TxnMetadata {
  readonly transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnStateName;
  /** topic → partitions in the open (or ending) transaction. */
  partitions: Map<string, Set<number>>;
  lastUpdateMs: number;
  startMs: number;
}

export function fromLog(transactionalId: string, v: TxnLogValue): TxnMetadata {
  const partitions = new Map<string, Set<number>>();
  for (const tp of v.partitions) partitions.set(tp.topic, new Set(tp.partitions));
  return { transactionalId, producerId: v.producerId, producerEpoch: v.producerEpoch, timeoutMs: v.timeoutMs, state: v.state, partitions, lastUpdateMs: v.lastUpdateMs, startMs: v.startMs };
}

export function toLog(t: TxnMetadata): TxnLogValue {
  return { producerId: t.producerId, producerEpoch: t.producerEpoch, timeoutMs: t.timeoutMs, state: t.state, partitions: fromSets(t.partitions), lastUpdateMs: t.lastUpdateMs, startMs: t.startMs };
}

export function fromSets(partitions: ReadonlyMap<string, ReadonlySet<number>>): TopicPartitions[] {
  return [...partitions].map(([topic, set]) => ({ topic, partitions: [...set].sort((a, b) => a - b) }));
}

export function cloneSets(partitions: ReadonlyMap<string, ReadonlySet<number>>): Map<string, Set<number>> {
  return new Map([...partitions].map(([topic, set]) => [topic, new Set(set)]));
}
