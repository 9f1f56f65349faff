/**
 * The Coordinator over etcd (BRIEF §7; keyspace in docs/etcd-keyspace.md). Every node runs one.
 *
 * Reads come from an EtcdView fed by one watch on the cluster prefix, applied one revision at a
 * time, so listeners see changes in commit order and reads at that moment show exactly that
 * revision. Writes run one at a time (call order) as etcd transactions whose compares make racing
 * writers from any node conflict in etcd rather than in our view: `Create == 0` for new names,
 * `Create == rev` for "the same topic incarnation", `Mod == rev` for partition states and the
 * producer-id counter. A lost compare re-reads, waits for the view to catch up and re-decides, so
 * stale views never win. A write resolves once the view has applied its revision.
 *
 * Outages: every write has a budget (`requestTimeoutMs` from the call) and then fails with
 * REQUEST_TIMED_OUT (retriable; a write whose commit was sent may or may not have happened, as
 * with any Kafka timeout). Reads keep answering from the view. The watch resumes from the last
 * applied revision when etcd returns (or reloads everything if that revision was compacted).
 * Session loss and fencing: see EtcdSession.
 */
import { randomInt } from 'node:crypto';
import { Etcd3, type IOptions } from 'etcd3';
import { KafkaApiError } from '@oxbow/protocol';
import { assignReplicas, checkPartitionCount, newPartitionState, validateAssignments, validatePartitionUpdate } from '../assignment.js';
import type { BrokerInfo, Coordinator, CoordinatorEvent, CreateTopicRequest, PartitionState, ProducerIdBlock, TopicRecord } from '../coordinator.js';
import { CoordinatorError } from '../coordinator-error.js';
import { EventListeners } from '../event-listeners.js';
import { isValidClusterId, newClusterId, newTopicId, topicCollisionKey, validateTopicName } from '../identifiers.js';
import { checkConfigs, freezePartition, freezeTopic, sameBroker, samePartitionState, validateBrokerInfo } from '../records.js';
import type { ManifestAppend, ManifestCommitResult, ManifestEntry, PartitionManifest } from '../manifest.js';
import { ControllerCampaign } from './controller-campaign.js';
import { type CoordinatorLogger, processWarningLogger } from './coordinator-logger.js';
import { type Budget, EtcdCalls, budget, isLeaseGone, unavailable } from './etcd-telemetry.js';
import { EtcdManifests } from './etcd-manifests.js';
import { EtcdSession, type SessionLost, type SessionRestored } from './etcd-session.js';
import { EtcdWatch } from './etcd-watch.js';
import { EtcdView } from './etcd-view.js';
import { Keyspace, encodeBroker, encodePartition, encodeTopicMeta, isValidClusterName } from './keyspace.js';

