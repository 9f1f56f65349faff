import { f, Reader } from '@oxbow/protocol';
import { decodeRecordBody, defineRecord, encodeRecord } from '../internal/versioned-record.js';

/**
 * The records of `__transaction_state`, in Kafka's own formats (TransactionLogKey v0,
 * TransactionLogValue v0) so Kafka tooling can read the topic:
 *
 * TransactionLogKey (v0) => transactional_id
 * TransactionLogValue (v0) => producer_id producer_epoch transaction_timeout_ms transaction_status
 *   [transaction_partitions] transaction_last_update_timestamp_ms transaction_start_timestamp_ms
 *   transaction_partitions => topic [partition_ids]
 *
 * A null value (tombstone) forgets the transactional id (transactional.id.expiration.ms).
 */

/** Kafka's TransactionState ids (the byte stored in the log) and names (DescribeTransactions). */
export const TXN_STATE = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnStateName = keyof typeof TXN_STATE;
const STATE_BY_ID = new Map<number, TxnStateName>(Object.entries(TXN_STATE).map(([name, id]) => [id, name as TxnStateName]));

export function txnStateName(id: number): TxnStateName | undefined {
  return STATE_BY_ID.get(id);
}

const KeySchema = defineRecord('TransactionLogKey', '0', 'none', 0, [f.string('transactionalId', '0+')]);

const ValueSchema = defineRecord('TransactionLogValue', '0-1', '1+', 0, [
  f.int64('producerId', '0+'),
  f.int16('producerEpoch', '0+'),
  f.int32('transactionTimeoutMs', '0+'),
  f.int8('transactionStatus', '0+'),
  f.structs('transactionPartitions', '0+', [f.string('topic', '0+'), f.array('partitionIds', '0+', 'int32')], { nullable: '0+' }),
  f.int64('transactionLastUpdateTimestampMs', '0+'),
  f.int64('transactionStartTimestampMs', '0+'),
]);

export interface TxnLogValue {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TxnStateName;
  readonly partitions: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
  readonly lastUpdateMs: number;
  /** -1 when no transaction is open. */
  readonly startMs: number;
}

export function encodeTxnLogKey(transactionalId: string): Buffer {
  return encodeRecord(KeySchema, { transactionalId });
}

export function encodeTxnLogValue(v: TxnLogValue): Buffer {
  return encodeRecord(ValueSchema, {
    producerId: v.producerId,
    producerEpoch: v.producerEpoch,
    transactionTimeoutMs: v.timeoutMs,
    transactionStatus: TXN_STATE[v.state],
    // Kafka writes null partitions for Empty and completed transactions.
    transactionPartitions: v.partitions.length === 0 ? null : v.partitions.map((p) => ({ topic: p.topic, partitionIds: [...p.partitions] })),
    transactionLastUpdateTimestampMs: BigInt(v.lastUpdateMs),
    transactionStartTimestampMs: BigInt(v.startMs),
  });
}

/** The transactional id of a key, or null for key versions this broker does not know. */
export function decodeTxnLogKey(bytes: Buffer): string | null {
  const r = new Reader(bytes);
  const version = r.readInt16();
  if (version !== 0) return null;
  return decodeRecordBody(KeySchema, r, version).transactionalId;
}

export function decodeTxnLogValue(bytes: Buffer): TxnLogValue {
  const r = new Reader(bytes);
  const v = decodeRecordBody(ValueSchema, r, r.readInt16());
  const state = txnStateName(v.transactionStatus);
  if (state === undefined) throw new Error(`unknown transaction state ${v.transactionStatus}`);
  return {
    producerId: v.producerId,
    producerEpoch: v.producerEpoch,
    timeoutMs: v.transactionTimeoutMs,
    state,
    partitions: (v.transactionPartitions ?? []).map((p) => ({ topic: p.topic, partitions: p.partitionIds })),
    lastUpdateMs: Number(v.transactionLastUpdateTimestampMs),
    startMs: Number(v.transactionStartTimestampMs),
  };
}
