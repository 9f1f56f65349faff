import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Coordinator, CoordinatorEvent, PartitionState, TopicRecord } from '@oxbow/controller';
import { FollowerFetcher, LocalLogBackend, PartitionActor, type LeaderFetch } from '@oxbow/partition-actor';
import { KafkaErrorCode } from '@oxbow/protocol';
import { PartitionLog } from '@oxbow/storage';
import { resolveTopicConfig, type BrokerConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { DisklessBackend } from '../diskless/diskless-backend.js';
import type { DisklessService } from '../diskless/diskless-service.js';
import { actorConfigOf, logConfigOf } from './partition-config.js';
import type { PartitionLookup } from './services.js';

interface Local {
  readonly topicId: string;
  readonly actor: PartitionActor;
  readonly backend: LocalLogBackend | DisklessBackend;
  /** Diskless: the leader epoch the partition was opened at (a later epoch reopens it from the manifest). */
  readonly disklessEpoch: number | null;
  /** Replicating from the leader, while this node is a follower. */
  fetcher: FollowerFetcher | null;
  /** Leader and epoch the fetcher follows. */
  following: { leader: number; epoch: number } | null;
}

/** What a node in a cluster gives the partition manager (absent on a single node: no followers). */
export interface ReplicaLinks {
  /** How a follower of `topic-partition` reaches `leader`. */
  leaderFetch(topic: string, topicId: string, partition: number, leader: number): LeaderFetch;
  /** Leader: proposes a new ISR (CAS on the leader epoch); the ISR in force, or null when fenced. */
  changeIsr(topic: string, partition: number, leaderEpoch: number, isr: readonly number[]): Promise<readonly number[] | null>;
}

/** Called when this node starts or stops leading a partition (group and transaction coordinators follow). */
export type LeadershipListener = (topic: string, partition: number, leads: boolean) => void;

const key = (topic: string, partition: number): string => `${topic}-${partition}`;
const TOPIC_ID_FILE = 'partition.metadata';

/**
 * The partitions this node holds a replica of: opened (recovering their logs) at start and
 * whenever the coordinator assigns one here, made leader or follower as the coordinator's
 * partition state says (a follower replicates from its leader through `ReplicaLinks`),
 * reconfigured when topic configs change, and destroyed when their topic is deleted. Partition directories are `{dataDir}/logs/{topic}-{partition}`, each holding
 * the topic id it belongs to, so a directory left by a deleted topic is never mistaken for a new
 * topic of the same name. Housekeeping (retention, compaction) runs on a timer.
 */
export class PartitionManager {
  readonly #coordinator: Coordinator;
  readonly #config: BrokerConfig;
  readonly #logger: Logger;
  readonly #logsDir: string;
  readonly #partitions = new Map<string, Local>();
  /** Serializes reactions to coordinator events (open/close are async). */
  #chain: Promise<void> = Promise.resolve();
  #unwatch: (() => void) | null = null;
  #housekeeping: NodeJS.Timeout | null = null;
  #links: ReplicaLinks | null = null;
  #diskless: DisklessService | null = null;
  readonly #leadership = new Set<LeadershipListener>();

  constructor(coordinator: Coordinator, config: BrokerConfig, logger: Logger) {
    this.#coordinator = coordinator;
    this.#config = config;
    this.#logger = logger;
    this.#logsDir = join(config.dataDir, 'logs');
  }

  /** Cluster mode: how followers fetch and leaders change the ISR. Set before `start`. */
  setReplicaLinks(links: ReplicaLinks): void {
    this.#links = links;
  }

  /** Diskless partitions (storage.mode=diskless) open through this service. Set before `start`. */
  setDiskless(service: DisklessService): void {
    this.#diskless = service;
    // A partition that lost its buffer to another writer is fenced: reconcile it (close, or reopen from the manifest).
    service.onLost((topic) => {
      this.#chain = this.#chain
        .then(async () => {
          const record = this.#coordinator.topic(topic);
          if (record !== undefined) await this.#reconcile(record);
        })
        .catch((err: unknown) => this.#logger.error({ err, topic }, 'failed to reopen a diskless partition'));
    });
  }

  onLeadership(listener: LeadershipListener): void {
    this.#leadership.add(listener);
  }

  /** A local replica of any role (replication requests), or undefined. */
  replica(topic: string, topicId: string, partition: number): PartitionActor | undefined {
    const local = this.#partitions.get(key(topic, partition));
    return local !== undefined && (topicId === '' || local.topicId === topicId) ? local.actor : undefined;
  }

  /** The node lost its coordinator session: stop leading everything at once (fencing). */
  fenceAll(): void {
    for (const p of this.#partitions.values()) p.actor.fence();
  }

  /** Re-applies the coordinator's view to every partition (after the session came back). */
  reconcileAll(): Promise<void> {
    this.#chain = this.#chain
      .then(async () => {
        for (const topic of this.#coordinator.topics()) await this.#reconcile(topic);
      })
      .catch((err: unknown) => this.#logger.error({ err }, 'failed to apply the coordinator state'));
    return this.#chain;
  }

  async start(): Promise<void> {
    await mkdir(this.#logsDir, { recursive: true });
    this.#unwatch = this.#coordinator.watch((event) => {
      this.#chain = this.#chain.then(() => this.#onEvent(event)).catch((err: unknown) => this.#logger.error({ err }, 'failed to apply a coordinator change'));
    });
    // Through the same chain as coordinator events, so an event arriving meanwhile waits its turn.
    this.#chain = this.#chain.then(async () => {
      await this.#removeStaleDirectories();
      for (const topic of this.#coordinator.topics()) await this.#reconcile(topic);
    });
    await this.#chain;
    const interval = Number(this.#config.broker['log.retention.check.interval.ms']);
    this.#housekeeping = setInterval(() => void this.runHousekeeping(), interval);
    this.#housekeeping.unref();
  }

  /** Looks up a local partition, with Kafka's error when there is none here. */
  lookup(topic: TopicRecord | undefined, partition: number): PartitionLookup {
    if (topic === undefined) return { ok: false, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    const state = topic.partitions[partition];
    if (state === undefined) return { ok: false, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    const local = this.#partitions.get(key(topic.name, partition));
    if (state.leader !== this.#config.nodeId || local === undefined || local.topicId !== topic.topicId || local.actor.role !== 'leader') {
      return { ok: false, errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER };
    }
    return { ok: true, handle: local.actor, topic };
  }

  /** Every local partition, for metrics. */
  *entries(): IterableIterator<{ topic: string; partition: number; handle: PartitionActor }> {
    for (const p of this.#partitions.values()) yield { topic: p.actor.topic, partition: p.actor.partition, handle: p.actor };
  }

  /** Resolves once every coordinator change seen so far has been applied to local partitions. */
  async settled(): Promise<void> {
    await this.#chain;
  }

  /** Retention and compaction on every local partition. */
  async runHousekeeping(): Promise<void> {
    await Promise.all([...this.#partitions.values()].map((p) => p.actor.housekeeping()));
  }

  async close(): Promise<void> {
    this.#unwatch?.();
    if (this.#housekeeping !== null) clearInterval(this.#housekeeping);
    await this.#chain;
    await Promise.all([...this.#partitions.values()].map((p) => p.fetcher?.stop() ?? Promise.resolve()));
    await Promise.all([...this.#partitions.values()].map((p) => p.actor.close()));
    this.#partitions.clear();
  }

  async #onEvent(event: CoordinatorEvent): Promise<void> {
    switch (event.type) {
      case 'topic-created':
      case 'topic-changed':
        await this.#reconcile(event.topic);
        return;
      case 'topic-deleted':
        await this.#dropTopic(event.topic);
        return;
      case 'brokers-changed':
        return;
    }
  }

  /** Opens replicas assigned here, closes those no longer here, sets roles, applies config changes. */
  async #reconcile(topic: TopicRecord): Promise<void> {
    const effective = resolveTopicConfig(topic.configs, this.#config.settings);
    const self = this.#config.nodeId;
    const diskless = effective.storageMode === 'diskless' ? this.#diskless : null;
    for (const state of topic.partitions) {
      const k = key(topic.name, state.partition);
      let local = this.#partitions.get(k);
      const wasLeader = local !== undefined && local.actor.role === 'leader' && local.topicId === topic.topicId;
      // A diskless partition lives only on the node sequencing it: no replicas, no local data.
      const here = diskless !== null ? state.leader === self : state.replicas.includes(self);
      const stale = local !== undefined && local.disklessEpoch !== null && (local.disklessEpoch !== state.leaderEpoch || local.actor.role === 'fenced');
      if (local !== undefined && (!here || local.topicId !== topic.topicId || stale)) {
        this.#partitions.delete(k);
        await local.fetcher?.stop();
        await local.actor.close();
        local = undefined;
      } else if (local !== undefined) {
        if (local.backend instanceof LocalLogBackend) local.backend.updateConfig(logConfigOf(effective));
        else diskless?.reconfigure(local.backend, effective);
        local.actor.updateConfig(actorConfigOf(effective));
      }
      if (!here) {
        if (wasLeader) this.#notifyLeadership(topic.name, state.partition, false);
        continue;
      }
      if (local === undefined) {
        let backend: LocalLogBackend | DisklessBackend;
        if (diskless !== null) {
          backend = diskless.open(topic, state.partition, effective);
        } else {
          const dir = join(this.#logsDir, k);
          await this.#claimDirectory(dir, topic.topicId);
          const log = await PartitionLog.open(dir, logConfigOf(effective), { logger: this.#logger.child({ topic: topic.name, partition: state.partition }) });
          backend = new LocalLogBackend(log);
        }
        const links = this.#links;
        const actor: PartitionActor = new PartitionActor({
          topic: topic.name,
          partition: state.partition,
          backend,
          config: actorConfigOf(effective),
          leaderEpoch: state.leaderEpoch,
          isrSize: state.isr.length,
          logger: this.#logger,
          producerIdExpirationMs: Number(this.#config.broker['producer.id.expiration.ms']),
          replication: {
            selfId: self,
            lagTimeMaxMs: Number(this.#config.broker['replica.lag.time.max.ms']),
            changeIsr: (isr): Promise<readonly number[] | null> => (links === null ? Promise.resolve(null) : links.changeIsr(topic.name, state.partition, actor.leaderEpoch, isr)),
          },
        });
        local = { topicId: topic.topicId, actor, backend, disklessEpoch: diskless !== null ? state.leaderEpoch : null, fetcher: null, following: null };
        this.#partitions.set(k, local);
      }
      await this.#applyRole(topic, state, local);
      const leads = local.actor.role === 'leader';
      if (leads !== wasLeader) this.#notifyLeadership(topic.name, state.partition, leads);
    }
  }

  /** Leader or follower of the coordinator's current epoch (a follower with no leader just waits). */
  async #applyRole(topic: TopicRecord, state: PartitionState, local: Local): Promise<void> {
    const self = this.#config.nodeId;
    if (state.leader === self) {
      await this.#stopFetcher(local);
      // A diskless partition's object store is its only replica: no followers, no ISR to track.
      const alone = local.disklessEpoch !== null;
      await local.actor.becomeLeader({ leaderEpoch: state.leaderEpoch, replicas: alone ? [self] : state.replicas, isr: alone ? [self] : state.isr });
      return;
    }
    if (local.following !== null && local.following.leader === state.leader && local.following.epoch === state.leaderEpoch && local.actor.role === 'follower') return;
    await this.#stopFetcher(local);
    await local.actor.becomeFollower({ leaderEpoch: state.leaderEpoch });
    const links = this.#links;
    if (state.leader < 0 || links === null) return;
    const fetcher = new FollowerFetcher(local.actor, {
      selfId: self,
      leaderEpoch: state.leaderEpoch,
      fetch: links.leaderFetch(topic.name, topic.topicId, state.partition, state.leader),
      maxBytes: this.#config.broker['replica.fetch.max.bytes'],
      maxWaitMs: this.#config.broker['replica.fetch.wait.max.ms'],
      logger: this.#logger,
    });
    local.fetcher = fetcher;
    local.following = { leader: state.leader, epoch: state.leaderEpoch };
    fetcher.start();
  }

  async #stopFetcher(local: Local): Promise<void> {
    const fetcher = local.fetcher;
    local.fetcher = null;
    local.following = null;
    await fetcher?.stop();
  }

  #notifyLeadership(topic: string, partition: number, leads: boolean): void {
    for (const l of this.#leadership) {
      try {
        l(topic, partition, leads);
      } catch (err) {
        this.#logger.error({ err, topic, partition }, 'leadership listener threw');
      }
    }
  }

  async #dropTopic(topic: TopicRecord): Promise<void> {
    for (const state of topic.partitions) {
      const k = key(topic.name, state.partition);
      const local = this.#partitions.get(k);
      if (local !== undefined && local.topicId === topic.topicId) {
        this.#partitions.delete(k);
        await local.fetcher?.stop();
        await local.actor.destroy();
      }
    }
  }

  /** Makes `dir` belong to `topicId`, wiping what an earlier topic of the same name left there. */
  async #claimDirectory(dir: string, topicId: string): Promise<void> {
    const owner = await readFile(join(dir, TOPIC_ID_FILE), 'utf8').then((s) => s.trim(), () => null);
    if (owner !== null && owner !== topicId) {
      this.#logger.warn({ dir, owner, topicId }, 'removing a partition directory left by a deleted topic of the same name');
      await rm(dir, { recursive: true, force: true });
    }
    if (owner !== topicId) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, TOPIC_ID_FILE), `${topicId}\n`);
    }
  }

  /** Deletes directories whose topic no longer exists (a crash between delete and cleanup). */
  async #removeStaleDirectories(): Promise<void> {
    const ids = new Set(this.#coordinator.topics().map((t) => t.topicId));
    for (const entry of await readdir(this.#logsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(this.#logsDir, entry.name);
      const owner = await readFile(join(dir, TOPIC_ID_FILE), 'utf8').then((s) => s.trim(), () => null);
      if (owner !== null && !ids.has(owner)) {
        this.#logger.info({ dir }, 'removing the directory of a deleted topic');
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
}
