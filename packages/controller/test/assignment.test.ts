import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignReplicas, newPartitionState, validateAssignments, validatePartitionUpdate } from '../src/assignment.js';
import type { BrokerInfo, TopicRecord } from '../src/coordinator.js';
import { isValidTopicId, newClusterId, newTopicId, topicCollisionKey, validateTopicName } from '../src/identifiers.js';

const broker = (nodeId: number, rack: string | null = null): BrokerInfo => ({ nodeId, host: 'h', port: 9092, rack });

function counts(lists: readonly (readonly number[])[], ids: readonly number[], onlyLeaders = false): number[] {
  const m = new Map(ids.map((id) => [id, 0]));
  for (const l of lists) for (const id of onlyLeaders ? l.slice(0, 1) : l) m.set(id, (m.get(id) ?? 0) + 1);
  return [...m.values()];
}
const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);

const asTopic = (lists: number[][]): TopicRecord => ({
  name: 'existing',
  topicId: '00000000-0000-4000-8000-000000000001',
  configs: {},
  partitions: lists.map((r, i) => newPartitionState(i, r, new Set(r))),
});

describe('assignReplicas', () => {
  it('gives distinct replicas and keeps replica and leader counts within one on equally loaded brokers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }), fc.integer({ min: 1, max: 60 }), fc.nat(1000))),
        ([n, rf, partitions, startOffset]) => {
          const brokers = Array.from({ length: n }, (_, i) => broker(i * 3 + 1));
          const ids = brokers.map((b) => b.nodeId);
          const lists = assignReplicas({ brokers, existing: [], partitionCount: partitions, replicationFactor: rf, startOffset });
          expect(lists).toHaveLength(partitions);
          for (const l of lists) {
            expect(new Set(l).size).toBe(rf);
            for (const id of l) expect(ids).toContain(id);
          }
          expect(spread(counts(lists, ids))).toBeLessThanOrEqual(1);
          expect(spread(counts(lists, ids, true))).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('balances replicas and leaders within one for every fresh layout up to 8 brokers and 48 partitions', () => {
    const failures: string[] = [];
    for (let n = 1; n <= 8; n++) {
      const brokers = Array.from({ length: n }, (_, i) => broker(i));
      const ids = brokers.map((b) => b.nodeId);
      for (let rf = 1; rf <= n; rf++) {
        for (let partitions = 1; partitions <= 48; partitions++) {
          const lists = assignReplicas({ brokers, existing: [], partitionCount: partitions, replicationFactor: rf, startOffset: 0 });
          if (spread(counts(lists, ids)) > 1 || spread(counts(lists, ids, true)) > 1) failures.push(`${n}/${rf}/${partitions}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('keeps the cluster-wide spread within one when topics are added one after another', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.nat(100)), { minLength: 1, maxLength: 8 }), (n, topics) => {
        const brokers = Array.from({ length: n }, (_, i) => broker(i));
        const ids = brokers.map((b) => b.nodeId);
        const existing: TopicRecord[] = [];
        const all: number[][] = [];
        for (const [partitions, offset] of topics) {
          const rf = 1 + (offset % n);
          const lists = assignReplicas({ brokers, existing, partitionCount: partitions, replicationFactor: rf, startOffset: offset });
          existing.push(asTopic(lists));
          all.push(...lists);
          expect(spread(counts(all, ids))).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('puts each partition on as many racks as possible and balances equal racks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 30 }), fc.nat(1000), (racks, perRack, partitions, offset) => {
        // Brokers of one rack get adjacent ids, the layout that defeats naive round-robin.
        const brokers = Array.from({ length: racks * perRack }, (_, i) => broker(i + 1, `rack-${Math.floor(i / perRack)}`));
        const rackOf = new Map(brokers.map((b) => [b.nodeId, b.rack]));
        const rf = Math.min(racks * perRack, 1 + (offset % 3));
        const lists = assignReplicas({ brokers, existing: [], partitionCount: partitions, replicationFactor: rf, startOffset: offset });
        for (const l of lists) {
          expect(new Set(l).size).toBe(rf);
          expect(new Set(l.map((id) => rackOf.get(id))).size).toBe(Math.min(rf, racks));
        }
        expect(spread(counts(lists, brokers.map((b) => b.nodeId)))).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('starts at the broker the offset names and takes brokers in turn on equal loads', () => {
    const brokers = [broker(1), broker(2), broker(3)];
    const assign = (startOffset: number, rf: number): number[][] =>
      assignReplicas({ brokers, existing: [], partitionCount: 3, replicationFactor: rf, startOffset });
    expect(assign(0, 1)).toEqual([[1], [2], [3]]);
    expect(assign(1, 1)).toEqual([[2], [3], [1]]);
    expect(assign(-1, 1)).toEqual([[3], [1], [2]]);
    expect(assign(1, 2)[0]).toEqual([2, 3]);
  });
});

describe('validateAssignments and validatePartitionUpdate', () => {
  const registered = new Set([1, 2, 3]);

  it('names the partition in its messages, counting from firstPartition', () => {
    expect(() => validateAssignments([[1, 2], [3, 3]], registered, { firstPartition: 4 })).toThrow(/partition 5/);
    expect(() => validateAssignments([[1, 2], [3]], registered)).toThrow(/partition 1 has 1 replicas where 2 were expected/);
  });

  it('allows an existing replica that is no longer registered to stay', () => {
    const current = newPartitionState(0, [1, 4], new Set([1, 4]));
    expect(() => validatePartitionUpdate(current, { replicas: [1, 4], leader: 1, leaderEpoch: 0, isr: [1] }, registered)).not.toThrow();
    expect(() => validatePartitionUpdate(current, { replicas: [1, 5], leader: 1, leaderEpoch: 0, isr: [1] }, registered)).toThrow(/5/);
  });
});

describe('identifiers', () => {
  it('makes 22-character base64url cluster ids of 16 bytes without dashes', () => {
    for (let i = 0; i < 200; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });

  it('makes v4 topic ids, skipping taken ones and those whose base64 form has a dash', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const id = newTopicId((candidate) => taken.has(candidate));
      expect(isValidTopicId(id)).toBe(true);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url')).not.toContain('-');
      expect(taken.has(id)).toBe(false);
      taken.add(id);
    }
    let calls = 0;
    newTopicId(() => ++calls < 5);
    expect(calls).toBe(5);
    expect(isValidTopicId('00000000-0000-0000-0000-000000000000')).toBe(false);
  });

  it("validates topic names as Kafka does, and maps '.' and '_' to one collision key", () => {
    for (const ok of ['a', 'A-b_c.1', 'x'.repeat(249), '...']) expect(() => validateTopicName(ok)).not.toThrow();
    for (const bad of ['', '.', '..', 'x'.repeat(250), 'a b', 'a/b', 'a:b']) {
      expect(() => validateTopicName(bad)).toThrow(expect.objectContaining({ errorName: 'INVALID_TOPIC_EXCEPTION' }));
    }
    expect(topicCollisionKey('a.b_c')).toBe(topicCollisionKey('a_b.c'));
  });
});
