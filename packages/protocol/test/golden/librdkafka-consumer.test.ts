/**
 * librdkafka's consumer golden frames: Fetch, ListOffsets, Metadata, and the consumer-group flow
 * (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetFetch, OffsetCommit, LeaveGroup),
 * including the embedded subscription and assignment it writes.
 * Loading and the scenario's constants: librdkafka-fixtures.ts.
 */
import { describe, expect, it } from 'vitest';
import { Fetch } from '../../src/apis/fetch.js';
import { FindCoordinator } from '../../src/apis/find-coordinator.js';
import { Heartbeat } from '../../src/apis/heartbeat.js';
import { JoinGroup } from '../../src/apis/join-group.js';
import { LeaveGroup } from '../../src/apis/leave-group.js';
import { ListOffsets } from '../../src/apis/list-offsets.js';
import { Metadata } from '../../src/apis/metadata.js';
import { OffsetCommit } from '../../src/apis/offset-commit.js';
import { OffsetFetch } from '../../src/apis/offset-fetch.js';
import { SyncGroup } from '../../src/apis/sync-group.js';
import { Reader } from '../../src/io/reader.js';
import { GROUP, KCAT, MEMBER, request, TOPIC } from './librdkafka-fixtures.js';

/** ConsumerProtocolSubscription (JoinGroup protocol metadata) as librdkafka writes it. */
function decodeSubscription(b: Buffer) {
  const r = new Reader(b);
  const version = r.readInt16();
  const topics = Array.from({ length: r.readArrayLength() ?? 0 }, () => r.readString());
  const userData = r.readNullableBytes();
  const ownedPartitions =
    version >= 1
      ? Array.from({ length: r.readArrayLength() ?? 0 }, () => ({
          topic: r.readString(),
          partitions: Array.from({ length: r.readArrayLength() ?? 0 }, () => r.readInt32()),
        }))
      : [];
  expect(r.remaining).toBe(0);
  return { version, topics, userData, ownedPartitions };
}

/** ConsumerProtocolAssignment (SyncGroup assignment) as librdkafka writes it. */
function decodeAssignment(b: Buffer) {
  const r = new Reader(b);
  const version = r.readInt16();
  const topics = Array.from({ length: r.readArrayLength() ?? 0 }, () => ({
    topic: r.readString(),
    partitions: Array.from({ length: r.readArrayLength() ?? 0 }, () => r.readInt32()),
  }));
  const userData = r.readNullableBytes();
  expect(r.remaining).toBe(0);
  return { version, topics, userData };
}

describe('librdkafka golden frames', () => {
  describe('consumer', () => {
    it('Fetch v11: wait, sizes, read_committed, fetch offset 0, no session', () => {
      const body = request('Fetch-v11.bin', Fetch);
      expect(body).toMatchObject({
        replicaId: -1,
        maxWaitMs: 250,
        minBytes: 1,
        maxBytes: 5242880,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        forgottenTopicsData: [],
        rackId: '',
      });
      expect(body.topics.map((t) => t.topic)).toEqual([TOPIC]);
      const partitions = body.topics[0]?.partitions ?? [];
      expect(partitions.length).toBeGreaterThan(0);
      for (const p of partitions) {
        expect([0, 1, 2]).toContain(p.partition);
        expect(p).toMatchObject({ currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 262144 });
      }
    });

    it('ListOffsets v2: earliest, read_committed', () => {
      const body = request('ListOffsets-v2.bin', ListOffsets);
      expect(body).toMatchObject({ replicaId: -1, isolationLevel: 1 });
      expect(body.topics.map((t) => t.name)).toEqual([TOPIC]);
      for (const p of body.topics[0]?.partitions ?? []) {
        expect([0, 1, 2]).toContain(p.partitionIndex);
        expect(p.timestamp).toBe(-2n);
      }
    });

    it('Metadata v4: the topic asked for, auto-creation allowed (producer)', () => {
      expect(request('Metadata-v4.bin', Metadata)).toMatchObject({ topics: [{ name: TOPIC }], allowAutoTopicCreation: true });
    });

    it('Metadata v4 from kcat: brokers only (empty, not null, topic list)', () => {
      expect(request('Metadata-v4-kcat.bin', Metadata, KCAT)).toMatchObject({ topics: [], allowAutoTopicCreation: false });
    });

    it('FindCoordinator v2: the group', () => {
      expect(request('FindCoordinator-v2.bin', FindCoordinator)).toMatchObject({ key: GROUP, keyType: 0 });
    });

    it('JoinGroup v5: range and roundrobin subscriptions to the topic', () => {
      const body = request('JoinGroup-v5.bin', JoinGroup);
      expect(body).toMatchObject({
        groupId: GROUP,
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 300000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
      });
      expect(body.protocols.map((p) => p.name)).toEqual(['range', 'roundrobin']);
      for (const p of body.protocols) {
        expect(decodeSubscription(p.metadata)).toEqual({ version: 1, topics: [TOPIC], userData: Buffer.alloc(0), ownedPartitions: [] });
      }
    });

    it('SyncGroup v3: the leader assigns all three partitions to itself', () => {
      const body = request('SyncGroup-v3.bin', SyncGroup);
      expect(body).toMatchObject({ groupId: GROUP, generationId: 1, memberId: MEMBER, groupInstanceId: null });
      expect(body.assignments.map((a) => a.memberId)).toEqual([MEMBER]);
      expect(decodeAssignment(body.assignments[0]?.assignment ?? Buffer.alloc(0))).toEqual({
        version: 0,
        topics: [{ topic: TOPIC, partitions: [0, 1, 2] }],
        userData: Buffer.alloc(0),
      });
    });

    it('Heartbeat v3', () => {
      expect(request('Heartbeat-v3.bin', Heartbeat)).toMatchObject({ groupId: GROUP, generationId: 1, memberId: MEMBER, groupInstanceId: null });
    });

    it('OffsetFetch v7: the assigned partitions, require_stable', () => {
      expect(request('OffsetFetch-v7.bin', OffsetFetch)).toMatchObject({
        groupId: GROUP,
        topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }],
        requireStable: true,
      });
    });

    it('OffsetCommit v7: six records consumed from every partition', () => {
      const body = request('OffsetCommit-v7.bin', OffsetCommit);
      expect(body).toMatchObject({ groupId: GROUP, generationIdOrMemberEpoch: 1, memberId: MEMBER, groupInstanceId: null });
      expect(body.topics).toEqual([
        {
          name: TOPIC,
          partitions: [0, 1, 2].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: 6n,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: '',
          })),
        },
      ]);
    });

    it('LeaveGroup v1', () => {
      expect(request('LeaveGroup-v1.bin', LeaveGroup)).toMatchObject({ groupId: GROUP, memberId: MEMBER });
    });
  });
});
