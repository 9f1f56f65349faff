// Every broker-level setting `oxbow start` accepts through `--set KEY=VALUE`, `OXBOW_SET_KEY` or the
// config file's `settings:` map: Kafka's node-level keys the broker uses, the cluster-wide defaults
// of topic configs (broker-settings-log.ts), and the cluster-wide defaults of Oxbow's diskless and
// tiered topic configs (same names as the topic keys).
import { atLeast, between, custom, NO_VALIDATOR, oneOf, type SettingDef } from './config-def.js';
import { BROKER_LOG_SETTINGS } from './broker-settings-log.js';
import { OXBOW_TOPIC_CONFIGS } from './topic-configs-oxbow.js';

const INT_MAX = '2147483647';

function unlimitedOrPositive(value: string): string | null {
  const n = BigInt(value);
  return n === -1n || n >= 1n ? null : 'Value must be -1 (unlimited) or at least 1';
}

/** Node-level Kafka settings: connections, requests, groups, offsets, transactions, replication. */
export const BROKER_NODE_SETTINGS = {
  'auto.create.topics.enable': {
    type: 'boolean', default: 'true', validator: NO_VALIDATOR, doc: 'Create a topic when a client asks for metadata or produces to one that does not exist.',
  },
  'connections.max.idle.ms': {
    type: 'long', default: '600000', validator: NO_VALIDATOR, doc: 'Close client connections idle for longer than this.',
  },
  'default.replication.factor': {
    type: 'int', default: '1', validator: atLeast(1), doc: 'Replication factor of auto-created topics and of CreateTopics requests that leave it at -1.',
  },
  'delete.topic.enable': {
    type: 'boolean', default: 'true', validator: NO_VALIDATOR, doc: 'Allow DeleteTopics; when false it fails with TOPIC_DELETION_DISABLED.',
  },
  'fetch.max.bytes': {
    type: 'int', default: '57671680', validator: atLeast(1024), doc: 'Cap on the bytes one Fetch response carries, whatever the client asks for.',
  },
  'group.initial.rebalance.delay.ms': {
    type: 'int', default: '3000', validator: NO_VALIDATOR, doc: 'How long a new classic group waits for more members before its first rebalance.',
  },
  'group.max.session.timeout.ms': {
    type: 'int', default: '1800000', validator: NO_VALIDATOR, doc: 'Largest session timeout a group member may ask for.',
  },
  'group.max.size': {
    type: 'int', default: INT_MAX, validator: atLeast(1), doc: 'Most members a consumer group may have.',
  },
  'group.min.session.timeout.ms': {
    type: 'int', default: '6000', validator: NO_VALIDATOR, doc: 'Smallest session timeout a group member may ask for.',
  },
  'log.retention.check.interval.ms': {
    type: 'long', default: '300000', validator: atLeast(1n), doc: 'How often partitions are checked for segments past retention.',
  },
  'max.connections': {
    type: 'int', default: INT_MAX, validator: atLeast(0), doc: 'Most client connections the node accepts at once.',
  },
  'max.connections.per.ip': {
    type: 'int', default: INT_MAX, validator: atLeast(0), doc: 'Most client connections the node accepts from one address.',
  },
  'max.incremental.fetch.session.cache.slots': {
    type: 'int', default: '1000', validator: atLeast(0), doc: 'Incremental fetch sessions the node keeps (0 disables fetch sessions).',
  },
  'num.partitions': {
    type: 'int', default: '1', validator: atLeast(1), doc: 'Partition count of auto-created topics and of CreateTopics requests that leave it at -1.',
  },
  'offset.metadata.max.bytes': {
    type: 'int', default: '4096', validator: atLeast(0), doc: 'Largest metadata string an offset commit may carry.',
  },
  'offsets.retention.check.interval.ms': {
    type: 'long', default: '600000', validator: atLeast(1n), doc: 'How often expired committed offsets are looked for.',
  },
  'offsets.retention.minutes': {
    type: 'int', default: '10080', validator: atLeast(1), doc: 'How long committed offsets of an empty group are kept.',
  },
  'offsets.topic.num.partitions': {
    type: 'int', default: '50', validator: atLeast(1), doc: 'Partitions of __consumer_offsets, which shard the group coordinators.',
  },
  'offsets.topic.replication.factor': {
    type: 'int', default: '3', validator: between(1, 32767), doc: 'Replication factor of __consumer_offsets, capped at the number of registered nodes.',
  },
  'oxbow.client.routing': {
    type: 'string', default: 'leader', validator: oneOf('leader', 'local'),
    doc: 'leader: Metadata names each partition leader, as Kafka does. local: this node names itself leader of every partition and forwards produce, fetch and offset lookups to the real leader over gRPC (clients that can reach only this node). Groups and transactions still use their coordinators.',
  },
  'oxbow.diskless.buffer.max.bytes': {
    type: 'long', default: '268435456', validator: atLeast(1n),
    doc: 'Bytes all diskless partitions of the node may hold before their flush commits; appends then wait, and fail with a retriable error after 30 s (default 256 MiB).',
  },
  'oxbow.diskless.compaction.interval.ms': {
    type: 'long', default: '30000', validator: atLeast(1n), doc: 'How often the node compacts the diskless partitions it leads into lake-layout Parquet (default 30 s).',
  },
  'oxbow.diskless.compaction.min.bytes': {
    type: 'long', default: '67108864', validator: atLeast(1n), doc: 'Uncompacted flush bytes of a partition that trigger its compaction (default 64 MiB).',
  },
  'oxbow.diskless.compaction.max.age.ms': {
    type: 'long', default: '300000', validator: atLeast(0n), doc: 'Age of the oldest uncompacted flush slice that triggers compaction regardless of size (default 5 min).',
  },
  'oxbow.diskless.gc.grace.ms': {
    type: 'long', default: '600000', validator: atLeast(1000n),
    doc: 'Flush objects no manifest references are deleted once this old (default 10 min); a commit still retrying at half of it uploads its object again.',
  },
  'oxbow.etcd.max.txn.ops': {
    type: 'int', default: '128', validator: atLeast(16),
    doc: "etcd's --max-txn-ops of the cluster's etcd (default 128, etcd's default): bounds partitions per topic write and per diskless manifest commit (half of it).",
  },
  'producer.id.expiration.ms': {
    type: 'int', default: '86400000', validator: atLeast(1), doc: 'How long idempotent producer state is kept after its last write.',
  },
  'queued.max.request.bytes': {
    type: 'long', default: '268435456', validator: custom('-1 or [1,...]', unlimitedOrPositive),
    doc: 'Node-wide cap on bytes of requests read but not yet answered; sockets pause above it (default 256 MiB, -1 = no cap).',
  },
  'replica.fetch.max.bytes': {
    type: 'int', default: '1048576', validator: atLeast(0), doc: 'Bytes a follower asks for per partition in one replication fetch.',
  },
  'replica.fetch.wait.max.ms': {
    type: 'int', default: '500', validator: NO_VALIDATOR, doc: 'Longest a replication fetch waits for new data.',
  },
  'replica.lag.time.max.ms': {
    type: 'long', default: '30000', validator: NO_VALIDATOR, doc: 'A follower that has not caught up for this long leaves the ISR.',
  },
  'socket.request.max.bytes': {
    type: 'int', default: '104857600', validator: atLeast(1), doc: 'Largest request frame accepted; bigger ones close the connection.',
  },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': {
    type: 'int', default: '10000', validator: atLeast(1), doc: 'How often transactions past their timeout are looked for and aborted.',
  },
  'transaction.max.timeout.ms': {
    type: 'int', default: '900000', validator: atLeast(1), doc: 'Largest transaction timeout a producer may ask for in InitProducerId.',
  },
  'transaction.state.log.num.partitions': {
    type: 'int', default: '50', validator: atLeast(1), doc: 'Partitions of the transaction state, which shard the transaction coordinators.',
  },
  'transaction.state.log.replication.factor': {
    type: 'int', default: '3', validator: between(1, 32767), doc: 'Replication factor of __transaction_state, capped at the number of registered nodes.',
  },
  'transaction.state.log.segment.bytes': {
    type: 'int', default: '104857600', validator: atLeast(1), doc: 'Segment size of __transaction_state.',
  },
  'transactional.id.expiration.ms': {
    type: 'int', default: '604800000', validator: atLeast(1), doc: 'How long a transactional id without activity is remembered.',
  },
} as const satisfies Record<string, SettingDef>;

