/**
 * The single-node Coordinator used by `npm start` and tests: the whole cluster view lives in
 * memory and in one JSON file, `{dataDir}/coordinator/state.json`, rewritten atomically and
 * durably on every change. This node is always the controller. Diskless manifests change far more
 * often and live in an append-only journal next to it (EmbeddedManifests).
 *
 * Writes run one at a time through a promise chain: each validates against the state left by the
 * previous one, writes the file, then swaps the in-memory view and notifies listeners, and only
 * then resolves. A failed write (validation or disk) leaves state and listeners untouched.
 * Rewriting the whole file keeps this simple and is cheap at single-node scale (thousands of
 * partitions); the etcd coordinator writes per-key instead.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KafkaApiError } from '@oxbow/protocol';
import {
  assignReplicas,
  checkPartitionCount,
  newPartitionState,
  validateAssignments,
  validatePartitionUpdate,
} from './assignment.js';
import type { BrokerInfo, Coordinator, CoordinatorEvent, CreateTopicRequest, PartitionState, ProducerIdBlock, TopicRecord } from './coordinator.js';
import { CoordinatorError } from './coordinator-error.js';
import { EmbeddedManifests, type ManifestChange } from './embedded-manifests.js';
import { EventListeners } from './event-listeners.js';
import { isValidClusterId, newClusterId, newTopicId, topicCollisionKey, validateTopicName } from './identifiers.js';
import type { ManifestAppend, ManifestCommitResult, ManifestEntry, PartitionManifest } from './manifest.js';
import { checkConfigs, freezeBroker, freezePartition, freezeTopic, sameBroker, samePartitionState, validateBrokerInfo } from './records.js';
import { STATE_FILE_VERSION, readStateFile, tempPathOf, writeStateFile } from './state-file.js';

export interface EmbeddedCoordinatorOptions {
  /** The node's data directory; state lives in `{dataDir}/coordinator/state.json`. */
  readonly dataDir: string;
  /** This node's id; it is always the controller. */
  readonly nodeId: number;
  /**
   * Cluster id for a fresh data dir (default: 22 random base64url characters). With existing
   * state it must match the stored id, so a node cannot silently join another cluster's data.
   */
  readonly clusterId?: string;
  /** Receives errors thrown by watch listeners (default: a process warning). */
  readonly onListenerError?: (error: unknown, event: CoordinatorEvent) => void;
}

type Phase = 'new' | 'starting' | 'running' | 'closed';

/** What a write task decided; applied only after the new topics (if any) are durable. */
interface Commit<T> {
  readonly result: T;
  readonly topics?: ReadonlyMap<string, TopicRecord>;
  /** New broker list, sorted by node id. */
  readonly brokers?: readonly BrokerInfo[];
  /** New first unallocated producer id; persisted before the result is returned. */
  readonly nextProducerId?: bigint;
  /** A newly created cluster secret key (base64); persisted before the result is returned. */
  readonly secretKey?: string;
  /** A manifest change, journaled (after the state file, if that changes too) before it applies. */
  readonly manifest?: ManifestChange;
  readonly events: readonly CoordinatorEvent[];
}

/** Kafka's limit on one AllocateProducerIds block is far larger; this bounds a single call. */
const MAX_PRODUCER_ID_BLOCK = 1_000_000;

const NO_CHANGE = { result: undefined, events: [] } as const;

