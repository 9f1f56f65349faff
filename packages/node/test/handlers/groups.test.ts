import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  KafkaErrorCode,
  LeaveGroup,
  ListGroups,
  Metadata,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  SyncGroup,
} from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { parseBrokerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { startTestBroker, type TestBroker } from '../test-broker.js';

const SETTINGS = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '100', 'offsets.topic.num.partitions': '5' };

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, tries = 100): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (ok(v) || i >= tries) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Auto-creates a topic through Metadata (broker default: one partition). */
async function createTopic(c: KafkaClient, name: string): Promise<void> {
  await c.send(Metadata, { topics: [{ name, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false }, 9);
}

/** One member joins (two steps) and syncs with an assignment; returns its id and generation. */
async function joinAndSync(c: KafkaClient, groupId: string, instance: string | null = null): Promise<{ memberId: string; generationId: number }> {
  const body = { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, groupInstanceId: instance, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]) }], reason: null };
  let res = await until(() => c.send(JoinGroup, { ...body, memberId: '' }, 9), (r) => r.errorCode !== KafkaErrorCode.COORDINATOR_NOT_AVAILABLE && r.errorCode !== KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  if (res.errorCode === KafkaErrorCode.MEMBER_ID_REQUIRED) res = await c.send(JoinGroup, { ...body, memberId: res.memberId }, 9);
  expect(res.errorCode).toBe(0);
  const sync = await c.send(SyncGroup, { groupId, generationId: res.generationId, memberId: res.memberId, groupInstanceId: instance, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: res.memberId, assignment: Buffer.from('A') }] }, 5);
  expect(sync).toMatchObject({ errorCode: 0, protocolName: 'range', assignment: Buffer.from('A') });
  return { memberId: res.memberId, generationId: res.generationId };
}

describe('group APIs over the wire', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker({ settings: SETTINGS });
    c = await b.client();
    await createTopic(c, 't');
  });

  afterAll(async () => {
    await b.close();
  });

  it('FindCoordinator creates __consumer_offsets (and __transaction_state) and names this node', async () => {
    const v0 = await c.send(FindCoordinator, { key: 'g', keyType: 0, coordinatorKeys: [] }, 0);
    expect(v0).toMatchObject({ errorCode: 0, nodeId: 0, host: '127.0.0.1', port: b.port });
    const batched = await c.send(FindCoordinator, { key: '', keyType: 0, coordinatorKeys: ['a', 'b'] }, 4);
    expect(batched.coordinators.map((x) => [x.key, x.errorCode, x.port])).toEqual([['a', 0, b.port], ['b', 0, b.port]]);
    const txn = await c.send(FindCoordinator, { key: 'tx', keyType: 1, coordinatorKeys: [] }, 3);
    expect(txn).toMatchObject({ errorCode: 0, nodeId: 0, port: b.port });
    const md = await c.send(Metadata, { topics: [{ name: '__consumer_offsets', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 9);
    expect(md.topics[0]?.partitions).toHaveLength(5);
  });

  it('joins, syncs, heartbeats, commits, lists, describes and leaves', async () => {
    const m = await joinAndSync(c, 'wire');
    expect((await c.send(Heartbeat, { groupId: 'wire', generationId: m.generationId, memberId: m.memberId, groupInstanceId: null }, 4)).errorCode).toBe(0);
    expect((await c.send(Heartbeat, { groupId: 'wire', generationId: m.generationId + 1, memberId: m.memberId, groupInstanceId: null }, 4)).errorCode).toBe(KafkaErrorCode.ILLEGAL_GENERATION);
    const commit = await c.send(OffsetCommit, { groupId: 'wire', generationIdOrMemberEpoch: m.generationId, memberId: m.memberId, groupInstanceId: null, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 12n, committedLeaderEpoch: 0, committedMetadata: 'meta' }] }] }, 9);
    expect(commit.topics[0]?.partitions[0]?.errorCode).toBe(0);
    const v1 = await c.send(OffsetFetch, { groupId: 'wire', topics: [{ name: 't', partitionIndexes: [0, 1] }], groups: [], requireStable: false }, 1);
    expect(v1.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])).toEqual([[0, 12n, 'meta'], [1, -1n, '']]);
    const v8 = await c.send(OffsetFetch, { groupId: '', topics: [], groups: [{ groupId: 'wire', memberId: null, memberEpoch: -1, topics: null }, { groupId: 'none', memberId: null, memberEpoch: -1, topics: null }], requireStable: true }, 8);
    expect(v8.groups.map((g) => [g.groupId, g.errorCode, g.topics.flatMap((t) => t.partitions.map((p) => p.committedOffset))])).toEqual([['wire', 0, [12n]], ['none', 0, []]]);
    const stable = await c.send(ListGroups, { statesFilter: ['Stable'], typesFilter: [] }, 4);
    expect(stable.groups.map((g) => [g.groupId, g.groupState])).toContainEqual(['wire', 'Stable']);
    expect((await c.send(ListGroups, { statesFilter: ['Empty'], typesFilter: [] }, 4)).groups.map((g) => g.groupId)).not.toContain('wire');
    const described = await c.send(DescribeGroups, { groups: ['wire', 'unknown'], includeAuthorizedOperations: false }, 6);
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.groups[0]?.members[0]?.memberAssignment).toEqual(Buffer.from('A'));
    expect(described.groups[1]?.errorCode).toBe(KafkaErrorCode.GROUP_ID_NOT_FOUND);
    expect((await c.send(DeleteGroups, { groupsNames: ['wire'] }, 2)).results[0]?.errorCode).toBe(KafkaErrorCode.NON_EMPTY_GROUP);
    const od = await c.send(OffsetDelete, { groupId: 'wire', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }, 0);
    expect(od.topics[0]?.partitions[0]?.errorCode).toBe(KafkaErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    const left = await c.send(LeaveGroup, { groupId: 'wire', memberId: '', members: [{ memberId: m.memberId, groupInstanceId: null, reason: null }] }, 5);
    expect(left.members.map((x) => x.errorCode)).toEqual([0]);
    const empty = await until(() => c.send(DescribeGroups, { groups: ['wire'], includeAuthorizedOperations: false }, 5), (r) => r.groups[0]?.groupState === 'Empty');
    expect(empty.groups[0]?.groupState).toBe('Empty');
    expect((await c.send(DeleteGroups, { groupsNames: ['wire'] }, 2)).results[0]?.errorCode).toBe(0);
    const gone = await c.send(OffsetFetch, { groupId: 'wire', topics: null, groups: [], requireStable: false }, 7);
    expect(gone.topics).toEqual([]);
  });
});