/** Cluster-wide defaults of Oxbow topic configs: the same key set at broker level. */
export const BROKER_OXBOW_SETTINGS = {
  'diskless.flush.interval.ms': OXBOW_TOPIC_CONFIGS['diskless.flush.interval.ms'],
  'diskless.flush.bytes': OXBOW_TOPIC_CONFIGS['diskless.flush.bytes'],
  'diskless.flush.records': OXBOW_TOPIC_CONFIGS['diskless.flush.records'],
  'diskless.format': OXBOW_TOPIC_CONFIGS['diskless.format'],
  'diskless.compression': OXBOW_TOPIC_CONFIGS['diskless.compression'],
  'diskless.ack.mode': OXBOW_TOPIC_CONFIGS['diskless.ack.mode'],
  'diskless.read.cache.bytes': OXBOW_TOPIC_CONFIGS['diskless.read.cache.bytes'],
  'tiered.warm.age.ms': OXBOW_TOPIC_CONFIGS['tiered.warm.age.ms'],
  'tiered.cold.age.ms': OXBOW_TOPIC_CONFIGS['tiered.cold.age.ms'],
  'tiered.archive.interval.ms': OXBOW_TOPIC_CONFIGS['tiered.archive.interval.ms'],
} as const satisfies Record<string, SettingDef>;