export interface EtcdCoordinatorOptions {
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`. */
  readonly endpoints: readonly string[];
  /** Keys live under `/oxbow/{clusterName}/`; 1–64 characters of `[A-Za-z0-9_.-]`. */
  readonly clusterName: string;
  /** This node's id: its controller campaign value and the broker id it normally registers. */
  readonly nodeId: number;
  /** Cluster id for a fresh cluster (default: random); with an existing cluster it must match. */
  readonly clusterId?: string;
  /** Session lease TTL in seconds (default 6, minimum 2: etcd raises anything lower to 2). */
  readonly leaseTtlSeconds?: number;
  /** Budget of every write and of start(), in ms (default 5000). */
  readonly requestTimeoutMs?: number;
  /**
   * etcd's `--max-txn-ops` (default 128, etcd's default): bounds partitions per
   * createTopic/createPartitions, and per commitObject (2 operations each: MAX_MANIFEST_APPENDS
   * needs 2048; `oxbow cluster up` runs etcd with 4096).
   */
  readonly maxTxnOps?: number;
  readonly logger?: CoordinatorLogger;
  /** Receives errors thrown by watch listeners (default: a logged warning). */
  readonly onListenerError?: (error: unknown, event: CoordinatorEvent) => void;
}

export interface EtcdCloseOptions {
  /** Revoke the session lease so registrations vanish now (default true). False simulates a crash. */
  readonly revokeLease?: boolean;
}

type Phase = 'new' | 'starting' | 'running' | 'closed';
type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
type Backoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

const MAX_PRODUCER_ID_BLOCK = 1_000_000;

export class EtcdCoordinator implements Coordinator {
  readonly nodeId: number;
  readonly #options: EtcdCoordinatorOptions;
  readonly #keys: Keyspace;
  readonly #ttl: number;
  readonly #timeoutMs: number;
  readonly #maxTxnOps: number;
  readonly #log: CoordinatorLogger;
  readonly #calls: EtcdCalls;
  readonly #view: EtcdView;
  readonly #manifests: EtcdManifests;
  #client: Etcd3 | undefined;
  #session: EtcdSession | undefined;
  #watch: EtcdWatch | undefined;
  #campaign: ControllerCampaign | undefined;
  #phase: Phase = 'new';
  #startup: Promise<void> = Promise.resolve();
  #tail: Promise<unknown> = Promise.resolve();
  readonly #listeners: EventListeners;
  readonly #controllerListeners = new Set<(active: boolean, controllerId: number) => void>();
  readonly #lostListeners = new Set<(info: SessionLost) => void>();
  readonly #restoredListeners = new Set<(info: SessionRestored) => void>();
  #lastControl = { active: false, controllerId: -1 };
  /** Brokers this coordinator registered, re-registered under each new session lease. */
  readonly #own = new Map<number, BrokerInfo>();

  constructor(options: EtcdCoordinatorOptions) {
    if (!Array.isArray(options.endpoints) || options.endpoints.length === 0) throw new RangeError('EtcdCoordinator: endpoints must list at least one etcd URL.');
    if (!isValidClusterName(options.clusterName)) {
      throw new RangeError(`EtcdCoordinator: clusterName must be 1-64 characters of [A-Za-z0-9_.-], got ${JSON.stringify(options.clusterName)}.`);
    }
    if (!Number.isInteger(options.nodeId) || options.nodeId < 0) throw new RangeError(`EtcdCoordinator: nodeId must be a non-negative integer, got ${options.nodeId}.`);
    if (options.clusterId !== undefined && !isValidClusterId(options.clusterId)) {
      throw new RangeError(`EtcdCoordinator: clusterId must be 1-64 characters of [A-Za-z0-9_-], got ${JSON.stringify(options.clusterId)}.`);
    }
    const ttl = options.leaseTtlSeconds ?? 6;
    if (!Number.isInteger(ttl) || ttl < 2) throw new RangeError(`EtcdCoordinator: leaseTtlSeconds must be an integer >= 2 (etcd's minimum), got ${ttl}.`);
    this.nodeId = options.nodeId;
    this.#options = options;
    this.#ttl = ttl;
    this.#timeoutMs = options.requestTimeoutMs ?? 5000;
    this.#maxTxnOps = options.maxTxnOps ?? 128;
    this.#log = options.logger ?? processWarningLogger;
    this.#listeners = new EventListeners(
      options.onListenerError ?? ((error, event) => this.#log.warn({ err: error instanceof Error ? error.message : String(error), event: event.type }, 'A coordinator watch listener threw')),
    );
    this.#keys = new Keyspace(options.clusterName);
    this.#calls = new EtcdCalls(options.clusterName);
    this.#view = new EtcdView(this.#keys, (message, key, error) => this.#log.warn({ key, err: error instanceof Error ? error.message : error }, message));
    this.#manifests = new EtcdManifests({
      client: () => this.#etcd(),
      watch: () => this.#watchOrThrow(),
      keys: this.#keys,
      calls: this.#calls,
      view: this.#view,
      maxTxnOps: this.#maxTxnOps,
    });
  }

  get clusterId(): string {
    const id = this.#view.clusterId;
    if (this.#phase === 'new' || this.#phase === 'starting' || id === undefined) throw new CoordinatorError('lifecycle', 'The etcd coordinator has not been started; call start() first.');
    return id;
  }

  /** The key prefix of this cluster, `/oxbow/{clusterName}/`. */
  get keyPrefix(): string {
    return this.#keys.root;
  }

  /** True while this node holds a live etcd session (its lease was renewed within ⅔·TTL). */
  get sessionAlive(): boolean {
    return this.#phase === 'running' && (this.#session?.alive ?? false);
  }

  /** Milliseconds without a successful keepalive after which the node considers itself fenced (⅔·TTL). */
  get fenceAfterMs(): number {
    return (this.#ttl * 1000 * 2) / 3;
  }

  /**
   * Calls `listener` when the session is lost. From then on this node must not act as partition
   * leader or controller; etcd expires the lease (and other nodes take over) no earlier than ⅓·TTL
   * later. Returns an unsubscribe function.
   */
  onSessionLost(listener: (info: SessionLost) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /** Calls `listener` once a new session is established and this coordinator's brokers are registered again. */
  onSessionRestored(listener: (info: SessionRestored) => void): () => void {
    this.#restoredListeners.add(listener);
    return () => this.#restoredListeners.delete(listener);
  }

  /** True while this node is the elected controller and its session is alive: only then may it act as controller. */
  isController(): boolean {
    return this.sessionAlive && (this.#campaign?.elected ?? false) && this.#view.controllerId === this.nodeId;
  }

  /** Calls `listener(active, controllerId)` whenever `isController()` or `controllerId()` changes. */
  onControllerChange(listener: (active: boolean, controllerId: number) => void): () => void {
    this.#controllerListeners.add(listener);
    return () => this.#controllerListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.#phase !== 'new') throw new CoordinatorError('lifecycle', `EtcdCoordinator.start() called twice (state: ${this.#phase}).`);
    this.#phase = 'starting';
    this.#startup = this.#open();
    try {
      await this.#startup;
      this.#phase = 'running';
      this.#campaign?.start();
      this.#controlChanged();
    } catch (error) {
      await this.#teardown(false);
      this.#phase = 'new';
      throw error;
    }
  }

  async #open(): Promise<void> {
    const b = budget(this.#timeoutMs);
    const client = new Etcd3({
      hosts: [...this.#options.endpoints],
      dialTimeout: this.#timeoutMs,
      // No receive limit (grpc-js defaults to 4 MiB): one revision's watch events arrive in one
      // message, and deleting a topic deletes all its manifest entries in one revision.
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000, 'grpc.max_receive_message_length': -1 },
      // Our own budgets and retries decide; etcd3's default circuit breaker would keep failing
      // calls for 5 s after etcd is back, and its watch backoff grows to 30 s.
      faultHandling: { global: passThrough, host: () => passThrough, watchBackoff: cappedBackoff(100, 1000) },
    });
    this.#client = client;
    const wanted = this.#options.clusterId ?? newClusterId();
    const key = this.#keys.clusterId();
    const res = await this.#calls.run('init-cluster-id', b, (deadline) =>
      client.if(key, 'Create', '==', 0).then(client.put(key).value(wanted)).else(client.get(key)).options({ deadline }).commit(),
    );
    const stored = res.succeeded ? wanted : (res.responses[0]?.response_range?.kvs[0]?.value.toString() ?? '');
    if (this.#options.clusterId !== undefined && stored !== this.#options.clusterId) {
      throw new CoordinatorError('cluster-id-mismatch', `etcd prefix ${this.#keys.root} belongs to cluster ${stored}, not the configured ${this.#options.clusterId}.`);
    }
    this.#session = new EtcdSession(client, this.#ttl, this.#log);
    this.#session.setRestoreHook((_lease, leaseId) => this.#reregister(leaseId));
    this.#session.onLost((info) => {
      this.#campaign?.withdraw();
      this.#controlChanged();
      this.#notify(this.#lostListeners, info, 'session-lost');
    });
    this.#session.onRestored((info) => {
      this.#campaign?.start();
      this.#controlChanged();
      this.#notify(this.#restoredListeners, info, 'session-restored');
    });
    await this.#session.start(b.deadline);
    this.#watch = new EtcdWatch(client, this.#keys.root, this.#view, this.#calls, this.#log, (events) => this.#listeners.emit(events), () => this.#controlChanged());
    await this.#watch.start(b);
    this.#campaign = new ControllerCampaign(client, this.#keys.root, this.nodeId, this.#ttl, this.#log, () => this.#controlChanged());
  }

  async close(options: EtcdCloseOptions = {}): Promise<void> {
    if (this.#phase === 'closed') return;
    if (this.#phase === 'starting') await this.#startup.catch(() => undefined);
    const wasRunning = this.#phase === 'running';
    this.#phase = 'closed';
    await this.#tail;
    if (wasRunning) await this.#teardown(options.revokeLease ?? true);
    this.#listeners.clear();
    this.#controlChanged();
    this.#controllerListeners.clear();
  }

  async #teardown(revoke: boolean): Promise<void> {
    const deadline = Date.now() + Math.min(this.#timeoutMs, 2000);
    await this.#campaign?.stop(revoke, deadline);
    await this.#session?.close(revoke, deadline);
    await this.#watch?.stop();
    this.#client?.close();
  }

  registerBroker(info: BrokerInfo): Promise<void> {
    return this.#write('register-broker', async (b) => {
      validateBrokerInfo(info);
      const session = this.#requireSession();
      const leaseId = await session.waitAlive(b.deadline).catch((e: unknown) => {
        throw unavailable(`Cannot register broker ${info.nodeId}: ${e instanceof Error ? e.message : String(e)}`, e);
      });
      const current = this.#view.brokerEntry(info.nodeId);
      this.#own.set(info.nodeId, info);
      if (current !== undefined && sameBroker(current.info, info) && current.lease === leaseId) return;
      const client = this.#etcd();
      const res = await this.#calls
        .run('register-broker', b, (deadline) =>
          client
            .if(this.#keys.clusterId(), 'Create', '>', 0)
            .then(client.put(this.#keys.broker(info.nodeId)).value(encodeBroker(info)).lease(leaseId))
            .options({ deadline })
            .commit(),
        )
        .catch((error: unknown) => {
          if (isLeaseGone((error as { cause?: unknown }).cause ?? error)) session.leaseGone(error);
          throw error;
        });
      if (!res.succeeded) throw new CoordinatorError('corrupt-state', `The cluster id key ${this.#keys.clusterId()} is gone from etcd.`);
      await this.#watchOrThrow().awaitRevision(Number(res.header.revision), b);
    });
  }

  /** Re-registers this coordinator's brokers under a new lease (unless another session took the id). */
  async #reregister(leaseId: string): Promise<void> {
    const client = this.#etcd();
    const b = budget(this.#timeoutMs);
    for (const info of [...this.#own.values()]) {
      const key = this.#keys.broker(info.nodeId);
      const res = await this.#calls.run('reregister-broker', b, (deadline) =>
        client.if(key, 'Create', '==', 0).then(client.put(key).value(encodeBroker(info)).lease(leaseId)).options({ deadline }).commit(),
      );
      if (!res.succeeded) this.#own.delete(info.nodeId);
      // Restored means registered again in this node's view too (the revoke deleted them first).
      else await this.#watchOrThrow().awaitRevision(Number(res.header.revision), b);
    }
  }

  brokers(): readonly BrokerInfo[] {
    this.#requireLoaded();
    return this.#view.brokers;
  }

  controllerId(): number {
    return this.#phase === 'running' ? this.#view.controllerId : -1;
  }

  createTopic(request: CreateTopicRequest): Promise<TopicRecord> {
    return this.#write('create-topic', async (b) => {
      const { name } = request;
      validateTopicName(name);
      if (this.#view.topic(name) !== undefined) throw new KafkaApiError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
      const collision = topicCollisionKey(name);
      for (const other of this.#view.topicsSorted) {
        if (topicCollisionKey(other.name) === collision) throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${other.name}`);
      }
      const configs = checkConfigs(request.configs);
      const replicaLists = this.#replicaListsFor(request);
      this.#checkTxnSize(replicaLists.length + 2, name);
      const live = this.#liveIds();
      const topicId = newTopicId((id) => this.#view.topicById(id) !== undefined);
      const topic = freezeTopic({ name, topicId, partitions: replicaLists.map((r, i) => newPartitionState(i, r, live)), configs });
      const client = this.#etcd();
      const res = await this.#calls.run(
        'create-topic',
        b,
        (deadline) =>
          client
            .if(this.#keys.topicName(name), 'Create', '==', 0)
            .and(this.#keys.topicMeta(name), 'Create', '==', 0)
            .then(
              client.put(this.#keys.topicName(name)).value(name),
              client.put(this.#keys.topicMeta(name)).value(encodeTopicMeta({ topicId, configs })),
              ...topic.partitions.map((p) => client.put(this.#keys.partition(name, p.partition)).value(encodePartition(p))),
            )
            .else(client.get(this.#keys.topicName(name)))
            .options({ deadline })
            .commit(),
        outcome,
      );
      if (!res.succeeded) {
        const holder = res.responses[0]?.response_range?.kvs[0]?.value.toString();
        if (holder === undefined || holder === name) throw new KafkaApiError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
        throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${holder}`);
      }
      await this.#watchOrThrow().awaitRevision(Number(res.header.revision), b);
      return topic;
    });
  }

  deleteTopic(name: string): Promise<TopicRecord> {
    return this.#write('delete-topic', async (b) => {
      const client = this.#etcd();
      for (;;) {
        const createRevision = this.#view.metaRevision(name);
        const before = this.#view.topic(name);
        if (createRevision === undefined || before === undefined) throw unknownTopic(name);
        const res = await this.#calls.run(
          'delete-topic',
          b,
          (deadline) =>
            client
              .if(this.#keys.topicMeta(name), 'Create', '==', createRevision)
              .then(
                client.delete().prefix(this.#keys.topicPrefix(name)),
                client.delete().key(this.#keys.topicName(name)),
                client.delete().prefix(this.#keys.manifestPrefix(before.topicId)),
              )
              .else(client.get(this.#keys.topicMeta(name)))
              .options({ deadline })
              .commit(),
          outcome,
        );
        if (res.succeeded) {
          const revision = Number(res.header.revision);
          await this.#watchOrThrow().awaitRevision(revision, b);
          return this.#view.deletedTopic(revision, name) ?? before;
        }
        await this.#catchUp(res, b, () => unknownTopic(name));
      }
    });
  }

  setTopicConfigs(name: string, configs: Readonly<Record<string, string>>): Promise<TopicRecord> {
    return this.#write('set-topic-configs', async (b) => {
      const checked = checkConfigs(configs);
      const client = this.#etcd();
      for (;;) {
        const createRevision = this.#view.metaRevision(name);
        const current = this.#view.topic(name);
        if (createRevision === undefined || current === undefined) throw unknownTopic(name);
        const res = await this.#calls.run(
          'set-topic-configs',
          b,
          (deadline) =>
            client
              .if(this.#keys.topicMeta(name), 'Create', '==', createRevision)
              .then(client.put(this.#keys.topicMeta(name)).value(encodeTopicMeta({ topicId: current.topicId, configs: checked })))
              .else(client.get(this.#keys.topicMeta(name)))
              .options({ deadline })
              .commit(),
          outcome,
        );
        if (res.succeeded) {
          await this.#watchOrThrow().awaitRevision(Number(res.header.revision), b);
          return this.#view.topic(name) ?? freezeTopic({ ...current, configs: checked });
        }
        await this.#catchUp(res, b, () => unknownTopic(name));
      }
    });
  }

  createPartitions(name: string, totalCount: number, assignments?: readonly (readonly number[])[]): Promise<TopicRecord> {
    return this.#write('create-partitions', async (b) => {
      const client = this.#etcd();
      for (;;) {
        const current = this.#view.topic(name);
        const createRevision = this.#view.metaRevision(name);
        if (current === undefined || createRevision === undefined) throw unknownTopic(name);
        const have = current.partitions.length;
        if (!Number.isInteger(totalCount) || totalCount <= have) {
          throw new KafkaApiError('INVALID_PARTITIONS', `Topic currently has ${have} partitions, ${totalCount} would not be an increase.`);
        }
        const adding = totalCount - have;
        const replicationFactor = current.partitions[0]?.replicas.length ?? 1;
        const live = this.#liveIds();
        let lists: readonly (readonly number[])[];
        if (assignments === undefined) {
          lists = assignReplicas({ brokers: this.#view.brokers, existing: this.#view.topicsMap().values(), partitionCount: adding, replicationFactor, startOffset: randomInt(1_000_000) });
        } else {
          if (assignments.length !== adding) {
            throw new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', `Increasing the number of partitions by ${adding} but ${assignments.length} assignments provided.`);
          }
          validateAssignments(assignments, live, { replicationFactor, firstPartition: have });
          lists = assignments;
        }
        this.#checkTxnSize(adding + 2, name);
        const added = lists.map((r, i) => newPartitionState(have + i, r, live));
        const res = await this.#calls.run(
          'create-partitions',
          b,
          (deadline) =>
            client
              .if(this.#keys.topicMeta(name), 'Create', '==', createRevision)
              .and(this.#keys.partition(name, have), 'Create', '==', 0)
              .then(...added.map((p) => client.put(this.#keys.partition(name, p.partition)).value(encodePartition(p))))
              .else(client.getAll().prefix(this.#keys.topicPrefix(name)))
              .options({ deadline })
              .commit(),
          outcome,
        );
        if (res.succeeded) {
          await this.#watchOrThrow().awaitRevision(Number(res.header.revision), b);
          return this.#view.topic(name) ?? freezeTopic({ ...current, partitions: [...current.partitions, ...added] });
        }
        await this.#catchUp(res, b, () => unknownTopic(name));
      }
    });
  }

  updatePartition(topic: string, partition: number, expectedLeaderEpoch: number, next: Omit<PartitionState, 'partition'>): Promise<PartitionState | null> {
    return this.#write('update-partition', async (b) => {
      const client = this.#etcd();
      const key = this.#keys.partition(topic, partition);
      for (;;) {
        if (this.#view.topic(topic) === undefined) throw unknownTopic(topic);
        const entry = Number.isInteger(partition) ? this.#view.partitionEntry(topic, partition) : undefined;
        if (entry === undefined) throw new KafkaApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' has no partition ${partition}.`);
        const current = freezePartition({ partition, ...entry.state });
        if (current.leaderEpoch !== expectedLeaderEpoch) return null;
        validatePartitionUpdate(current, next, this.#liveIds());
        if (samePartitionState(current, next)) return current;
        const modRevision = entry.modRevision;
        const res = await this.#calls.run(
          'update-partition',
          b,
          (deadline) => client.if(key, 'Mod', '==', modRevision).then(client.put(key).value(encodePartition(next))).else(client.get(key)).options({ deadline })
              .commit(),
          outcome,
        );
        if (res.succeeded) {
          await this.#watchOrThrow().awaitRevision(Number(res.header.revision), b);
          return freezePartition({ ...next, partition });
        }
        // Someone else wrote the partition: decide again on the state they left.
        await this.#catchUp(res, b, () => unknownTopic(topic));
      }
    });
  }

  allocateProducerIds(count: number): Promise<ProducerIdBlock> {
    return this.#write('allocate-producer-ids', async (b) => {
      if (!Number.isInteger(count) || count < 1 || count > MAX_PRODUCER_ID_BLOCK) {
        throw new KafkaApiError('INVALID_REQUEST', `Producer id block size must be an integer in [1, ${MAX_PRODUCER_ID_BLOCK}], got ${count}.`);
      }
      const client = this.#etcd();
      const key = this.#keys.producerIds();
      for (;;) {
        const { next, modRevision } = this.#view.producerIds();
        const res = await this.#calls.run(
          'allocate-producer-ids',
          b,
          (deadline) => client.if(key, 'Mod', '==', modRevision).then(client.put(key).value((next + BigInt(count)).toString())).else(client.get(key)).options({ deadline })
              .commit(),
          outcome,
        );
        if (res.succeeded) {
          await this.#watchOrThrow().awaitRevision(Number(res.header.revision), b);
          return Object.freeze({ first: next, count });
        }
        await this.#catchUp(res, b, () => new CoordinatorError('corrupt-state', `Producer id counter ${key} vanished from etcd.`));
      }
    });
  }

  manifest(topicId: string, partition: number): PartitionManifest {
    this.#requireLoaded();
    return this.#view.manifests.manifest(topicId, partition);
  }

  commitObject(appends: readonly ManifestAppend[]): Promise<ManifestCommitResult> {
    return this.#write('commit-object', (b) => this.#manifests.commit(appends, b));
  }

  replaceManifestEntries(
    topicId: string,
    partition: number,
    expected: readonly Pick<ManifestEntry, 'baseOffset' | 'objectKey'>[],
    entries: readonly ManifestEntry[],
  ): Promise<boolean> {
    return this.#write('replace-manifest-entries', (b) => this.#manifests.replace(topicId, partition, expected, entries, b));
  }

  advanceManifestStart(topicId: string, partition: number, startOffset: bigint): Promise<readonly ManifestEntry[]> {
    return this.#write('advance-manifest-start', (b) => this.#manifests.advance(topicId, partition, startOffset, b));
  }

  clusterSecretKey(): Promise<Buffer> {
    return this.#write('cluster-secret-key', (b) => this.#manifests.secretKey(b));
  }

  topic(name: string): TopicRecord | undefined {
    this.#requireLoaded();
    return this.#view.topic(name);
  }

  topicById(topicId: string): TopicRecord | undefined {
    this.#requireLoaded();
    return this.#view.topicById(topicId);
  }

  topics(): readonly TopicRecord[] {
    this.#requireLoaded();
    return this.#view.topicsSorted;
  }

  watch(listener: (event: CoordinatorEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Runs `task` after every earlier write, with a budget counted from the call. */
  #write<T>(op: string, task: (b: Budget) => Promise<T>): Promise<T> {
    if (this.#phase !== 'running') {
      const why = this.#phase === 'closed' ? 'has been closed' : 'has not been started; call start() first';
      return Promise.reject(new CoordinatorError('lifecycle', `The etcd coordinator ${why} (${op}).`));
    }
    const b = budget(this.#timeoutMs);
    const run = this.#tail.then(() => task(b));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * After a lost compare: waits until the view holds the newest revision among the keys the
   * transaction's else-branch read, so the next attempt decides on current state. No keys means
   * the thing is gone.
   */
  async #catchUp(res: { responses: readonly { response_range?: { kvs: readonly { mod_revision: string }[] } }[] }, b: Budget, gone: () => Error): Promise<void> {
    const kvs = res.responses.flatMap((r) => r.response_range?.kvs ?? []);
    if (kvs.length === 0) throw gone();
    const newest = Math.max(...kvs.map((kv) => Number(kv.mod_revision)));
    await this.#watchOrThrow().awaitRevision(newest, b);
  }

  #notify<T>(listeners: ReadonlySet<(info: T) => void>, info: T, what: string): void {
    for (const listener of [...listeners]) {
      try {
        listener(info);
      } catch (error) {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, `A ${what} listener threw`);
      }
    }
  }

  #controlChanged(): void {
    const now = { active: this.isController(), controllerId: this.controllerId() };
    if (now.active === this.#lastControl.active && now.controllerId === this.#lastControl.controllerId) return;
    this.#lastControl = now;
    for (const listener of [...this.#controllerListeners]) {
      try {
        listener(now.active, now.controllerId);
      } catch (error) {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'A controller-change listener threw');
      }
    }
  }

  #replicaListsFor(request: CreateTopicRequest): readonly (readonly number[])[] {
    const { assignments, partitions, replicationFactor } = request;
    if (assignments === undefined) {
      checkPartitionCount(partitions);
      return assignReplicas({ brokers: this.#view.brokers, existing: this.#view.topicsMap().values(), partitionCount: partitions, replicationFactor, startOffset: randomInt(1_000_000) });
    }
    if (partitions !== -1 && partitions !== assignments.length) {
      throw new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', `${assignments.length} replica assignments were given for ${partitions} partitions.`);
    }
    validateAssignments(assignments, this.#liveIds(), replicationFactor === -1 ? {} : { replicationFactor });
    return assignments;
  }

  #checkTxnSize(ops: number, name: string): void {
    if (ops > this.#maxTxnOps) {
      throw new KafkaApiError(
        'INVALID_PARTITIONS',
        `Topic '${name}': creating ${ops - 2} partitions at once needs ${ops} operations in one etcd transaction, above maxTxnOps ${this.#maxTxnOps} (etcd --max-txn-ops).`,
      );
    }
  }

  #liveIds(): ReadonlySet<number> {
    return new Set(this.#view.brokers.map((b) => b.nodeId));
  }

  #etcd(): Etcd3 {
    if (this.#client === undefined) throw new CoordinatorError('lifecycle', 'The etcd coordinator has no client.');
    return this.#client;
  }

  #watchOrThrow(): EtcdWatch {
    if (this.#watch === undefined) throw new CoordinatorError('lifecycle', 'The etcd coordinator is not watching.');
    return this.#watch;
  }

  #requireSession(): EtcdSession {
    if (this.#session === undefined) throw new CoordinatorError('lifecycle', 'The etcd coordinator has not been started; call start() first.');
    return this.#session;
  }

  #requireLoaded(): void {
    if (this.#phase === 'new' || this.#phase === 'starting') throw new CoordinatorError('lifecycle', 'The etcd coordinator has not been started; call start() first.');
  }
}

function outcome(res: { succeeded: boolean }): string {
  return res.succeeded ? 'committed' : 'compare-failed';
}

function unknownTopic(name: string): KafkaApiError {
  return new KafkaApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
}


/** A fault-handling policy that just runs the call (see the client options above). */
const passThrough = {
  execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> =>
    Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal })),
  onSuccess: () => ({ dispose: () => undefined }),
  onFailure: () => ({ dispose: () => undefined }),
} as unknown as Policy;

/** Watch reconnect backoff: doubling from `first` ms, capped at `max` ms. */
function cappedBackoff(first: number, max: number): Backoff {
  const at = (duration: number): { duration: number; next: () => unknown } => ({ duration, next: () => at(Math.min(max, duration * 2)) });
  return { next: () => at(first) } as unknown as Backoff;
}
