import type { Coordinator } from '@oxbow/controller';
import type { PartitionHandle } from '@oxbow/partition-actor';
import { KafkaErrorCode } from '@oxbow/protocol';
import type { BrokerConfig } from '../config/index.js';
import type { TopicAdmin } from '../broker/topic-admin.js';
import type { Logger } from '../observability/logger.js';
import type { PartitionLookup } from '../broker/services.js';
import { GROUP_STATE, GroupMember, offsetKey, type ClassicGroup } from './classic-group.js';
import { GroupCoordinator } from './group-coordinator.js';
import type { GroupLog } from './group-types.js';
import { GroupOffsets } from './group-offsets.js';
import { decodeGroupMetadataValue, decodeGroupRecordKey, decodeOffsetCommitValue, type GroupMetadataValue, type OffsetCommitValue } from './group-records.js';
import { appendInternalRecords, findInternalCoordinator, replayPartition, type CoordinatorLookup, type TransactionalWrite } from '../internal/internal-topic.js';
import { ensureOffsetsTopic, OFFSETS_TOPIC, offsetsPartitionFor, type OffsetsTopicRecord } from './offsets-topic.js';

export interface GroupServiceOptions {
  readonly coordinator: Coordinator;
  readonly topics: TopicAdmin;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly partition: (topic: string, partition: number) => PartitionLookup;
}


/**
 * The node's group coordinator: owns the `__consumer_offsets` partitions this node leads, loads
 * them (replaying the log into groups and offsets) before serving their groups, and writes group
 * state to them. Groups of a partition that is not loaded yet answer COORDINATOR_LOAD_IN_PROGRESS;
 * groups whose partition another node leads answer NOT_COORDINATOR.
 */
export class GroupService implements GroupLog {
  readonly membership: GroupCoordinator;
  readonly offsets: GroupOffsets;
  readonly #o: GroupServiceOptions;
  readonly #numPartitions: number;
  /** Partition → true once loaded; a pending entry means loading is under way. */
  readonly #loaded = new Map<number, boolean>();
  #creating: Promise<void> | null = null;
  #retention: NodeJS.Timeout | null = null;

  constructor(options: GroupServiceOptions) {
    this.#o = options;
    const b = options.config.broker;
    this.#numPartitions = b['offsets.topic.num.partitions'];
    this.membership = new GroupCoordinator(
      this,
      {
        minSessionTimeoutMs: b['group.min.session.timeout.ms'],
        maxSessionTimeoutMs: b['group.max.session.timeout.ms'],
        initialRebalanceDelayMs: b['group.initial.rebalance.delay.ms'],
        maxSize: b['group.max.size'],
      },
      options.logger,
    );
    this.offsets = new GroupOffsets(this.membership, {
      maxMetadataBytes: b['offset.metadata.max.bytes'],
      retentionMs: b['offsets.retention.minutes'] * 60_000,
      partitionExists: (topic, partition) => {
        const t = options.coordinator.topic(topic);
        return t !== undefined && partition >= 0 && partition < t.partitions.length;
      },
    });
  }