export class EmbeddedCoordinator implements Coordinator {
  readonly #nodeId: number;
  readonly #statePath: string;
  readonly #requestedClusterId: string | undefined;
  #phase: Phase = 'new';
  #startup: Promise<void> = Promise.resolve();
  /** Whether state has been loaded; reads need it, and stay possible after close. */
  #loaded = false;
  #clusterId = '';
  #topics: ReadonlyMap<string, TopicRecord> = new Map();
  #topicsById: ReadonlyMap<string, TopicRecord> = new Map();
  #sortedTopics: readonly TopicRecord[] = [];
  #brokers: readonly BrokerInfo[] = [];
  #nextProducerId = 0n;
  #secretKey: string | undefined;
  readonly #manifests: EmbeddedManifests;
  readonly #listeners: EventListeners;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: EmbeddedCoordinatorOptions) {
    if (typeof options.dataDir !== 'string' || options.dataDir.length === 0) throw new RangeError('EmbeddedCoordinator: dataDir must be a non-empty path.');
    if (!Number.isInteger(options.nodeId) || options.nodeId < 0) {
      throw new RangeError(`EmbeddedCoordinator: nodeId must be a non-negative integer, got ${options.nodeId}.`);
    }
    if (options.clusterId !== undefined && !isValidClusterId(options.clusterId)) {
      throw new RangeError(`EmbeddedCoordinator: clusterId must be 1-64 characters of [A-Za-z0-9_-], got ${JSON.stringify(options.clusterId)}.`);
    }
    this.#nodeId = options.nodeId;
    this.#statePath = join(options.dataDir, 'coordinator', 'state.json');
    this.#manifests = new EmbeddedManifests(dirname(this.#statePath));
    this.#requestedClusterId = options.clusterId;
    this.#listeners = new EventListeners(options.onListenerError ?? defaultListenerErrorReporter);
  }

  /** The state file this coordinator persists to. */
  get statePath(): string {
    return this.#statePath;
  }

  get clusterId(): string {
    this.#requireStarted();
    return this.#clusterId;
  }

  async start(): Promise<void> {
    if (this.#phase !== 'new') throw new CoordinatorError('lifecycle', `EmbeddedCoordinator.start() called twice (state: ${this.#phase}).`);
    this.#phase = 'starting';
    this.#startup = this.#load();
    try {
      await this.#startup;
      this.#loaded = true;
      this.#phase = 'running';
    } catch (error) {
      this.#phase = 'new';
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#phase === 'closed') return;
    if (this.#phase === 'starting') await this.#startup.catch(() => undefined);
    this.#phase = 'closed';
    await this.#tail;
    await this.#manifests.close();
    this.#listeners.clear();
  }

  async #load(): Promise<void> {
    // A leftover temp file is an interrupted write that never replaced the state file.
    await rm(tempPathOf(this.#statePath), { force: true });
    const loaded = await readStateFile(this.#statePath);
    if (loaded === undefined) {
      const clusterId = this.#requestedClusterId ?? newClusterId();
      await writeStateFile(this.#statePath, { version: STATE_FILE_VERSION, clusterId, topics: [] });
      this.#clusterId = clusterId;
      return;
    }
    if (this.#requestedClusterId !== undefined && this.#requestedClusterId !== loaded.clusterId) {
      throw new CoordinatorError(
        'cluster-id-mismatch',
        `Coordinator state file ${this.#statePath} belongs to cluster ${loaded.clusterId}, not the configured ${this.#requestedClusterId}.`,
      );
    }
    this.#clusterId = loaded.clusterId;
    this.#nextProducerId = BigInt(loaded.nextProducerId ?? '0');
    this.#secretKey = loaded.clusterSecretKey;
    this.#setTopics(new Map(loaded.topics.map((t) => [t.name, freezeTopic(t)])));
    await this.#manifests.load();
  }

  registerBroker(info: BrokerInfo): Promise<void> {
    return this.#enqueue((): Commit<undefined> => {
      validateBrokerInfo(info);
      const previous = this.#brokers.find((b) => b.nodeId === info.nodeId);
      if (previous !== undefined && sameBroker(previous, info)) return NO_CHANGE;
      const brokers = Object.freeze(
        [...this.#brokers.filter((b) => b.nodeId !== info.nodeId), freezeBroker(info)].sort((a, b) => a.nodeId - b.nodeId),
      );
      return { result: undefined, brokers, events: [{ type: 'brokers-changed', brokers }] };
    });
  }

  brokers(): readonly BrokerInfo[] {
    this.#requireStarted();
    return this.#brokers;
  }

  controllerId(): number {
    return this.#phase === 'running' ? this.#nodeId : -1;
  }

  createTopic(request: CreateTopicRequest): Promise<TopicRecord> {
    return this.#enqueue((): Commit<TopicRecord> => {
      const { name } = request;
      validateTopicName(name);
      if (this.#topics.has(name)) throw new KafkaApiError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
      const key = topicCollisionKey(name);
      for (const other of this.#topics.values()) {
        if (topicCollisionKey(other.name) === key) {
          throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${other.name}`);
        }
      }
      const configs = checkConfigs(request.configs);
      const replicaLists = this.#replicaListsFor(request);
      const live = this.#liveIds();
      const topicId = newTopicId((id) => this.#topicsById.has(id));
      const topic = freezeTopic({ name, topicId, partitions: replicaLists.map((r, i) => newPartitionState(i, r, live)), configs });
      return { result: topic, topics: withTopic(this.#topics, topic), events: [{ type: 'topic-created', topic }] };
    });
  }

  deleteTopic(name: string): Promise<TopicRecord> {
    return this.#enqueue((): Commit<TopicRecord> => {
      const topic = this.#existing(name);
      const topics = new Map(this.#topics);
      topics.delete(name);
      const manifest = this.#manifests.dropTopic(topic.topicId);
      return { result: topic, topics, ...(manifest === undefined ? {} : { manifest }), events: [{ type: 'topic-deleted', topic }] };
    });
  }

  setTopicConfigs(name: string, configs: Readonly<Record<string, string>>): Promise<TopicRecord> {
    return this.#enqueue((): Commit<TopicRecord> => {
      const current = this.#existing(name);
      const topic = freezeTopic({ ...current, configs: checkConfigs(configs) });
      return { result: topic, topics: withTopic(this.#topics, topic), events: [{ type: 'topic-changed', topic }] };
    });
  }

  createPartitions(name: string, totalCount: number, assignments?: readonly (readonly number[])[]): Promise<TopicRecord> {
    return this.#enqueue((): Commit<TopicRecord> => {
      const current = this.#existing(name);
      const have = current.partitions.length;
      if (!Number.isInteger(totalCount) || totalCount <= have) {
        throw new KafkaApiError('INVALID_PARTITIONS', `Topic currently has ${have} partitions, ${totalCount} would not be an increase.`);
      }
      const adding = totalCount - have;
      const replicationFactor = current.partitions[0]?.replicas.length ?? 1;
      const live = this.#liveIds();
      let replicaLists: readonly (readonly number[])[];
      if (assignments === undefined) {
        replicaLists = assignReplicas({
          brokers: this.#brokers,
          existing: this.#topics.values(),
          partitionCount: adding,
          replicationFactor,
          startOffset: randomInt(1_000_000),
        });
      } else {
        if (assignments.length !== adding) {
          throw new KafkaApiError(
            'INVALID_REPLICA_ASSIGNMENT',
            `Increasing the number of partitions by ${adding} but ${assignments.length} assignments provided.`,
          );
        }
        validateAssignments(assignments, live, { replicationFactor, firstPartition: have });
        replicaLists = assignments;
      }
      const added = replicaLists.map((r, i) => newPartitionState(have + i, r, live));
      const topic = freezeTopic({ ...current, partitions: [...current.partitions, ...added] });
      return { result: topic, topics: withTopic(this.#topics, topic), events: [{ type: 'topic-changed', topic }] };
    });
  }

  updatePartition(
    topicName: string,
    partition: number,
    expectedLeaderEpoch: number,
    next: Omit<PartitionState, 'partition'>,
  ): Promise<PartitionState | null> {
    return this.#enqueue((): Commit<PartitionState | null> => {
      const current = this.#existing(topicName);
      const state = Number.isInteger(partition) ? current.partitions[partition] : undefined;
      if (state === undefined) {
        throw new KafkaApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topicName}' has no partition ${partition}.`);
      }
      if (state.leaderEpoch !== expectedLeaderEpoch) return { result: null, events: [] };
      validatePartitionUpdate(state, next, this.#liveIds());
      if (samePartitionState(state, next)) return { result: state, events: [] };
      const updated = freezePartition({ ...next, partition: state.partition });
      const partitions = current.partitions.map((p) => (p.partition === partition ? updated : p));
      const topic = freezeTopic({ ...current, partitions });
      return { result: updated, topics: withTopic(this.#topics, topic), events: [{ type: 'topic-changed', topic }] };
    });
  }

  allocateProducerIds(count: number): Promise<ProducerIdBlock> {
    return this.#enqueue((): Commit<ProducerIdBlock> => {
      if (!Number.isInteger(count) || count < 1 || count > MAX_PRODUCER_ID_BLOCK) {
        throw new KafkaApiError('INVALID_REQUEST', `Producer id block size must be an integer in [1, ${MAX_PRODUCER_ID_BLOCK}], got ${count}.`);
      }
      const first = this.#nextProducerId;
      return { result: Object.freeze({ first, count }), nextProducerId: first + BigInt(count), events: [] };
    });
  }

  manifest(topicId: string, partition: number): PartitionManifest {
    this.#requireStarted();
    return this.#manifests.manifest(topicId, partition);
  }

  commitObject(appends: readonly ManifestAppend[]): Promise<ManifestCommitResult> {
    return this.#enqueue(() => ({ ...this.#manifests.commit(appends), events: [] }));
  }

  replaceManifestEntries(
    topicId: string,
    partition: number,
    expected: readonly Pick<ManifestEntry, 'baseOffset' | 'objectKey'>[],
    entries: readonly ManifestEntry[],
  ): Promise<boolean> {
    return this.#enqueue(() => ({ ...this.#manifests.replace(topicId, partition, expected, entries), events: [] }));
  }

  advanceManifestStart(topicId: string, partition: number, startOffset: bigint): Promise<readonly ManifestEntry[]> {
    return this.#enqueue(() => ({ ...this.#manifests.advance(topicId, partition, startOffset), events: [] }));
  }

  async clusterSecretKey(): Promise<Buffer> {
    const key = await this.#enqueue((): Commit<string> => {
      if (this.#secretKey !== undefined) return { result: this.#secretKey, events: [] };
      const created = randomBytes(32).toString('base64');
      return { result: created, secretKey: created, events: [] };
    });
    return Buffer.from(key, 'base64');
  }

  topic(name: string): TopicRecord | undefined {
    this.#requireStarted();
    return this.#topics.get(name);
  }

  topicById(topicId: string): TopicRecord | undefined {
    this.#requireStarted();
    return this.#topicsById.get(topicId);
  }

  topics(): readonly TopicRecord[] {
    this.#requireStarted();
    return this.#sortedTopics;
  }

  watch(listener: (event: CoordinatorEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Runs `task` after every earlier write; persists and publishes what it returns. */
  #enqueue<T>(task: () => Commit<T>): Promise<T> {
    if (this.#phase !== 'running') {
      const why = this.#phase === 'closed' ? 'has been closed' : 'has not been started; call start() first';
      return Promise.reject(new CoordinatorError('lifecycle', `The embedded coordinator ${why}.`));
    }
    const run = this.#tail.then(() => this.#apply(task));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #apply<T>(task: () => Commit<T>): Promise<T> {
    const commit = task();
    if (commit.topics !== undefined || commit.nextProducerId !== undefined || commit.secretKey !== undefined) {
      const next = commit.topics ?? this.#topics;
      const nextProducerId = commit.nextProducerId ?? this.#nextProducerId;
      const secretKey = commit.secretKey ?? this.#secretKey;
      const topics = [...next.values()].sort(byName);
      const extra = { nextProducerId: nextProducerId.toString(), ...(secretKey === undefined ? {} : { clusterSecretKey: secretKey }) };
      await writeStateFile(this.#statePath, { version: STATE_FILE_VERSION, clusterId: this.#clusterId, topics, ...extra });
      this.#setTopics(next);
      this.#nextProducerId = nextProducerId;
      this.#secretKey = secretKey;
    }
    // With topics (a deletion, durable already), dropping its manifests is best effort.
    if (commit.manifest !== undefined) await this.#manifests.persist(commit.manifest, commit.topics !== undefined);
    if (commit.brokers !== undefined) this.#brokers = commit.brokers;
    this.#listeners.emit(commit.events);
    return commit.result;
  }

  #setTopics(topics: ReadonlyMap<string, TopicRecord>): void {
    this.#topics = topics;
    this.#topicsById = new Map([...topics.values()].map((t) => [t.topicId, t]));
    this.#sortedTopics = Object.freeze([...topics.values()].sort(byName));
  }

  #replicaListsFor(request: CreateTopicRequest): readonly (readonly number[])[] {
    const { assignments, partitions, replicationFactor } = request;
    if (assignments === undefined) {
      checkPartitionCount(partitions);
      return assignReplicas({ brokers: this.#brokers, existing: this.#topics.values(), partitionCount: partitions, replicationFactor, startOffset: randomInt(1_000_000) });
    }
    if (partitions !== -1 && partitions !== assignments.length) {
      throw new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', `${assignments.length} replica assignments were given for ${partitions} partitions.`);
    }
    validateAssignments(assignments, this.#liveIds(), replicationFactor === -1 ? {} : { replicationFactor });
    return assignments;
  }

  #existing(name: string): TopicRecord {
    const topic = this.#topics.get(name);
    if (topic === undefined) throw new KafkaApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    return topic;
  }

  #liveIds(): ReadonlySet<number> {
    return new Set(this.#brokers.map((b) => b.nodeId));
  }

  #requireStarted(): void {
    if (!this.#loaded) {
      throw new CoordinatorError('lifecycle', 'The embedded coordinator has not been started; call start() first.');
    }
  }
}

function withTopic(topics: ReadonlyMap<string, TopicRecord>, topic: TopicRecord): Map<string, TopicRecord> {
  const next = new Map(topics);
  next.set(topic.name, topic);
  return next;
}

function byName(a: TopicRecord, b: TopicRecord): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function defaultListenerErrorReporter(error: unknown, event: CoordinatorEvent): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`A coordinator watch listener threw on a ${event.type} event: ${detail}`, 'CoordinatorListenerWarning');
}
