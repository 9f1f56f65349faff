import type { Coordinator } from '@oxbow/controller';
import type { TopicAdmin } from '../broker/topic-admin.js';
import { coordinatorPartitionFor, ensureInternalTopic, type InternalRecord } from '../internal/internal-topic.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** The `__consumer_offsets` partition that stores a group, and whose leader coordinates it. */
export function offsetsPartitionFor(groupId: string, numPartitions: number): number {
  return coordinatorPartitionFor(groupId, numPartitions);
}

export type OffsetsTopicRecord = InternalRecord;

/** Creates `__consumer_offsets` (compacted) unless it exists; true when this call created it. */
export function ensureOffsetsTopic(coordinator: Coordinator, topics: TopicAdmin, numPartitions: number, replicationFactor: number): Promise<boolean> {
  return ensureInternalTopic(coordinator, topics, OFFSETS_TOPIC, numPartitions, replicationFactor, 100 * 1024 * 1024);
}
