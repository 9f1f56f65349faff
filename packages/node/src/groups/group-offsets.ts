import { KafkaErrorCode } from '@oxbow/protocol';
import { GROUP_STATE, offsetKey, type ClassicGroup, type CommittedOffset } from './classic-group.js';
import { subscribedTopics } from './consumer-protocol.js';
import type { GroupCoordinator } from './group-coordinator.js';
import { encodeGroupMetadataKey, encodeOffsetCommitKey, encodeOffsetCommitValue } from './group-records.js';
import type { OffsetsTopicRecord } from './offsets-topic.js';

export interface OffsetCommitEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

export interface OffsetCommitRequestInput {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly offsets: readonly OffsetCommitEntry[];
}

export interface TxnOffsetCommitInput extends OffsetCommitRequestInput {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

type StoredOffset = CommittedOffset & { readonly topic: string; readonly partition: number };

const stored = (o: OffsetCommitEntry, commitTimestamp: number): StoredOffset => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp });

export interface FetchedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string;
}

export interface GroupOffsetsOptions {
  readonly maxMetadataBytes: number;
  /** Topic existence (commits to unknown partitions get UNKNOWN_TOPIC_OR_PARTITION). */
  readonly partitionExists: (topic: string, partition: number) => boolean;
  readonly retentionMs: number;
}

/**
 * Committed offsets of classic groups: OffsetCommit (with Kafka's generation and member checks),
 * OffsetFetch, OffsetDelete, DeleteGroups and offset retention. Offsets are written to the
 * group's `__consumer_offsets` partition and applied in memory only once the write succeeded.
 */
export class GroupOffsets {
  readonly #groups: GroupCoordinator;
  readonly #options: GroupOffsetsOptions;
  /** Transactional offset commits awaiting their transaction's end: producer id → group id → offsets. */
  readonly #pending = new Map<bigint, Map<string, Map<string, StoredOffset>>>();

  constructor(groups: GroupCoordinator, options: GroupOffsetsOptions) {
    this.#groups = groups;
    this.#options = options;
  }

