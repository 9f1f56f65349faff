import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Coordinator, CoordinatorEvent, TopicRecord } from '@oxbow/controller';
import { LocalLogBackend, PartitionActor } from '@oxbow/partition-actor';
import { KafkaErrorCode } from '@oxbow/protocol';
import { PartitionLog } from '@oxbow/storage';
import { resolveTopicConfig, type BrokerConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import { actorConfigOf, logConfigOf } from './partition-config.js';
import type { PartitionLookup } from './services.js';

interface Local {
  readonly topicId: string;
  readonly actor: PartitionActor;
  readonly backend: LocalLogBackend;
}

const key = (topic: string, partition: number): string => `${topic}-${partition}`;
const TOPIC_ID_FILE = 'partition.metadata';

/**
 * The partitions this node leads: opened (recovering their logs) at start and whenever the
 * coordinator assigns one here, reconfigured when topic configs change, and destroyed when their
 * topic is deleted. Partition directories are `{dataDir}/logs/{topic}-{partition}`, each holding
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

  constructor(coordinator: Coordinator, config: BrokerConfig, logger: Logger) {
    this.#coordinator = coordinator;
    this.#config = config;
    this.#logger = logger;
    this.#logsDir = join(config.dataDir, 'logs');
  }

  async start(): Promise<void> {
    await mkdir(this.#logsDir, { recursive: true });
    this.#unwatch = this.#coordinator.watch((event) => {
      this.#chain = this.#chain.then(() => this.#onEvent(event)).catch((err: unknown) => this.#logger.error({ err }, 'failed to apply a coordinator change'));
    });
    await this.#removeStaleDirectories();
    for (const topic of this.#coordinator.topics()) await this.#reconcile(topic);
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
    if (state.leader !== this.#config.nodeId || local === undefined || local.topicId !== topic.topicId) {
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

  /** Opens partitions led here, closes those no longer led here, applies config changes. */
  async #reconcile(topic: TopicRecord): Promise<void> {
    const effective = resolveTopicConfig(topic.configs, this.#config.settings);
    for (const state of topic.partitions) {
      const k = key(topic.name, state.partition);
      const local = this.#partitions.get(k);
      const leadsHere = state.leader === this.#config.nodeId;
      if (local !== undefined && (!leadsHere || local.topicId !== topic.topicId)) {
        this.#partitions.delete(k);
        await local.actor.close();
      } else if (local !== undefined) {
        local.backend.updateConfig(logConfigOf(effective));
        local.actor.updateConfig(actorConfigOf(effective));
        continue;
      }
      if (!leadsHere) continue;
      const dir = join(this.#logsDir, k);
      await this.#claimDirectory(dir, topic.topicId);
      const log = await PartitionLog.open(dir, logConfigOf(effective), { logger: this.#logger.child({ topic: topic.name, partition: state.partition }) });
      const backend = new LocalLogBackend(log);
      const actor = new PartitionActor({
        topic: topic.name,
        partition: state.partition,
        backend,
        config: actorConfigOf(effective),
        leaderEpoch: state.leaderEpoch,
        isrSize: state.isr.length,
        logger: this.#logger,
        producerIdExpirationMs: Number(this.#config.broker['producer.id.expiration.ms']),
      });
      this.#partitions.set(k, { topicId: topic.topicId, actor, backend });
    }
  }

  async #dropTopic(topic: TopicRecord): Promise<void> {
    for (const state of topic.partitions) {
      const k = key(topic.name, state.partition);
      const local = this.#partitions.get(k);
      if (local !== undefined && local.topicId === topic.topicId) {
        this.#partitions.delete(k);
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
