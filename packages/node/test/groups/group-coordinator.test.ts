import { KafkaErrorCode } from '@oxbow/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCoordinator } from '../../src/groups/group-coordinator.js';
import type { GroupLog, JoinRequest } from '../../src/groups/group-types.js';
import { GroupOffsets } from '../../src/groups/group-offsets.js';
import { decodeGroupMetadataValue, decodeGroupRecordKey } from '../../src/groups/group-records.js';
import type { OffsetsTopicRecord } from '../../src/groups/offsets-topic.js';
import { createLogger } from '../../src/observability/logger.js';

/** An in-memory GroupLog: keeps every appended record; `failWith` makes appends fail. */
class TestGroupLog implements GroupLog {
  readonly records: OffsetsTopicRecord[] = [];
  failWith = 0;
  status(): number {
    return 0;
  }
  append(_groupId: string, records: readonly OffsetsTopicRecord[]): Promise<number> {
    if (this.failWith !== 0) return Promise.resolve(this.failWith);
    this.records.push(...records);
    return Promise.resolve(0);
  }
  readonly transactional: { producerId: bigint; records: readonly OffsetsTopicRecord[] }[] = [];
  appendTransactional(_groupId: string, records: readonly OffsetsTopicRecord[], txn: { producerId: bigint }): Promise<number> {
    if (this.failWith !== 0) return Promise.resolve(this.failWith);
    this.transactional.push({ producerId: txn.producerId, records });
    return Promise.resolve(0);
  }
}

const SESSION = 10_000;
const REBALANCE = 20_000;
const consumerMeta = (...topics: string[]): Buffer => {
  const parts = [Buffer.from([0, 1]), Buffer.alloc(4)];
  parts[1]?.writeInt32BE(topics.length);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return Buffer.concat(parts);
};

let log: TestGroupLog;
let groups: GroupCoordinator;
let offsets: GroupOffsets;

function setup(settings: Partial<{ initialRebalanceDelayMs: number; maxSize: number }> = {}): void {
  log = new TestGroupLog();
  groups = new GroupCoordinator(log, { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: settings.initialRebalanceDelayMs ?? 0, maxSize: settings.maxSize ?? 100 }, createLogger({ level: 'silent' }));
  offsets = new GroupOffsets(groups, { maxMetadataBytes: 10, partitionExists: (t) => t !== 'missing', retentionMs: 60_000 });
}

const join = (over: Partial<JoinRequest> = {}): ReturnType<GroupCoordinator['join']> =>
  groups.join({
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: consumerMeta('t') }],
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    clientId: 'c',
    clientHost: 'h',
    requireKnownMemberId: true,
    supportsSkipAssignment: false,
    ...over,
  });

/** The two-step join of a dynamic member (MEMBER_ID_REQUIRED, then join with the id). */
async function joinNew(over: Partial<JoinRequest> = {}): Promise<{ memberId: string; result: ReturnType<GroupCoordinator['join']> }> {
  const first = await join(over);
  expect(first.errorCode).toBe(KafkaErrorCode.MEMBER_ID_REQUIRED);
  return { memberId: first.memberId, result: join({ ...over, memberId: first.memberId }) };
}

const sync = (memberId: string, generationId: number, assignments: { memberId: string; assignment: Buffer }[] = []): ReturnType<GroupCoordinator['sync']> =>
  groups.sync({ groupId: 'g', memberId, generationId, groupInstanceId: null, protocolType: null, protocolName: null, assignments });

const hb = (memberId: string, generationId: number, groupInstanceId: string | null = null): number => groups.heartbeat({ groupId: 'g', memberId, generationId, groupInstanceId });

beforeEach(() => {
  vi.useFakeTimers();
  setup();
});

afterEach(() => {
  groups.close();
  vi.useRealTimers();
});

