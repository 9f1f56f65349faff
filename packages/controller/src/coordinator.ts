import type { ManifestStore } from './manifest.js';

/**
 * The cluster's source of truth (BRIEF §2, §7): brokers, topics, partition assignment, leaders with
 * epochs, topic configs. Two implementations pass one conformance suite
 * (`describeCoordinator` in `@oxbow/controller/testing`): the embedded one (single node, persisted
 * in the data dir) and the etcd one (cluster issue).
 *
 * Reads are synchronous from the implementation's local view (kept current by its own writes and,
 * for etcd, by watches), so request handlers never wait on the coordinator to answer Metadata.
 * Writes are asynchronous and atomic: a write either fully happens or throws, and it is durable
 * before its promise resolves, by which time this coordinator's reads reflect it. Writes from one
 * coordinator are applied in call order; concurrent writes never interleave half-applied state.
 *
 * Everything returned (records, partition states, broker lists, event payloads) is an immutable
 * snapshot: later changes produce new objects and never mutate ones already handed out.
 */

/**
 * A live broker. Registration is bound to the registering coordinator's session (an etcd lease;
 * the process lifetime for the embedded coordinator): after a restart each broker registers again.
 */
export interface BrokerInfo {
  /** Kafka node id, a non-negative integer. */
  readonly nodeId: number;
  /** Advertised Kafka listener. */
  readonly host: string;
  readonly port: number;
  /** Rack (`broker.rack`), or null. Replica assignment spreads each partition across racks. */
  readonly rack: string | null;
  /** The node's gRPC endpoint (`host:port`) for replication and forwarding between nodes, when it has one. */
  readonly grpc?: string | null;
}

export interface PartitionState {
  readonly partition: number;
  /** Assigned replicas, preferred leader first; distinct node ids. */
  readonly replicas: readonly number[];
  /** Current leader, or -1 when none is available; otherwise a member of `replicas` and of `isr`. */
  readonly leader: number;
  /** Bumped on every leader change; fences stale leaders and clients. Never decreases. */
  readonly leaderEpoch: number;
  /** In-sync replicas: distinct members of `replicas`. */
  readonly isr: readonly number[];
}

export interface TopicRecord {
  /** Kafka topic name: 1–249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`. */
  readonly name: string;
  /**
   * Kafka topic id (random UUID v4, canonical 8-4-4-4-12 lowercase hex). Never the all-zero UUID,
   * unique in the cluster, fixed for the topic's life; a topic deleted and created again gets a new id.
   */
  readonly topicId: string;
  /** Partitions in order: `partitions[i].partition === i`. */
  readonly partitions: readonly PartitionState[];
  /** Configs explicitly set on the topic (strings, as Kafka stores them); defaults are not stored. */
  readonly configs: Readonly<Record<string, string>>;
}

export interface CreateTopicRequest {
  readonly name: string;
  /** Partition count ≥ 1; with `assignments` it must be `assignments.length` or -1. */
  readonly partitions: number;
  /** Replicas per partition ≥ 1; with `assignments` it must be each list's length or -1. */
  readonly replicationFactor: number;
  /** Stored as given. The coordinator does not validate config keys or values (the caller does). */
  readonly configs: Readonly<Record<string, string>>;
  /**
   * Explicit replica lists per partition (CreateTopics `assignments`), index = partition: non-empty,
   * all the same length, distinct registered brokers each. Otherwise the coordinator assigns.
   */
  readonly assignments?: readonly (readonly number[])[];
}

/**
 * A committed change, delivered to `watch` listeners after it is durable, in commit order. When a
 * listener runs, reads already reflect the change (and nothing committed after it, for the
 * embedded coordinator).
 */
export type CoordinatorEvent =
  | { readonly type: 'topic-created'; readonly topic: TopicRecord }
  /** `topic` is the record as it was just before deletion. */
  | { readonly type: 'topic-deleted'; readonly topic: TopicRecord }
  /** Configs, partition count or a partition's state changed; `topic` is the new record. */
  | { readonly type: 'topic-changed'; readonly topic: TopicRecord }
  /** `brokers` is the full new list, as `brokers()` returns it. */
  | { readonly type: 'brokers-changed'; readonly brokers: readonly BrokerInfo[] };

