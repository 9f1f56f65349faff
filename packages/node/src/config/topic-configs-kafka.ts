// Kafka's own topic-level configs: every key a 3.x or 4.0 broker accepts at CreateTopics or
// AlterConfigs, with Kafka's types, defaults, bounds and broker-level fallbacks. Facts from Kafka's
// LogConfig/TopicConfig/ServerTopicConfigSynonyms; the docs are ours. Where 3.x and 4.0 differ we
// accept the union (older tools still send the removed keys) and use 4.0's defaults.
import { atLeast, between, custom, listOf, NO_VALIDATOR, oneOf, type ConfigKeyDef } from './config-def.js';

const LONG_MAX = '9223372036854775807';

/** Kafka's throttled-replica list: `*`, or `partition:broker` pairs. */
function throttledReplicas(name: string): (value: string) => string | null {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    if (items.join('') === '*' || items.every((s) => /^(\d+:\d+)?$/.test(s))) return null;
    return `${name} must be the literal '*' or a list of replicas in the form partitionId:brokerId,partitionId:brokerId,...`;
  };
}

/** Kafka's message format versions look like 2.8, 3.0-IV1, 0.10.2. */
function metadataVersion(value: string): string | null {
  return /^\d+\.\d+(\.\d+)?(-IV\d+)?$/.test(value) ? null : 'Not a Kafka version such as 3.0-IV1';
}

/** Gzip accepts 1..9, or -1 for zlib's own default. */
function gzipLevel(value: string): string | null {
  const n = Number(value);
  return n === -1 || (n >= 1 && n <= 9) ? null : 'Value must be between 1 and 9 or equal to -1';
}