describe('classic group rebalance', () => {
  it('requires a member id on the first join, elects the first member leader and completes a rebalance', async () => {
    const a = await joinNew();
    const joined = await a.result;
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: a.memberId, memberId: a.memberId });
    expect(joined.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(groups.groups.get('g')?.state).toBe('CompletingRebalance');
    const synced = await sync(a.memberId, 1, [{ memberId: a.memberId, assignment: Buffer.from('A') }]);
    expect(synced).toMatchObject({ errorCode: 0, assignment: Buffer.from('A') });
    expect(groups.groups.get('g')?.state).toBe('Stable');
    // The assignment was written as GroupMetadataValue before the group became Stable.
    const record = log.records.at(-1);
    expect(record === undefined ? null : decodeGroupRecordKey(record.key)).toEqual({ type: 'group', group: 'g' });
    expect(decodeGroupMetadataValue(record?.value ?? Buffer.alloc(0)).members[0]?.assignment).toEqual(Buffer.from('A'));
    expect(hb(a.memberId, 1)).toBe(0);
  });

  it('rebalances when a second member joins: heartbeats say REBALANCE_IN_PROGRESS, followers wait for the leader', async () => {
    const a = await joinNew();
    await a.result;
    await sync(a.memberId, 1, []);
    const b = await joinNew();
    expect(hb(a.memberId, 1)).toBe(KafkaErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = await join({ memberId: a.memberId });
    const bJoin = await b.result;
    expect(aJoin.generationId).toBe(2);
    expect(aJoin.members).toHaveLength(2);
    expect(bJoin).toMatchObject({ generationId: 2, leader: a.memberId, members: [] });
    const follower = sync(b.memberId, 2);
    expect(hb(b.memberId, 1)).toBe(KafkaErrorCode.ILLEGAL_GENERATION);
    await sync(a.memberId, 2, [{ memberId: a.memberId, assignment: Buffer.from('A') }, { memberId: b.memberId, assignment: Buffer.from('B') }]);
    expect((await follower).assignment).toEqual(Buffer.from('B'));
    expect(hb('nobody', 2)).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('lets JoinGroup v0-3 clients join without a member id round trip', async () => {
    const joined = await join({ requireKnownMemberId: false });
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(joined.memberId).toMatch(/^c-/);
    expect(joined.leader).toBe(joined.memberId);
  });

  it('selects the protocol every member supports by preference votes', async () => {
    groups.close();
    setup({ initialRebalanceDelayMs: 1000 });
    const a = await joinNew({ protocols: [{ name: 'x', metadata: Buffer.alloc(0) }, { name: 'range', metadata: Buffer.alloc(0) }] });
    const b = await joinNew({ protocols: [{ name: 'range', metadata: Buffer.alloc(0) }, { name: 'x', metadata: Buffer.alloc(0) }] });
    const c = await joinNew({ protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
    await vi.advanceTimersByTimeAsync(1000);
    for (const m of [a, b, c]) expect((await m.result).protocolName).toBe('range');
    expect((await join({ protocols: [{ name: 'other', metadata: Buffer.alloc(0) }] })).errorCode).toBe(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join({ protocolType: 'connect' })).errorCode).toBe(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('expires a member after its session timeout and rebalances the rest', async () => {
    const a = await joinNew();
    await a.result;
    const b = await joinNew();
    const aJoin = join({ memberId: a.memberId });
    await b.result;
    await aJoin;
    await sync(a.memberId, 2, []);
    await sync(b.memberId, 2);
    // b heartbeats, a goes silent.
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(3000);
      hb(b.memberId, 2);
    }
    expect(groups.groups.get('g')?.members.has(a.memberId)).toBe(false);
    expect(hb(b.memberId, 2)).toBe(KafkaErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await join({ memberId: b.memberId });
    expect(rejoined).toMatchObject({ generationId: 3, leader: b.memberId });
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const a = await joinNew();
    await a.result;
    await sync(a.memberId, 1);
    const b = await joinNew();
    // a never rejoins (but keeps heartbeating): the join phase ends after the rebalance timeout.
    const timer = setInterval(() => hb(a.memberId, 1), 1000);
    await vi.advanceTimersByTimeAsync(REBALANCE + 10);
    clearInterval(timer);
    const bJoin = await b.result;
    expect(bJoin).toMatchObject({ generationId: 2, leader: b.memberId });
    expect(bJoin.members.map((m) => m.memberId)).toEqual([b.memberId]);
    expect(hb(a.memberId, 1)).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes members that send no SyncGroup within the rebalance timeout and rebalances', async () => {
    const a = await joinNew();
    await a.result;
    await sync(a.memberId, 1);
    const b = await joinNew();
    const aJoin = join({ memberId: a.memberId });
    await b.result;
    await aJoin;
    await sync(a.memberId, 2, []);
    // Both heartbeat, but b never syncs.
    const timer = setInterval(() => {
      hb(a.memberId, 2);
      hb(b.memberId, 2);
    }, 1000);
    await vi.advanceTimersByTimeAsync(REBALANCE + 10);
    clearInterval(timer);
    expect(groups.groups.get('g')?.members.has(b.memberId)).toBe(false);
    expect(hb(a.memberId, 2)).toBe(KafkaErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('waits group.initial.rebalance.delay.ms before the first rebalance of a new group', async () => {
    groups.close();
    setup({ initialRebalanceDelayMs: 3000 });
    const a = await joinNew();
    let done = false;
    void a.result.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(2000);
    expect(done).toBe(false);
    const b = await joinNew();
    await vi.advanceTimersByTimeAsync(1100);
    expect((await a.result).members).toHaveLength(2);
    expect((await b.result).generationId).toBe(1);
  });

  it('checks session timeout bounds and group.max.size', async () => {
    expect((await join({ sessionTimeoutMs: 10 })).errorCode).toBe(KafkaErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join({ sessionTimeoutMs: 120_000 })).errorCode).toBe(KafkaErrorCode.INVALID_SESSION_TIMEOUT);
    groups.close();
    setup({ maxSize: 1 });
    await joinNew();
    expect((await join()).errorCode).toBe(KafkaErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  it('answers UNKNOWN_MEMBER_ID for an unknown member id and lets members leave in a batch', async () => {
    expect((await join({ memberId: 'ghost' })).errorCode).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    const a = await joinNew();
    await a.result;
    await sync(a.memberId, 1);
    const left = groups.leave('g', [{ memberId: a.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }]);
    expect(left.members.map((m) => m.errorCode)).toEqual([0, KafkaErrorCode.UNKNOWN_MEMBER_ID]);
    await vi.advanceTimersByTimeAsync(REBALANCE + 10);
    expect(groups.groups.get('g')?.state).toBe('Empty');
  });
});

describe('static membership', () => {
  it('replaces a known group.instance.id without a rebalance and fences the old member id', async () => {
    const first = join({ groupInstanceId: 'i1' });
    const a = await first;
    expect(a.errorCode).toBe(0);
    await sync(a.memberId, 1, [{ memberId: a.memberId, assignment: Buffer.from('A') }]);
    const generation = groups.groups.get('g')?.generationId;
    const again = await join({ groupInstanceId: 'i1' });
    expect(again.errorCode).toBe(0);
    expect(again.memberId).not.toBe(a.memberId);
    expect(groups.groups.get('g')?.generationId).toBe(generation);
    expect(groups.groups.get('g')?.state).toBe('Stable');
    expect((await sync(again.memberId, again.generationId)).assignment).toEqual(Buffer.from('A'));
    // Before v9 the static leader is told the old leader id, so it does not reassign.
    expect(again.leader).toBe(a.memberId);
    expect(hb(a.memberId, again.generationId, 'i1')).toBe(KafkaErrorCode.FENCED_INSTANCE_ID);
    const v9 = await join({ groupInstanceId: 'i1', supportsSkipAssignment: true });
    expect(v9).toMatchObject({ errorCode: 0, generationId: generation, leader: v9.memberId, skipAssignment: true });
    expect(v9.members.map((m) => m.memberId)).toEqual([v9.memberId]);
    expect(groups.groups.get('g')?.generationId).toBe(generation);
    expect((await join({ memberId: a.memberId, groupInstanceId: 'i1' })).errorCode).toBe(KafkaErrorCode.FENCED_INSTANCE_ID);
    // A static member whose join changes the selected protocol rebalances the group.
    const changed = join({ groupInstanceId: 'i1', protocols: [{ name: 'other', metadata: Buffer.alloc(0) }, { name: 'range', metadata: Buffer.alloc(0) }] });
    expect((await changed).generationId).toBe((generation ?? 0) + 1);
    const left = groups.leave('g', [{ memberId: '', groupInstanceId: 'i1' }]);
    expect(left.members[0]?.errorCode).toBe(0);
  });
});

describe('committed offsets', () => {
  it('accepts simple commits (generation -1) for unknown or empty groups and fetches them, -1 for the rest', async () => {
    const errors = await offsets.commit({ groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, offsets: [
      { topic: 't', partition: 0, offset: 5n, leaderEpoch: 1, metadata: 'ok' },
      { topic: 'missing', partition: 0, offset: 5n, leaderEpoch: 1, metadata: null },
      { topic: 't', partition: 1, offset: 5n, leaderEpoch: 1, metadata: 'far too long metadata' },
    ] });
    expect(errors).toEqual([0, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, KafkaErrorCode.OFFSET_METADATA_TOO_LARGE]);
    const fetched = offsets.fetch('g', [{ name: 't', partitions: [0, 1] }]);
    expect(fetched.offsets).toEqual([
      { topic: 't', partition: 0, offset: 5n, leaderEpoch: 1, metadata: 'ok' },
      { topic: 't', partition: 1, offset: -1n, leaderEpoch: -1, metadata: '' },
    ]);
    expect(offsets.fetch('g', null).offsets).toHaveLength(1);
    expect(await offsets.commit({ groupId: 'other', generationId: 3, memberId: 'm', groupInstanceId: null, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] })).toEqual([KafkaErrorCode.ILLEGAL_GENERATION]);
  });

  it("checks a live group's generation and member, and changes nothing when the write fails", async () => {
    const a = await joinNew();
    await a.result;
    const entry = [{ topic: 't', partition: 0, offset: 9n, leaderEpoch: -1, metadata: null }];
    expect(await offsets.commit({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, offsets: entry })).toEqual([KafkaErrorCode.REBALANCE_IN_PROGRESS]);
    await sync(a.memberId, 1);
    expect(await offsets.commit({ groupId: 'g', generationId: 7, memberId: a.memberId, groupInstanceId: null, offsets: entry })).toEqual([KafkaErrorCode.ILLEGAL_GENERATION]);
    expect(await offsets.commit({ groupId: 'g', generationId: 1, memberId: 'ghost', groupInstanceId: null, offsets: entry })).toEqual([KafkaErrorCode.UNKNOWN_MEMBER_ID]);
    log.failWith = KafkaErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(await offsets.commit({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, offsets: entry })).toEqual([KafkaErrorCode.NOT_COORDINATOR]);
    expect(offsets.fetch('g', [{ name: 't', partitions: [0] }]).offsets[0]?.offset).toBe(-1n);
    log.failWith = 0;
    expect(await offsets.commit({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, offsets: entry })).toEqual([0]);
    expect(offsets.fetch('g', [{ name: 't', partitions: [0] }]).offsets[0]?.offset).toBe(9n);
  });

  it('deletes only empty groups, and only offsets of topics nobody subscribes to', async () => {
    const a = await joinNew({ protocols: [{ name: 'range', metadata: consumerMeta('t') }] });
    await a.result;
    await sync(a.memberId, 1);
    await offsets.commit({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, offsets: [
      { topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
      { topic: 'u', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
    ] });
    expect(await offsets.deleteGroup('g')).toBe(KafkaErrorCode.NON_EMPTY_GROUP);
    expect(await offsets.deleteGroup('nope')).toBe(KafkaErrorCode.GROUP_ID_NOT_FOUND);
    const deleted = await offsets.deleteOffsets('g', [{ name: 't', partitions: [0] }, { name: 'u', partitions: [0] }]);
    expect(deleted.results.map((r) => r.errorCode)).toEqual([KafkaErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0]);
    expect(offsets.fetch('g', null).offsets.map((o) => o.topic)).toEqual(['t']);
    groups.leave('g', [{ memberId: a.memberId, groupInstanceId: null }]);
    await vi.advanceTimersByTimeAsync(REBALANCE + 10);
    expect(await offsets.deleteGroup('g')).toBe(0);
    expect(groups.groups.has('g')).toBe(false);
    expect(log.records.at(-1)?.value).toBeNull();
  });

  it('expires offsets of an empty group offsets.retention.minutes after it became empty', async () => {
    await offsets.commit({ groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await offsets.expireOffsets()).toBe(0);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(await offsets.expireOffsets()).toBe(1);
    expect(groups.groups.has('g')).toBe(false);
    expect(log.records.slice(-2).map((r) => r.value)).toEqual([null, null]);
  });

  it('expires offsets of topics a live consumer group no longer subscribes to (KIP-496)', async () => {
    const a = await joinNew({ protocols: [{ name: 'range', metadata: consumerMeta('t') }] });
    await a.result;
    await sync(a.memberId, 1);
    const keepAlive = setInterval(() => hb(a.memberId, 1), 1000);
    await offsets.commit({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, offsets: [
      { topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
      { topic: 'old', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
    ] });
    await vi.advanceTimersByTimeAsync(61_000);
    expect(await offsets.expireOffsets()).toBe(1);
    clearInterval(keepAlive);
    expect(offsets.fetch('g', null).offsets.map((o) => o.topic)).toEqual(['t']);
    expect(groups.groups.get('g')?.state).toBe('Stable');
  });
});

describe('transactional offset commits', () => {
  const entry = (offset: bigint) => [{ topic: 't', partition: 0, offset, leaderEpoch: -1, metadata: null }];
  const txn = (producerId: bigint, offset: bigint) => ({ groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, producerId, producerEpoch: 0, offsets: entry(offset) });

  it('writes inside the transaction and applies the offsets only when it commits', async () => {
    expect(await offsets.txnCommit(txn(5n, 42n))).toEqual([0]);
    expect(log.transactional).toHaveLength(1);
    expect(log.records).toHaveLength(0);
    expect(offsets.hasPending('g', 't', 0)).toBe(true);
    expect(offsets.fetch('g', [{ name: 't', partitions: [0] }]).offsets[0]?.offset).toBe(-1n);
    offsets.completeTransaction(5n, true, () => true);
    expect(offsets.hasPending('g', 't', 0)).toBe(false);
    expect(offsets.fetch('g', [{ name: 't', partitions: [0] }]).offsets[0]?.offset).toBe(42n);
  });

  it('drops the offsets of an aborted transaction, and leaves groups another partition holds alone', async () => {
    await offsets.txnCommit(txn(6n, 7n));
    offsets.completeTransaction(6n, true, () => false);
    expect(offsets.hasPending('g', 't', 0)).toBe(true);
    offsets.completeTransaction(6n, false, () => true);
    expect(offsets.hasPending('g', 't', 0)).toBe(false);
    expect(offsets.fetch('g', [{ name: 't', partitions: [0] }]).offsets[0]?.offset).toBe(-1n);
  });

  it('checks the member when the request names one (v3+)', async () => {
    expect(await offsets.txnCommit({ ...txn(7n, 1n), memberId: 'ghost', generationId: 1 })).toEqual([KafkaErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await offsets.txnCommit({ ...txn(7n, 1n), offsets: [{ topic: 'missing', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] })).toEqual([KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });
});