describe('group state across a broker restart', () => {
  it('reloads committed offsets and group metadata from __consumer_offsets', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'oxbow-groups-'));
    const sets = Object.entries(SETTINGS).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const start = (): Promise<Broker> => Broker.start(parseBrokerConfig(['--kafka', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--data-dir', dataDir, ...sets], {}), { logger: createLogger({ level: 'silent' }), env: {} });
    let broker = await start();
    try {
      let c = await KafkaClient.connect(`127.0.0.1:${broker.kafkaAddress().port}`);
      await createTopic(c, 't');
      const m = await joinAndSync(c, 'durable', 'static-1');
      await c.send(OffsetCommit, { groupId: 'durable', generationIdOrMemberEpoch: m.generationId, memberId: m.memberId, groupInstanceId: 'static-1', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 77n, committedLeaderEpoch: -1, committedMetadata: null }] }] }, 8);
      c.close();
      await broker.close();
      broker = await start();
      c = await KafkaClient.connect(`127.0.0.1:${broker.kafkaAddress().port}`);
      const fetched = await until(
        () => c.send(OffsetFetch, { groupId: 'durable', topics: [{ name: 't', partitionIndexes: [0] }], groups: [], requireStable: false }, 7),
        (r) => r.errorCode !== KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      );
      expect(fetched.topics[0]?.partitions[0]?.committedOffset).toBe(77n);
      // The member survives the restart: same generation, heartbeats accepted.
      expect((await c.send(Heartbeat, { groupId: 'durable', generationId: m.generationId, memberId: m.memberId, groupInstanceId: 'static-1' }, 4)).errorCode).toBe(0);
      const described = await c.send(DescribeGroups, { groups: ['durable'], includeAuthorizedOperations: false }, 5);
      expect(described.groups[0]?.members.map((x) => [x.memberId, x.groupInstanceId])).toEqual([[m.memberId, 'static-1']]);
      c.close();
    } finally {
      await broker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