/** A block of producer ids from `Coordinator.allocateProducerIds`. */
export interface ProducerIdBlock {
  readonly first: bigint;
  readonly count: number;
}

/**
 * Errors are `KafkaApiError`s from @oxbow/protocol carrying Kafka's code: TOPIC_ALREADY_EXISTS,
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_REQUEST (a malformed partition
 * state), and for coordinator outages a retriable code (e.g. REQUEST_TIMED_OUT). Lifecycle misuse
 * (a call before `start` or a write after `close`) and local I/O failures throw other errors.
 */
export interface Coordinator extends ManifestStore {
  /** Cluster id, stable across restarts. Available once `start` has resolved. */
  readonly clusterId: string;

  /** Loads or creates state; must be called (once) before anything else. */
  start(): Promise<void>;
  /** Lets accepted writes finish, then stops; later writes reject. Idempotent. */
  close(): Promise<void>;

  /**
   * Registers a broker as live, or updates it (host, port, rack) when its node id is already
   * registered. Normally a node registers itself; tests and tools may register others.
   */
  registerBroker(info: BrokerInfo): Promise<void>;
  /** Live brokers, by node id. */
  brokers(): readonly BrokerInfo[];
  /** Node id of the active controller, or -1. */
  controllerId(): number;

  /**
   * Creates a topic with a fresh topic id. Without explicit assignments, replicas come from the
   * live brokers: distinct within a partition, spread across racks when racks are set, and
   * balanced by the number of replicas (then preferred leaderships) each broker already holds,
   * round-robin from an offset that varies per topic. Each partition starts with leader = first
   * live replica (or -1), leaderEpoch 0 and isr = its live replicas.
   */
  createTopic(request: CreateTopicRequest): Promise<TopicRecord>;
  /** Deletes a topic by name; returns the record as it was. */
  deleteTopic(name: string): Promise<TopicRecord>;
  /** Replaces the topic's explicitly set configs (keys not in `configs` are removed). */
  setTopicConfigs(name: string, configs: Readonly<Record<string, string>>): Promise<TopicRecord>;
  /**
   * Grows the topic to `totalCount` partitions (never shrinks: INVALID_PARTITIONS). New partitions
   * keep the topic's replication factor and are assigned like `createTopic`'s, or take
   * `assignments`: one replica list per new partition.
   */
  createPartitions(name: string, totalCount: number, assignments?: readonly (readonly number[])[]): Promise<TopicRecord>;
  /**
   * Changes a partition's leader/ISR/replicas if its current leader epoch is still
   * `expectedLeaderEpoch` (compare-and-swap). Returns the new state, or null when the epoch moved
   * on (nothing is written then). `next.leaderEpoch` must be greater than the current epoch when
   * the leader changes and not less otherwise; `next` must satisfy PartitionState's invariants and
   * name only registered brokers as new replicas (else INVALID_REQUEST / INVALID_REPLICA_ASSIGNMENT).
   *
   * The CAS is on the leader epoch only: two updates with the same epoch that keep the leader (ISR
   * changes) both succeed, the later one winning. Callers must therefore let only the current
   * leader change the ISR within an epoch.
   */
  updatePartition(
    topic: string,
    partition: number,
    expectedLeaderEpoch: number,
    next: Omit<PartitionState, 'partition'>,
  ): Promise<PartitionState | null>;

  /**
   * Allocates `count` (≥ 1) producer ids (Kafka's AllocateProducerIds): a contiguous block
   * `[first, first + count)` that no earlier call, by any broker and across restarts, returned or
   * will return. Blocks handed out are strictly increasing, start at 0, and are durable before the
   * promise resolves (an id is never reused even if the caller crashes before using it).
   */
  allocateProducerIds(count: number): Promise<ProducerIdBlock>;

  topic(name: string): TopicRecord | undefined;
  topicById(topicId: string): TopicRecord | undefined;
  /** All topics, sorted by name. */
  topics(): readonly TopicRecord[];

  /**
   * Calls `listener` for every change committed after this call; returns an unsubscribe function
   * (idempotent). A listener that throws does not affect other listeners or the coordinator.
   */
  watch(listener: (event: CoordinatorEvent) => void): () => void;
}