/** Every topic config Kafka defines. */
export const KAFKA_TOPIC_CONFIGS = {
  'cleanup.policy': {
    type: 'list', default: 'delete', validator: listOf('compact', 'delete'),
    doc: 'What happens to old data: delete whole segments past retention, compact to the latest record per key, or both.',
    brokerSynonyms: [{ name: 'log.cleanup.policy' }],
  },
  'compression.type': {
    type: 'string', default: 'producer', validator: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
    doc: 'Codec batches are stored with; producer keeps whatever the producer sent, uncompressed stores them plain.',
    brokerSynonyms: [{ name: 'compression.type' }],
  },
  'compression.gzip.level': {
    type: 'int', default: '-1', validator: custom('[1,...,9] or -1', gzipLevel),
    doc: 'Gzip level used when the broker itself compresses to gzip (-1 = the library default).',
    brokerSynonyms: [{ name: 'compression.gzip.level' }],
  },
  'compression.lz4.level': {
    type: 'int', default: '9', validator: between(1, 17),
    doc: 'LZ4 level used when the broker itself compresses to lz4.',
    brokerSynonyms: [{ name: 'compression.lz4.level' }],
  },
  'compression.zstd.level': {
    type: 'int', default: '3', validator: between(-131072, 22),
    doc: 'Zstandard level used when the broker itself compresses to zstd.',
    brokerSynonyms: [{ name: 'compression.zstd.level' }],
  },
  'delete.retention.ms': {
    type: 'long', default: '86400000', validator: atLeast(0n),
    doc: 'How long tombstones survive in a compacted topic, so slow consumers still see the deletion.',
    brokerSynonyms: [{ name: 'log.cleaner.delete.retention.ms' }],
  },
  'file.delete.delay.ms': {
    type: 'long', default: '60000', validator: atLeast(0n),
    doc: 'Grace period between dropping a segment from the log and deleting its files.',
    brokerSynonyms: [{ name: 'log.segment.delete.delay.ms' }],
  },
  'flush.messages': {
    type: 'long', default: LONG_MAX, validator: atLeast(1n),
    doc: 'Force an fsync after this many records; the default leaves durability to replication.',
    brokerSynonyms: [{ name: 'log.flush.interval.messages' }],
  },
  'flush.ms': {
    type: 'long', default: LONG_MAX, validator: atLeast(0n),
    doc: 'Force an fsync when data has waited this long; the default leaves durability to replication.',
    brokerSynonyms: [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
  },
  'follower.replication.throttled.replicas': {
    type: 'list', default: '', validator: custom('[partitionId]:[brokerId],... or *', throttledReplicas('follower.replication.throttled.replicas')),
    doc: 'Replicas whose follower-side replication is throttled: partition:broker pairs, or * for all.',
    brokerSynonyms: [],
  },
  'index.interval.bytes': {
    type: 'int', default: '4096', validator: atLeast(0),
    doc: 'Bytes of log between two offset-index entries; smaller means denser indexes and shorter scans.',
    brokerSynonyms: [{ name: 'log.index.interval.bytes' }],
  },
  'leader.replication.throttled.replicas': {
    type: 'list', default: '', validator: custom('[partitionId]:[brokerId],... or *', throttledReplicas('leader.replication.throttled.replicas')),
    doc: 'Replicas whose leader-side replication is throttled: partition:broker pairs, or * for all.',
    brokerSynonyms: [],
  },
  'local.retention.bytes': {
    type: 'long', default: '-2', validator: atLeast(-2n),
    doc: 'Per-partition bytes kept on local disk once segments are in the object store (-2 = retention.bytes, -1 = unlimited).',
    brokerSynonyms: [{ name: 'log.local.retention.bytes' }],
  },
  'local.retention.ms': {
    type: 'long', default: '-2', validator: atLeast(-2n),
    doc: 'How long segments stay on local disk once they are in the object store (-2 = retention.ms, -1 = forever).',
    brokerSynonyms: [{ name: 'log.local.retention.ms' }],
  },
  'max.compaction.lag.ms': {
    type: 'long', default: LONG_MAX, validator: atLeast(1n),
    doc: 'Longest a record may stay uncompacted in a compacted topic.',
    brokerSynonyms: [{ name: 'log.cleaner.max.compaction.lag.ms' }],
  },
  'max.message.bytes': {
    type: 'int', default: '1048588', validator: atLeast(0),
    doc: 'Largest record batch (after compression) the topic accepts.',
    brokerSynonyms: [{ name: 'message.max.bytes' }],
  },
  'message.downconversion.enable': {
    type: 'boolean', default: 'true', validator: NO_VALIDATOR, deprecated: true,
    doc: 'Deprecated and ignored: batches are never down-converted for old fetch versions.',
    brokerSynonyms: [{ name: 'log.message.downconversion.enable' }],
  },
  'message.format.version': {
    type: 'string', default: '3.0-IV1', validator: custom('a Kafka version such as 3.0-IV1', metadataVersion),
    deprecated: true, removedIn: '4.0',
    doc: 'Removed in Kafka 4.0 and ignored: record batches are always format v2.',
    brokerSynonyms: [{ name: 'log.message.format.version' }],
  },
  'message.timestamp.after.max.ms': {
    type: 'long', default: '3600000', validator: atLeast(0n),
    doc: 'With CreateTime, reject batches whose timestamp is further than this in the future.',
    brokerSynonyms: [{ name: 'log.message.timestamp.after.max.ms' }],
  },
  'message.timestamp.before.max.ms': {
    type: 'long', default: LONG_MAX, validator: atLeast(0n),
    doc: 'With CreateTime, reject batches whose timestamp is further than this in the past.',
    brokerSynonyms: [{ name: 'log.message.timestamp.before.max.ms' }],
  },
  'message.timestamp.difference.max.ms': {
    type: 'long', default: LONG_MAX, validator: atLeast(0n), deprecated: true, removedIn: '4.0',
    doc: 'Removed in Kafka 4.0 and ignored: use message.timestamp.before.max.ms and message.timestamp.after.max.ms.',
    brokerSynonyms: [{ name: 'log.message.timestamp.difference.max.ms' }],
  },
  'message.timestamp.type': {
    type: 'string', default: 'CreateTime', validator: oneOf('CreateTime', 'LogAppendTime'),
    doc: "Whose clock stamps records: the producer's (CreateTime) or the broker's on append (LogAppendTime).",
    brokerSynonyms: [{ name: 'log.message.timestamp.type' }],
  },
  'min.cleanable.dirty.ratio': {
    type: 'double', default: '0.5', validator: between(0, 1),
    doc: 'Share of a compacted log that must be uncompacted before the cleaner runs on it.',
    brokerSynonyms: [{ name: 'log.cleaner.min.cleanable.ratio' }],
  },
  'min.compaction.lag.ms': {
    type: 'long', default: '0', validator: atLeast(0n),
    doc: 'Youngest a record may be and still be compacted away.',
    brokerSynonyms: [{ name: 'log.cleaner.min.compaction.lag.ms' }],
  },
  'min.insync.replicas': {
    type: 'int', default: '1', validator: atLeast(1),
    doc: 'Replicas that must hold a batch before an acks=all produce succeeds.',
    brokerSynonyms: [{ name: 'min.insync.replicas' }],
  },
  'preallocate': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: 'Reserve disk space for a whole segment when it is created.',
    brokerSynonyms: [{ name: 'log.preallocate' }],
  },
  'remote.log.copy.disable': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: 'For a tiered topic, stop uploading new segments while keeping what is already in the object store readable.',
    brokerSynonyms: [],
  },
  'remote.log.delete.on.disable': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: 'Confirms that turning remote.storage.enable off may delete the uploaded segments.',
    brokerSynonyms: [],
  },
  'remote.storage.enable': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: "Kafka's tiered-storage switch; Oxbow accepts true only on storage.mode=tiered topics.",
    brokerSynonyms: [],
  },
  'retention.bytes': {
    type: 'long', default: '-1', validator: NO_VALIDATOR,
    doc: 'Per-partition size above which the oldest segments are deleted (-1 = no size limit).',
    brokerSynonyms: [{ name: 'log.retention.bytes' }],
  },
  'retention.ms': {
    type: 'long', default: '604800000', validator: atLeast(-1n),
    doc: 'Age after which segments are deleted (-1 = keep forever).',
    brokerSynonyms: [{ name: 'log.retention.ms' }, { name: 'log.retention.minutes', unit: 'minutes' }, { name: 'log.retention.hours', unit: 'hours' }],
  },
  'segment.bytes': {
    type: 'int', default: '1073741824', validator: between(14, 1073741824),
    doc: 'Size at which the active segment is rolled; at most 1 GiB because positions in a segment are 32-bit.',
    brokerSynonyms: [{ name: 'log.segment.bytes' }],
  },
  'segment.index.bytes': {
    type: 'int', default: '10485760', validator: atLeast(4),
    doc: 'Size preallocated for each offset and time index.',
    brokerSynonyms: [{ name: 'log.index.size.max.bytes' }],
  },
  'segment.jitter.ms': {
    type: 'long', default: '0', validator: atLeast(0n),
    doc: 'Random amount subtracted from segment.ms per segment so partitions do not all roll at once.',
    brokerSynonyms: [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', unit: 'hours' }],
  },
  'segment.ms': {
    type: 'long', default: '604800000', validator: atLeast(1n),
    doc: 'Age at which the active segment is rolled even if it is not full, so retention can act on it.',
    brokerSynonyms: [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', unit: 'hours' }],
  },
  'unclean.leader.election.enable': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: 'Allow an out-of-sync replica to become leader when no in-sync one is left, at the cost of losing records.',
    brokerSynonyms: [{ name: 'unclean.leader.election.enable' }],
  },
} as const satisfies Record<string, ConfigKeyDef>;