  /** One error code per entry, in request order. */
  async commit(req: OffsetCommitRequestInput): Promise<number[]> {
    const all = (code: number): number[] => req.offsets.map(() => code);
    const status = this.#groups.log.status(req.groupId);
    if (status !== 0) return all(status);
    let group = this.#groups.groups.get(req.groupId);
    if (group === undefined) {
      // Simple (non-group) consumers commit with generation -1 and no member id.
      if (req.generationId >= 0) return all(KafkaErrorCode.ILLEGAL_GENERATION);
      group = this.#groups.getOrCreate(req.groupId);
    } else {
      const error = this.#checkMember(group, req);
      if (error !== 0) return all(error);
    }
    const committed = group;
    const now = this.#groups.now();
    return this.#write(req, now, (records) => this.#groups.log.append(req.groupId, records), (accepted) => {
      for (const o of accepted) committed.offsets.set(offsetKey(o.topic, o.partition), stored(o, now));
      this.#groups.touch(committed, req.memberId);
    });
  }

  /**
   * Validates each entry (metadata size, partition existence), writes the valid ones as one batch
   * and applies them once written; one error code per entry, in request order.
   */
  async #write(req: OffsetCommitRequestInput, now: number, append: (records: OffsetsTopicRecord[]) => Promise<number>, apply: (accepted: OffsetCommitEntry[]) => void): Promise<number[]> {
    const errors = req.offsets.map((o) => {
      if (o.metadata !== null && Buffer.byteLength(o.metadata) > this.#options.maxMetadataBytes) return KafkaErrorCode.OFFSET_METADATA_TOO_LARGE;
      if (!this.#options.partitionExists(o.topic, o.partition)) return KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return 0;
    });
    const accepted = req.offsets.filter((_, i) => errors[i] === 0);
    const records: OffsetsTopicRecord[] = accepted.map((o) => ({
      key: encodeOffsetCommitKey({ group: req.groupId, topic: o.topic, partition: o.partition }),
      value: encodeOffsetCommitValue({ offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: BigInt(now) }),
    }));
    const written = await append(records);
    if (written !== 0) {
      const code = written === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER ? KafkaErrorCode.NOT_COORDINATOR : written;
      return errors.map((e) => (e === 0 ? code : e));
    }
    apply(accepted);
    return errors;
  }

  /**
   * TxnOffsetCommit: the offsets are written to the group's partition inside the producer's
   * transaction and become committed offsets only when its commit marker is written there
   * (`completeTransaction`); until then OffsetFetch with require_stable answers
   * UNSTABLE_OFFSET_COMMIT for them. Member checks apply when the request names a member (v3+).
   */
  async txnCommit(req: TxnOffsetCommitInput): Promise<number[]> {
    const all = (code: number): number[] => req.offsets.map(() => code);
    const status = this.#groups.log.status(req.groupId);
    if (status !== 0) return all(status);
    const group = this.#groups.groups.get(req.groupId) ?? this.#groups.getOrCreate(req.groupId);
    if (req.memberId !== '' || req.generationId >= 0) {
      if (group.is(GROUP_STATE.Dead)) return all(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE);
      if (req.groupInstanceId !== null) {
        const owner = group.staticMembers.get(req.groupInstanceId);
        if (owner !== undefined && owner !== req.memberId) return all(KafkaErrorCode.FENCED_INSTANCE_ID);
      }
      if (req.memberId !== '' && !group.members.has(req.memberId)) return all(KafkaErrorCode.UNKNOWN_MEMBER_ID);
      if (req.generationId >= 0 && req.generationId !== group.generationId) return all(KafkaErrorCode.ILLEGAL_GENERATION);
    }
    const now = this.#groups.now();
    return this.#write(req, now, (records) => this.#groups.log.appendTransactional(req.groupId, records, { producerId: req.producerId, producerEpoch: req.producerEpoch }), (accepted) => {
      for (const o of accepted) this.addPending(req.producerId, req.groupId, stored(o, now));
    });
  }

  /** Remembers a transactional offset commit (written, or replayed from the log) until its marker. */
  addPending(producerId: bigint, groupId: string, offset: StoredOffset): void {
    let byGroup = this.#pending.get(producerId);
    if (byGroup === undefined) {
      byGroup = new Map<string, Map<string, StoredOffset>>();
      this.#pending.set(producerId, byGroup);
    }
    let offsets = byGroup.get(groupId);
    if (offsets === undefined) {
      offsets = new Map<string, StoredOffset>();
      byGroup.set(groupId, offsets);
    }
    offsets.set(offsetKey(offset.topic, offset.partition), offset);
  }

  /** The producer's transaction ended: its pending offsets for the groups `owns` selects are applied (commit) or dropped. */
  completeTransaction(producerId: bigint, commit: boolean, owns: (groupId: string) => boolean): void {
    const byGroup = this.#pending.get(producerId);
    if (byGroup === undefined) return;
    for (const [groupId, offsets] of byGroup) {
      if (!owns(groupId)) continue;
      byGroup.delete(groupId);
      if (!commit) continue;
      const group = this.#groups.getOrCreate(groupId);
      for (const [k, o] of offsets) group.offsets.set(k, o);
    }
    if (byGroup.size === 0) this.#pending.delete(producerId);
  }

  /** True while an open transaction has committed an offset for the group's partition. */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    const k = offsetKey(topic, partition);
    for (const byGroup of this.#pending.values()) if (byGroup.get(groupId)?.has(k) === true) return true;
    return false;
  }

  /** Kafka's OffsetCommit checks against a live group. */
  #checkMember(group: ClassicGroup, req: OffsetCommitRequestInput): number {
    if (group.is(GROUP_STATE.Dead)) return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (req.generationId < 0 && group.is(GROUP_STATE.Empty)) return 0;
    if (req.groupInstanceId !== null) {
      const owner = group.staticMembers.get(req.groupInstanceId);
      if (owner !== undefined && owner !== req.memberId) return KafkaErrorCode.FENCED_INSTANCE_ID;
    }
    if (group.is(GROUP_STATE.CompletingRebalance)) return KafkaErrorCode.REBALANCE_IN_PROGRESS;
    if (!group.members.has(req.memberId)) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return KafkaErrorCode.ILLEGAL_GENERATION;
    return 0;
  }

  /**
   * Committed offsets of a group: the named partitions (unknown ones as offset -1), or every
   * partition with an offset when `topics` is null.
   */
  fetch(groupId: string, topics: readonly { name: string; partitions: readonly number[] }[] | null): { errorCode: number; offsets: FetchedOffset[] } {
    const status = this.#groups.log.status(groupId);
    if (status !== 0) return { errorCode: status, offsets: [] };
    const group = this.#groups.groups.get(groupId);
    if (topics === null) {
      const offsets = group === undefined ? [] : [...group.offsets.values()].map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata }));
      return { errorCode: 0, offsets };
    }
    const offsets = topics.flatMap((t) =>
      t.partitions.map((p): FetchedOffset => {
        const o = group?.offsets.get(offsetKey(t.name, p));
        return o === undefined ? { topic: t.name, partition: p, offset: -1n, leaderEpoch: -1, metadata: '' } : { topic: t.name, partition: p, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata };
      }),
    );
    return { errorCode: 0, offsets };
  }

  /** OffsetDelete: removes offsets of topics no consumer-protocol member subscribes to. */
  async deleteOffsets(groupId: string, topics: readonly { name: string; partitions: readonly number[] }[]): Promise<{ errorCode: number; results: { topic: string; partition: number; errorCode: number }[] }> {
    const status = this.#groups.log.status(groupId);
    if (status !== 0) return { errorCode: status, results: [] };
    const group = this.#groups.groups.get(groupId);
    if (group === undefined || group.is(GROUP_STATE.Dead)) return { errorCode: KafkaErrorCode.GROUP_ID_NOT_FOUND, results: [] };
    if (group.protocolType !== null && group.protocolType !== 'consumer' && !group.is(GROUP_STATE.Empty)) return { errorCode: KafkaErrorCode.NON_EMPTY_GROUP, results: [] };
    const results = topics.flatMap((t) => {
      const subscribed = group.isSubscribedTo(t.name, subscribedTopics);
      return t.partitions.map((p) => ({ topic: t.name, partition: p, errorCode: subscribed ? KafkaErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : 0 }));
    });
    const doomed = results.filter((r) => r.errorCode === 0 && group.offsets.has(offsetKey(r.topic, r.partition)));
    const written = await this.#groups.log.append(groupId, doomed.map((r) => ({ key: encodeOffsetCommitKey({ group: groupId, topic: r.topic, partition: r.partition }), value: null })));
    if (written !== 0) return { errorCode: written, results: [] };
    for (const r of doomed) group.offsets.delete(offsetKey(r.topic, r.partition));
    return { errorCode: 0, results };
  }

  /** DeleteGroups for one group: only Empty groups (NON_EMPTY_GROUP otherwise), offsets included. */
  async deleteGroup(groupId: string): Promise<number> {
    const status = this.#groups.log.status(groupId);
    if (status !== 0) return status;
    const group = this.#groups.groups.get(groupId);
    if (group === undefined || group.is(GROUP_STATE.Dead)) return KafkaErrorCode.GROUP_ID_NOT_FOUND;
    if (!group.is(GROUP_STATE.Empty)) return KafkaErrorCode.NON_EMPTY_GROUP;
    const error = await this.#writeTombstones(group, [...group.offsets.values()], true);
    if (error !== 0) return error;
    this.#groups.unload(group);
    return 0;
  }

  async #writeTombstones(group: ClassicGroup, offsets: readonly { topic: string; partition: number }[], wholeGroup: boolean): Promise<number> {
    const records: OffsetsTopicRecord[] = offsets.map((o) => ({ key: encodeOffsetCommitKey({ group: group.groupId, topic: o.topic, partition: o.partition }), value: null }));
    if (wholeGroup) records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
    return this.#groups.log.append(group.groupId, records);
  }

  /**
   * Offset retention (offsets.retention.minutes): an Empty group's offsets expire that long after
   * it became empty; offsets of a group without a protocol (simple commits only) that long after
   * their commit; in a live "consumer" group, offsets of topics no member subscribes to that long
   * after their commit (KIP-496). An Empty group left with no offsets is deleted.
   */
  async expireOffsets(): Promise<number> {
    const now = this.#groups.now();
    let expired = 0;
    for (const group of [...this.#groups.groups.values()]) {
      if (this.#groups.log.status(group.groupId) !== 0) continue;
      const empty = group.is(GROUP_STATE.Empty);
      const liveConsumer = group.is(GROUP_STATE.Stable) && group.protocolType === 'consumer';
      if (!empty && !liveConsumer) continue;
      const base = (o: { commitTimestamp: number; topic: string }): number | null => {
        if (liveConsumer) return group.isSubscribedTo(o.topic, subscribedTopics) ? null : o.commitTimestamp;
        return group.protocolType === null ? o.commitTimestamp : Math.max(group.stateTimestamp, o.commitTimestamp);
      };
      const doomed = [...group.offsets.values()].filter((o) => {
        const from = base(o);
        return from !== null && now - from >= this.#options.retentionMs;
      });
      const emptyAfter = empty && doomed.length === group.offsets.size;
      if (doomed.length === 0 && !emptyAfter) continue;
      const error = await this.#writeTombstones(group, doomed, emptyAfter);
      if (error !== 0) continue;
      for (const o of doomed) group.offsets.delete(offsetKey(o.topic, o.partition));
      expired += doomed.length;
      if (emptyAfter && group.is(GROUP_STATE.Empty) && group.members.size === 0) this.#groups.unload(group);
    }
    return expired;
  }
}
