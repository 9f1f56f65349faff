import type { Coordinator } from '@oxbow/controller';
import type { PartitionHandle } from '@oxbow/partition-actor';
import { decodeRecordBatch, encodeRecordBatch, KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import type { TopicAdmin } from '../broker/topic-admin.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** Java's String.hashCode (UTF-16 code units, 32-bit overflow), as Kafka hashes group ids. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's `Utils.abs`: INT_MIN maps to 0 rather than staying negative. */
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The `__consumer_offsets` partition that stores a group, and whose leader coordinates it. */
export function offsetsPartitionFor(groupId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}

export interface OffsetsTopicRecord {
  readonly key: Buffer;
  /** null = tombstone. */
  readonly value: Buffer | null;
}

/** Creates `__consumer_offsets` (compacted) unless it exists; true when this call created it. */
export async function ensureOffsetsTopic(coordinator: Coordinator, topics: TopicAdmin, numPartitions: number, replicationFactor: number): Promise<boolean> {
  if (coordinator.topic(OFFSETS_TOPIC) !== undefined) return false;
  const rf = Math.max(1, Math.min(replicationFactor, coordinator.brokers().length));
  const outcome = await topics.createTopic(
    {
      name: OFFSETS_TOPIC,
      numPartitions,
      replicationFactor: rf,
      assignments: [],
      configs: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'compression.type', value: 'producer' },
        { name: 'segment.bytes', value: String(100 * 1024 * 1024) },
      ],
    },
    false,
  );
  if (outcome.errorCode !== 0 && outcome.errorCode !== KafkaErrorCode.TOPIC_ALREADY_EXISTS) {
    throw new Error(`creating ${OFFSETS_TOPIC} failed: ${'errorMessage' in outcome ? outcome.errorMessage : outcome.errorCode}`);
  }
  return outcome.errorCode === 0;
}

/** Appends records as one batch with acks=all; resolves to the Kafka error code (0 = written). */
export async function appendGroupRecords(handle: PartitionHandle, records: readonly OffsetsTopicRecord[], nowMs: number): Promise<number> {
  if (records.length === 0) return 0;
  const batch = await encodeRecordBatch({ records: records.map((r) => ({ timestamp: BigInt(nowMs), key: r.key, value: r.value })) });
  const result = await handle.append(batch, -1);
  return result.errorCode;
}

/** Reads a whole partition from its log start to the high watermark, calling `onRecord` in order. */
export async function replayPartition(handle: PartitionHandle, onRecord: (record: OffsetsTopicRecord) => void): Promise<void> {
  let offset = handle.logStartOffset;
  const end = handle.highWatermark;
  while (offset < end) {
    const read = await handle.read({ offset, maxBytes: 1024 * 1024, minOneBatch: true, isolation: 'read_uncommitted', currentLeaderEpoch: -1 });
    if (read.errorCode !== 0) throw new Error(`reading ${OFFSETS_TOPIC}-${handle.partition} at ${offset} failed with error ${read.errorCode}`);
    if (read.records.length === 0) break;
    let next = offset;
    for (const view of scanBatches(read.records, { allowPartialTail: true })) {
      const batch = await decodeRecordBatch(view);
      if (!batch.control) {
        for (const rec of batch.records) {
          if (rec.offset >= offset && rec.key !== null) onRecord({ key: rec.key, value: rec.value });
        }
      }
      next = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
    }
    if (next <= offset) break;
    offset = next;
  }
}
