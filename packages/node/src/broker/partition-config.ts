import type { PartitionActorConfig } from '@oxbow/partition-actor';
import type { LogConfig } from '@oxbow/storage';
import type { TopicConfig } from '../config/index.js';

/** Kafka's "Long.MAX_VALUE means never" values, clamped to what a JS number holds exactly. */
export function ms(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** The local log's settings from a topic's effective configuration. */
export function logConfigOf(c: TopicConfig): LogConfig {
  return {
    segmentBytes: c.segmentBytes,
    segmentMs: ms(c.segmentMs),
    retentionMs: ms(c.retentionMs),
    retentionBytes: ms(c.retentionBytes),
    cleanupPolicy: c.cleanupPolicy.filter((p): p is 'delete' | 'compact' => p === 'delete' || p === 'compact'),
    indexIntervalBytes: c.indexIntervalBytes,
    flushMessages: ms(c.flushMessages),
    flushMs: ms(c.flushMs),
    deleteRetentionMs: ms(c.deleteRetentionMs),
    minCompactionLagMs: ms(c.minCompactionLagMs),
    minCleanableDirtyRatio: c.minCleanableDirtyRatio,
    fileDeleteDelayMs: ms(c.fileDeleteDelayMs),
  };
}

/** The partition actor's settings (batch validation, acks=all) from a topic's effective configuration. */
export function actorConfigOf(c: TopicConfig): PartitionActorConfig {
  return {
    maxMessageBytes: c.maxMessageBytes,
    timestampType: c.messageTimestampType === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    timestampBeforeMaxMs: ms(c.messageTimestampBeforeMaxMs),
    timestampAfterMaxMs: ms(c.messageTimestampAfterMaxMs),
    compacted: c.cleanupPolicy.includes('compact'),
    minInsyncReplicas: c.minInsyncReplicas,
  };
}