  /** Loads the local partitions of an existing `__consumer_offsets` and starts offset retention. */
  start(): void {
    const topic = this.#o.coordinator.topic(OFFSETS_TOPIC);
    if (topic !== undefined) for (let p = 0; p < topic.partitions.length; p++) this.#startLoad(p);
    this.#retention = setInterval(() => {
      this.offsets.expireOffsets().catch((err: unknown) => this.#o.logger.error({ err }, 'offset retention failed'));
    }, Number(this.#o.config.broker['offsets.retention.check.interval.ms']));
    this.#retention.unref();
  }

  close(): void {
    if (this.#retention !== null) clearInterval(this.#retention);
    this.membership.close();
  }

  /**
   * This node started or stopped leading `__consumer_offsets` partition `p`: its groups are loaded
   * from the log, or dropped (their members are told NOT_COORDINATOR and find the new coordinator).
   */
  partitionLeadership(p: number, leads: boolean): void {
    this.#loaded.delete(p);
    for (const group of [...this.membership.groups.values()]) if (this.partitionFor(group.groupId) === p) this.membership.unload(group);
    if (leads) this.#startLoad(p);
  }

  /** Groups of the loaded partitions this node coordinates (ListGroups). */
  listGroups(): { groupId: string; protocolType: string; state: string }[] {
    return [...this.membership.groups.values()]
      .filter((g) => this.#loaded.get(this.partitionFor(g.groupId)) === true)
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  partitionFor(groupId: string): number {
    const topic = this.#o.coordinator.topic(OFFSETS_TOPIC);
    return offsetsPartitionFor(groupId, topic?.partitions.length ?? this.#numPartitions);
  }

  /** FindCoordinator for a group: creates `__consumer_offsets` on first use, answers its partition's leader. */
  findGroupCoordinator(groupId: string): Promise<CoordinatorLookup> {
    return findInternalCoordinator(this.#o.coordinator, OFFSETS_TOPIC, () => this.#ensureTopic(), () => this.partitionFor(groupId), this.#o.logger);
  }

  #ensureTopic(): Promise<void> {
    this.#creating ??= (async () => {
      const b = this.#o.config.broker;
      const created = await ensureOffsetsTopic(this.#o.coordinator, this.#o.topics, this.#numPartitions, b['offsets.topic.replication.factor']);
      const topic = this.#o.coordinator.topic(OFFSETS_TOPIC);
      for (let p = 0; p < (topic?.partitions.length ?? 0); p++) {
        if (created) this.#loaded.set(p, true);
        else this.#startLoad(p);
      }
    })().finally(() => {
      this.#creating = null;
    });
    return this.#creating;
  }

  status(groupId: string): number {
    if (this.#o.coordinator.topic(OFFSETS_TOPIC) === undefined) {
      this.#ensureTopic().catch((err: unknown) => this.#o.logger.error({ err }, `creating ${OFFSETS_TOPIC} failed`));
      return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    const p = this.partitionFor(groupId);
    const found = this.#o.partition(OFFSETS_TOPIC, p);
    if (!found.ok) return this.#unavailable(p, found.errorCode);
    const loaded = this.#loaded.get(p);
    if (loaded === true) return 0;
    if (loaded === undefined) this.#startLoad(p);
    return KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  append(groupId: string, records: readonly OffsetsTopicRecord[]): Promise<number> {
    return this.#append(groupId, records, undefined);
  }

  appendTransactional(groupId: string, records: readonly OffsetsTopicRecord[], txn: TransactionalWrite): Promise<number> {
    return this.#append(groupId, records, txn);
  }

  async #append(groupId: string, records: readonly OffsetsTopicRecord[], txn: TransactionalWrite | undefined): Promise<number> {
    const p = this.partitionFor(groupId);
    const found = this.#o.partition(OFFSETS_TOPIC, p);
    if (!found.ok) return this.#unavailable(p, found.errorCode);
    const error = await appendInternalRecords(found.handle, records, Date.now(), txn);
    return error === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER ? KafkaErrorCode.NOT_COORDINATOR : error;
  }

  /**
   * A transaction marker was written to `__consumer_offsets` partition `partition`: the producer's
   * transactional offset commits for groups stored there become committed offsets, or are dropped.
   */
  completeTransaction(partition: number, producerId: bigint, commit: boolean): void {
    this.offsets.completeTransaction(producerId, commit, (groupId) => this.partitionFor(groupId) === partition);
  }

  /**
   * Why a group's partition cannot be used here: another node leads it (NOT_COORDINATOR), this
   * node leads it but has not opened it yet, e.g. just after creating the topic
   * (COORDINATOR_LOAD_IN_PROGRESS, which clients retry), or it has no leader.
   */
  #unavailable(p: number, partitionError: number): number {
    if (partitionError !== KafkaErrorCode.NOT_LEADER_OR_FOLLOWER) return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
    const leader = this.#o.coordinator.topic(OFFSETS_TOPIC)?.partitions[p]?.leader;
    return leader === this.#o.config.nodeId ? KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS : KafkaErrorCode.NOT_COORDINATOR;
  }

  #startLoad(p: number): void {
    if (this.#loaded.has(p)) return;
    const found = this.#o.partition(OFFSETS_TOPIC, p);
    if (!found.ok) return;
    this.#loaded.set(p, false);
    const started = Date.now();
    this.#load(found.handle)
      .then((groups) => {
        this.#loaded.set(p, true);
        this.#o.logger.info({ partition: p, groups, ms: Date.now() - started }, `loaded ${OFFSETS_TOPIC} partition`);
      })
      .catch((err: unknown) => {
        this.#loaded.delete(p);
        this.#o.logger.error({ err, partition: p }, `loading ${OFFSETS_TOPIC} partition failed`);
      });
  }

  /** Replays one partition: the latest value per key wins, tombstones delete. */
  async #load(handle: PartitionHandle): Promise<number> {
    type Loaded = { group: string; topic: string; partition: number; value: OffsetCommitValue };
    const offsets = new Map<string, Loaded>();
    const metadata = new Map<string, GroupMetadataValue>();
    const deletedGroups = new Set<string>();
    // Transactional offset commits wait for their producer's marker.
    const pending = new Map<bigint, Map<string, Loaded>>();
    await replayPartition(handle, {
      record: (record, producerId) => {
        const key = decodeGroupRecordKey(record.key);
        if (key === null) return;
        if (key.type === 'offset') {
          const k = `${key.group}\u0000${offsetKey(key.topic, key.partition)}`;
          let target = producerId === null ? offsets : pending.get(producerId);
          if (target === undefined && producerId !== null) {
            target = new Map<string, Loaded>();
            pending.set(producerId, target);
          }
          if (target === undefined) return;
          if (record.value === null) target.delete(k);
          else target.set(k, { group: key.group, topic: key.topic, partition: key.partition, value: decodeOffsetCommitValue(record.value) });
        } else if (record.value === null) {
          metadata.delete(key.group);
          deletedGroups.add(key.group);
        } else {
          metadata.set(key.group, decodeGroupMetadataValue(record.value));
          deletedGroups.delete(key.group);
        }
      },
      marker: (producerId, commit) => {
        const txn = pending.get(producerId);
        pending.delete(producerId);
        if (commit && txn !== undefined) for (const [k, o] of txn) offsets.set(k, o);
      },
    });
    const now = Date.now();
    const restored = new Set<ClassicGroup>();
    for (const [groupId, value] of metadata) restored.add(this.#restoreGroup(groupId, value, now));
    for (const o of offsets.values()) {
      const group = this.membership.getOrCreate(o.group);
      restored.add(group);
      const v = o.value;
      group.offsets.set(offsetKey(o.topic, o.partition), { topic: o.topic, partition: o.partition, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestamp: Number(v.commitTimestamp) });
    }
    // Transactions still open: their offsets apply when the transaction coordinator's marker comes.
    for (const [producerId, txn] of pending) {
      for (const o of txn.values()) {
        restored.add(this.membership.getOrCreate(o.group));
        const v = o.value;
        this.offsets.addPending(producerId, o.group, { topic: o.topic, partition: o.partition, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestamp: Number(v.commitTimestamp) });
      }
    }
    return restored.size;
  }

  #restoreGroup(groupId: string, value: GroupMetadataValue, now: number): ClassicGroup {
    const group = this.membership.getOrCreate(groupId);
    group.generationId = value.generation;
    group.protocolType = value.protocolType === '' ? null : value.protocolType;
    group.protocolName = value.protocol;
    group.leaderId = value.leader;
    for (const m of value.members) {
      const member = new GroupMember({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeout < 0 ? m.sessionTimeout : m.rebalanceTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        protocolType: value.protocolType,
        protocols: value.protocol === null ? [] : [{ name: value.protocol, metadata: m.subscription }],
      });
      member.assignment = m.assignment;
      group.members.set(m.memberId, member);
      if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    group.transition(group.members.size > 0 ? GROUP_STATE.Stable : GROUP_STATE.Empty, value.currentStateTimestamp > 0n ? Number(value.currentStateTimestamp) : now);
    this.membership.resumeMembers(group);
    return group;
  }
}
