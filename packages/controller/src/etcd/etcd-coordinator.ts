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
 *
 * This class is the façade: lifecycle, the write queue and the listeners live here; the writes
 * themselves live in etcd-brokers, etcd-topics, etcd-partition-updates, etcd-producer-ids and
 * etcd-manifests.
 */
import type { Etcd3 } from 'etcd3';
import type { BrokerInfo, Coordinator, CoordinatorEvent, CreateTopicRequest, PartitionState, ProducerIdBlock, TopicRecord } from '../coordinator.js';
import { CoordinatorError } from '../coordinator-error.js';
import { EventListeners } from '../event-listeners.js';
import { isValidClusterId, newClusterId } from '../identifiers.js';
import type { ManifestAppend, ManifestCommitResult, ManifestEntry, PartitionManifest } from '../manifest.js';
import { ControllerCampaign } from './controller-campaign.js';
import { type CoordinatorLogger, processWarningLogger } from './coordinator-logger.js';
import { EtcdBrokers } from './etcd-brokers.js';
import { createEtcdClient } from './etcd-client.js';
import { EtcdManifests } from './etcd-manifests.js';
import { updatePartition } from './etcd-partition-updates.js';
import { allocateProducerIds } from './etcd-producer-ids.js';
import { EtcdSession, type SessionLost, type SessionRestored } from './etcd-session.js';
import { type Budget, EtcdCalls, budget } from './etcd-telemetry.js';
import { EtcdTopics } from './etcd-topics.js';
import type { EtcdWriteDeps } from './etcd-txn.js';
import { EtcdWatch } from './etcd-watch.js';
import { EtcdView } from './etcd-view.js';
import { Keyspace, isValidClusterName } from './keyspace.js';

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

export class EtcdCoordinator implements Coordinator {
  readonly nodeId: number;
  readonly #options: EtcdCoordinatorOptions;
  readonly #keys: Keyspace;
  readonly #ttl: number;
  readonly #timeoutMs: number;
  readonly #log: CoordinatorLogger;
  readonly #calls: EtcdCalls;
  readonly #view: EtcdView;
  readonly #writeDeps: EtcdWriteDeps;
  readonly #brokers: EtcdBrokers;
  readonly #topics: EtcdTopics;
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
    this.#log = options.logger ?? processWarningLogger;
    this.#listeners = new EventListeners(
      options.onListenerError ?? ((error, event) => this.#log.warn({ err: error instanceof Error ? error.message : String(error), event: event.type }, 'A coordinator watch listener threw')),
    );
    this.#keys = new Keyspace(options.clusterName);
    this.#calls = new EtcdCalls(options.clusterName);
    this.#view = new EtcdView(this.#keys, (message, key, error) => this.#log.warn({ key, err: error instanceof Error ? error.message : error }, message));
    this.#writeDeps = { client: () => this.#etcd(), watch: () => this.#watchOrThrow(), keys: this.#keys, calls: this.#calls, view: this.#view };
    const maxTxnOps = options.maxTxnOps ?? 128;
    this.#brokers = new EtcdBrokers({ ...this.#writeDeps, session: () => this.#requireSession(), timeoutMs: this.#timeoutMs });
    this.#topics = new EtcdTopics({ ...this.#writeDeps, maxTxnOps });
    this.#manifests = new EtcdManifests({ ...this.#writeDeps, maxTxnOps });
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
    const client = createEtcdClient(this.#options.endpoints, this.#timeoutMs);
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
    this.#session.setRestoreHook((_lease, leaseId) => this.#brokers.reregister(leaseId));
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
    return this.#write('register-broker', (b) => this.#brokers.register(info, b));
  }

  brokers(): readonly BrokerInfo[] {
    this.#requireLoaded();
    return this.#view.brokers;
  }

  controllerId(): number {
    return this.#phase === 'running' ? this.#view.controllerId : -1;
  }

  createTopic(request: CreateTopicRequest): Promise<TopicRecord> {
    return this.#write('create-topic', (b) => this.#topics.create(request, b));
  }

  deleteTopic(name: string): Promise<TopicRecord> {
    return this.#write('delete-topic', (b) => this.#topics.delete(name, b));
  }

  setTopicConfigs(name: string, configs: Readonly<Record<string, string>>): Promise<TopicRecord> {
    return this.#write('set-topic-configs', (b) => this.#topics.setConfigs(name, configs, b));
  }

  createPartitions(name: string, totalCount: number, assignments?: readonly (readonly number[])[]): Promise<TopicRecord> {
    return this.#write('create-partitions', (b) => this.#topics.createPartitions(name, totalCount, assignments, b));
  }

  updatePartition(topic: string, partition: number, expectedLeaderEpoch: number, next: Omit<PartitionState, 'partition'>): Promise<PartitionState | null> {
    return this.#write('update-partition', (b) => updatePartition(this.#writeDeps, topic, partition, expectedLeaderEpoch, next, b));
  }

  allocateProducerIds(count: number): Promise<ProducerIdBlock> {
    return this.#write('allocate-producer-ids', (b) => allocateProducerIds(this.#writeDeps, count, b));
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
