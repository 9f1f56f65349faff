import type { Coordinator } from '@oxbow/controller';
import type { PartitionHandle } from '@oxbow/partition-actor';
import { decodeControlKey, decodeRecordBatch, encodeRecordBatch, KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import type { TopicAdmin } from '../broker/topic-admin.js';

/**
 * Helpers shared by the coordinators that keep their state in an internal compacted topic
 * (`__consumer_offsets` for groups, `__transaction_state` for transactions): the key → partition
 * hash Kafka uses, creating the topic, appending records and replaying a partition.
 */

/** Java's String.hashCode (UTF-16 code units, 32-bit overflow), as Kafka hashes group and transactional ids. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's `Utils.abs`: INT_MIN maps to 0 rather than staying negative. */
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The internal-topic partition that stores `key` (a group id or transactional id), whose leader coordinates it. */
export function coordinatorPartitionFor(key: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(key)) % numPartitions;
}

export interface InternalRecord {
  readonly key: Buffer;
  /** null = tombstone. */
  readonly value: Buffer | null;
}

/** Creates a compacted internal topic unless it exists; true when this call created it. */
export async function ensureInternalTopic(coordinator: Coordinator, topics: TopicAdmin, name: string, numPartitions: number, replicationFactor: number, segmentBytes: number): Promise<boolean> {
  if (coordinator.topic(name) !== undefined) return false;
  const rf = Math.max(1, Math.min(replicationFactor, coordinator.brokers().length));
  const outcome = await topics.createTopic(
    {
      name,
      numPartitions,
      replicationFactor: rf,
      assignments: [],
      configs: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'compression.type', value: 'producer' },
        { name: 'segment.bytes', value: String(segmentBytes) },
      ],
    },
    false,
  );
  if (outcome.errorCode !== 0 && outcome.errorCode !== KafkaErrorCode.TOPIC_ALREADY_EXISTS) {
    throw new Error(`creating ${name} failed: ${'errorMessage' in outcome ? outcome.errorMessage : outcome.errorCode}`);
  }
  return outcome.errorCode === 0;
}

/** The producer whose transaction a coordinator's write belongs to (TxnOffsetCommit). */
export interface TransactionalWrite {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** Appends records as one batch with acks=all; resolves to the Kafka error code (0 = written). */
export async function appendInternalRecords(handle: PartitionHandle, records: readonly InternalRecord[], nowMs: number, txn?: TransactionalWrite): Promise<number> {
  if (records.length === 0) return 0;
  const batch = await encodeRecordBatch({
    records: records.map((r) => ({ timestamp: BigInt(nowMs), key: r.key, value: r.value })),
    ...(txn === undefined ? {} : { transactional: true, producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: -1 }),
  });
  const result = await handle.append(batch, -1, txn === undefined ? 'client' : 'coordinator');
  return result.errorCode;
}

export interface ReplayVisitor {
  /** A data record; `producerId` is set when it belongs to a transaction. */
  record(record: InternalRecord, transactionalProducerId: bigint | null): void;
  /** A transaction marker. */
  marker?(producerId: bigint, commit: boolean): void;
}

/** Reads a whole partition from its log start to the high watermark, visiting records and markers in order. */
export async function replayPartition(handle: PartitionHandle, visitor: ReplayVisitor): Promise<void> {
  let offset = handle.logStartOffset;
  const end = handle.highWatermark;
  while (offset < end) {
    const read = await handle.read({ offset, maxBytes: 1024 * 1024, minOneBatch: true, isolation: 'read_uncommitted', currentLeaderEpoch: -1 });
    if (read.errorCode !== 0) throw new Error(`reading ${handle.topic}-${handle.partition} at ${offset} failed with error ${read.errorCode}`);
    if (read.records.length === 0) break;
    let next = offset;
    for (const view of scanBatches(read.records, { allowPartialTail: true })) {
      const batch = await decodeRecordBatch(view);
      if (batch.control) {
        const type = decodeControlKey(batch.records[0]?.key ?? null).type;
        if ((type === 'commit' || type === 'abort') && batch.baseOffset >= offset) visitor.marker?.(batch.producerId, type === 'commit');
      } else {
        const pid = batch.transactional ? batch.producerId : null;
        for (const rec of batch.records) {
          if (rec.offset >= offset && rec.key !== null) visitor.record({ key: rec.key, value: rec.value }, pid);
        }
      }
      next = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
    }
    if (next <= offset) break;
    offset = next;
  }
}

/** A coordinator, or the error (then nodeId -1, host "" and port -1, as Kafka answers). */
export interface CoordinatorLookup {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export const coordinatorError = (errorCode: number, errorMessage: string): CoordinatorLookup => ({ errorCode, errorMessage, nodeId: -1, host: '', port: -1 });

/**
 * FindCoordinator for a key stored in an internal topic: the topic is created on first use (by
 * `ensureTopic`), then the leader of the key's partition (`partitionFor`, read after creation) is
 * the coordinator; COORDINATOR_NOT_AVAILABLE while there is none.
 */
export async function findInternalCoordinator(
  coordinator: Coordinator,
  topic: string,
  ensureTopic: () => Promise<void>,
  partitionFor: () => number,
  logger: { error(obj: object, msg: string): void },
): Promise<CoordinatorLookup> {
  const unavailable = coordinatorError(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  if (coordinator.topic(topic) === undefined) {
    try {
      await ensureTopic();
    } catch (err) {
      logger.error({ err }, `creating ${topic} failed`);
      return unavailable;
    }
  }
  const leader = coordinator.topic(topic)?.partitions[partitionFor()]?.leader ?? -1;
  const broker = coordinator.brokers().find((b) => b.nodeId === leader);
  return broker === undefined ? unavailable : { errorCode: 0, errorMessage: null, nodeId: broker.nodeId, host: broker.host, port: broker.port };
}