/** Every broker-level setting, by Kafka-style name. */
export const BROKER_SETTINGS = { ...BROKER_NODE_SETTINGS, ...BROKER_LOG_SETTINGS, ...BROKER_OXBOW_SETTINGS } as const satisfies Record<string, SettingDef>;

/** A broker-level setting name. */
export type BrokerSettingName = keyof typeof BROKER_SETTINGS;

/** Every broker-level setting name, sorted. */
export const BROKER_SETTING_NAMES: readonly BrokerSettingName[] = (Object.keys(BROKER_SETTINGS) as BrokerSettingName[]).sort();

/** True when `name` is a broker-level setting. */
export function isBrokerSettingName(name: string): name is BrokerSettingName {
  return Object.hasOwn(BROKER_SETTINGS, name);
}

/** The definition of a broker-level setting, or undefined for an unknown name. */
export function brokerSettingDef(name: string): SettingDef | undefined {
  return isBrokerSettingName(name) ? BROKER_SETTINGS[name] : undefined;
}

/**
 * The parsed value type of a setting or topic config definition: int/double → number,
 * long → bigint, boolean → boolean, list → string array (of the allowed literals for listOf),
 * oneOf strings → their union, else string; `| null` when the key has no default.
 */
export type ValueOfDef<D> = NullableIfNoDefault<D, D extends { readonly type: 'int' | 'double' }
  ? number
  : D extends { readonly type: 'long' }
    ? bigint
    : D extends { readonly type: 'boolean' }
      ? boolean
      : D extends { readonly type: 'list'; readonly validator: { readonly kind: 'listOf'; readonly values: readonly (infer V)[] } }
        ? readonly V[]
        : D extends { readonly type: 'list' }
          ? readonly string[]
          : D extends { readonly validator: { readonly kind: 'oneOf'; readonly values: readonly (infer V)[] } }
            ? V
            : string>;

type NullableIfNoDefault<D, V> = D extends { readonly default: null } ? V | null : V;

/** Typed values of every broker-level setting (explicit or default), keyed by Kafka name. */
export type BrokerSettings = { readonly [K in BrokerSettingName]: ValueOfDef<(typeof BROKER_SETTINGS)[K]> };

