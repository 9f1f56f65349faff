// Broker-level settings that are the cluster-wide defaults of topic configs (the brokerSynonyms of
// the topic table), with Kafka's broker names, types and defaults. A key with a null default has
// none of its own and defers to the next synonym (log.retention.ms → minutes → hours).
import { atLeast, between, listOf, NO_VALIDATOR, oneOf, type SettingDef } from './config-def.js';
import { KAFKA_TOPIC_CONFIGS } from './topic-configs-kafka.js';

const LONG_MAX = '9223372036854775807';

/** Kafka's broker-level defaults for topic configs. */
export const BROKER_LOG_SETTINGS = {
  'compression.type': KAFKA_TOPIC_CONFIGS['compression.type'],
  'compression.gzip.level': KAFKA_TOPIC_CONFIGS['compression.gzip.level'],
  'compression.lz4.level': KAFKA_TOPIC_CONFIGS['compression.lz4.level'],
  'compression.zstd.level': KAFKA_TOPIC_CONFIGS['compression.zstd.level'],
  'min.insync.replicas': KAFKA_TOPIC_CONFIGS['min.insync.replicas'],
  'unclean.leader.election.enable': KAFKA_TOPIC_CONFIGS['unclean.leader.election.enable'],
  'log.cleanup.policy': {
    type: 'list', default: 'delete', validator: listOf('compact', 'delete'),
    doc: 'Default cleanup.policy of topics.',
  },
  'log.cleaner.delete.retention.ms': {
    type: 'long', default: '86400000', validator: atLeast(0n), doc: 'Default delete.retention.ms of topics.',
  },
  'log.cleaner.max.compaction.lag.ms': {
    type: 'long', default: LONG_MAX, validator: atLeast(1n), doc: 'Default max.compaction.lag.ms of topics.',
  },
  'log.cleaner.min.cleanable.ratio': {
    type: 'double', default: '0.5', validator: between(0, 1), doc: 'Default min.cleanable.dirty.ratio of topics.',
  },
  'log.cleaner.min.compaction.lag.ms': {
    type: 'long', default: '0', validator: atLeast(0n), doc: 'Default min.compaction.lag.ms of topics.',
  },
  'log.flush.interval.messages': {
    type: 'long', default: LONG_MAX, validator: atLeast(1n), doc: 'Default flush.messages of topics.',
  },
  'log.flush.interval.ms': {
    type: 'long', default: null, validator: NO_VALIDATOR, doc: 'Default flush.ms of topics (unset: log.flush.scheduler.interval.ms).',
  },
  'log.flush.scheduler.interval.ms': {
    type: 'long', default: LONG_MAX, validator: NO_VALIDATOR, doc: 'How often logs are checked for a due flush; also flush.ms when log.flush.interval.ms is unset.',
  },
  'log.index.interval.bytes': {
    type: 'int', default: '4096', validator: atLeast(0), doc: 'Default index.interval.bytes of topics.',
  },
  'log.index.size.max.bytes': {
    type: 'int', default: '10485760', validator: atLeast(4), doc: 'Default segment.index.bytes of topics.',
  },
  'log.local.retention.bytes': {
    type: 'long', default: '-2', validator: atLeast(-2n), doc: 'Default local.retention.bytes of topics.',
  },
  'log.local.retention.ms': {
    type: 'long', default: '-2', validator: atLeast(-2n), doc: 'Default local.retention.ms of topics.',
  },
  'log.message.downconversion.enable': {
    type: 'boolean', default: 'true', validator: NO_VALIDATOR, doc: 'Deprecated and ignored (default message.downconversion.enable).',
  },
  'log.message.format.version': {
    type: 'string', default: '3.0-IV1', validator: NO_VALIDATOR, doc: 'Removed in Kafka 4.0 and ignored (default message.format.version).',
  },
  'log.message.timestamp.after.max.ms': {
    type: 'long', default: '3600000', validator: atLeast(0n), doc: 'Default message.timestamp.after.max.ms of topics.',
  },
  'log.message.timestamp.before.max.ms': {
    type: 'long', default: LONG_MAX, validator: atLeast(0n), doc: 'Default message.timestamp.before.max.ms of topics.',
  },
  'log.message.timestamp.difference.max.ms': {
    type: 'long', default: LONG_MAX, validator: atLeast(0n), doc: 'Removed in Kafka 4.0 and ignored (default message.timestamp.difference.max.ms).',
  },
  'log.message.timestamp.type': {
    type: 'string', default: 'CreateTime', validator: oneOf('CreateTime', 'LogAppendTime'), doc: 'Default message.timestamp.type of topics.',
  },
  'log.preallocate': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR, doc: 'Default preallocate of topics.',
  },
  'log.retention.bytes': {
    type: 'long', default: '-1', validator: NO_VALIDATOR, doc: 'Default retention.bytes of topics.',
  },
  'log.retention.ms': {
    type: 'long', default: null, validator: NO_VALIDATOR, doc: 'Default retention.ms of topics; wins over the minutes and hours forms (negative = forever).',
  },
  'log.retention.minutes': {
    type: 'int', default: null, validator: NO_VALIDATOR, doc: 'Default retention of topics in minutes, used when log.retention.ms is unset.',
  },
  'log.retention.hours': {
    type: 'int', default: '168', validator: NO_VALIDATOR, doc: 'Default retention of topics in hours, used when the ms and minutes forms are unset.',
  },
  'log.roll.ms': {
    type: 'long', default: null, validator: NO_VALIDATOR, doc: 'Default segment.ms of topics; wins over log.roll.hours.',
  },
  'log.roll.hours': {
    type: 'int', default: '168', validator: atLeast(1), doc: 'Default segment.ms of topics in hours, used when log.roll.ms is unset.',
  },
  'log.roll.jitter.ms': {
    type: 'long', default: null, validator: NO_VALIDATOR, doc: 'Default segment.jitter.ms of topics; wins over log.roll.jitter.hours.',
  },
  'log.roll.jitter.hours': {
    type: 'int', default: '0', validator: atLeast(0), doc: 'Default segment.jitter.ms of topics in hours, used when log.roll.jitter.ms is unset.',
  },
  'log.segment.bytes': {
    type: 'int', default: '1073741824', validator: between(14, 1073741824), doc: 'Default segment.bytes of topics (at most 1 GiB).',
  },
  'log.segment.delete.delay.ms': {
    type: 'long', default: '60000', validator: atLeast(0n), doc: 'Default file.delete.delay.ms of topics.',
  },
  'message.max.bytes': {
    type: 'int', default: '1048588', validator: atLeast(0), doc: 'Default max.message.bytes of topics: the largest record batch accepted.',
  },
} as const satisfies Record<string, SettingDef>;
