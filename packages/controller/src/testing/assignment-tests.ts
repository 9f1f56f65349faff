/** Conformance: replica assignment (balance, racks, replication factor), explicit assignments, createPartitions. */
import { describe, expect, it } from 'vitest';
import type { TopicRecord } from '../coordinator.js';
import { expectKafkaError, loadPerBroker, registerBrokers, spread, topicRequest, type SuiteContext } from './suite-context.js';

function expectDistinctReplicas(topic: TopicRecord, replicationFactor: number, brokerIds: readonly number[]): void {
  for (const p of topic.partitions) {
    expect(p.replicas).toHaveLength(replicationFactor);
    expect(new Set(p.replicas).size).toBe(replicationFactor);
    for (const id of p.replicas) expect(brokerIds).toContain(id);
  }
}

export function describeAssignmentTests(ctx: SuiteContext): void {
  describe('replica assignment', () => {
    it('refuses a replication factor above the registered brokers, saying how many there are', async () => {
      const c = ctx.coordinator;
      await expectKafkaError(c.createTopic(topicRequest('none', 1, 1)), 'INVALID_REPLICATION_FACTOR', /\b0\b/);
      await registerBrokers(c, 3);
      await expectKafkaError(c.createTopic(topicRequest('big', 1, 4)), 'INVALID_REPLICATION_FACTOR', /\b3\b.*broker|broker.*\b3\b/);
      for (const rf of [0, -2]) await expectKafkaError(c.createTopic(topicRequest('zero', 1, rf)), 'INVALID_REPLICATION_FACTOR');
      expect(c.topics()).toEqual([]);
      await c.createTopic(topicRequest('fits', 1, 3));
    });

    for (const [partitions, rf] of [[6, 3], [7, 2], [5, 1], [12, 2], [1, 1], [10, 3]] as const) {
      it(`balances ${partitions} partitions × RF ${rf} over 3 brokers within one replica per broker`, async () => {
        const c = ctx.coordinator;
        await registerBrokers(c, 3);
        const topic = await c.createTopic(topicRequest('balanced', partitions, rf));
        expectDistinctReplicas(topic, rf, [1, 2, 3]);
        const load = loadPerBroker([topic], [1, 2, 3]);
        expect(spread(load.replicas)).toBeLessThanOrEqual(1);
        expect(spread(load.leaders)).toBeLessThanOrEqual(1);
      });
    }

    it('balances across topics: successive single-partition topics land on different brokers', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const topics: TopicRecord[] = [];
      for (let i = 0; i < 9; i++) topics.push(await c.createTopic(topicRequest(`single-${i}`, 1, 1)));
      expect(loadPerBroker(topics, [1, 2, 3]).replicas).toEqual([3, 3, 3]);
    });

    it('fills emptier brokers first, so a broker that joins later catches up', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 2);
      const first = await c.createTopic(topicRequest('early', 4, 1));
      await c.registerBroker({ nodeId: 3, host: '127.0.0.1', port: 9103, rack: null });
      const second = await c.createTopic(topicRequest('late', 2, 1));
      expect(second.partitions.map((p) => p.replicas[0])).toEqual([3, 3]);
      expect(loadPerBroker([first, second], [1, 2, 3]).replicas).toEqual([2, 2, 2]);
    });

    it('spreads each partition across racks (3 racks, RF 3)', async () => {
      const c = ctx.coordinator;
      const brokers = await registerBrokers(c, 6, ['a', 'a', 'b', 'b', 'c', 'c']);
      const rackOf = new Map(brokers.map((b) => [b.nodeId, b.rack]));
      const topic = await c.createTopic(topicRequest('racked', 12, 3));
      expectDistinctReplicas(topic, 3, [1, 2, 3, 4, 5, 6]);
      for (const p of topic.partitions) expect(new Set(p.replicas.map((id) => rackOf.get(id))).size).toBe(3);
      expect(spread(loadPerBroker([topic], [1, 2, 3, 4, 5, 6]).replicas)).toBeLessThanOrEqual(1);
    });

    it('spreads each partition across racks (2 racks, RF 2) and uses every rack when RF exceeds the racks', async () => {
      const c = ctx.coordinator;
      const brokers = await registerBrokers(c, 6, ['east', 'east', 'east', 'west', 'west', 'west']);
      const rackOf = new Map(brokers.map((b) => [b.nodeId, b.rack]));
      const two = await c.createTopic(topicRequest('two', 9, 2));
      for (const p of two.partitions) expect(new Set(p.replicas.map((id) => rackOf.get(id))).size).toBe(2);
      const three = await c.createTopic(topicRequest('three', 6, 3));
      expectDistinctReplicas(three, 3, [1, 2, 3, 4, 5, 6]);
      for (const p of three.partitions) expect(new Set(p.replicas.map((id) => rackOf.get(id))).size).toBe(2);
    });
  });

  describe('explicit assignments', () => {
    it('uses the given replica lists verbatim: leader = first replica, isr = all', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const lists = [[3, 1], [2, 3], [1, 2]];
      const topic = await c.createTopic({ name: 'manual', partitions: 3, replicationFactor: 2, configs: {}, assignments: lists });
      expect(topic.partitions.map((p) => p.replicas)).toEqual(lists);
      expect(topic.partitions.map((p) => p.leader)).toEqual([3, 2, 1]);
      expect(topic.partitions.map((p) => [...p.isr].sort())).toEqual(lists.map((l) => [...l].sort()));
      const loose = await c.createTopic({ name: 'loose', partitions: -1, replicationFactor: -1, configs: {}, assignments: [[2]] });
      expect(loose.partitions.map((p) => p.replicas)).toEqual([[2]]);
    });

    it('refuses unknown brokers, duplicates and inconsistent lengths with INVALID_REPLICA_ASSIGNMENT', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const bad: [readonly (readonly number[])[], number, number, RegExp | undefined][] = [
        [[[1, 7]], 1, 2, /7/],
        [[[1, 1]], 1, 2, /[Dd]uplicate/],
        [[[1, 2], [3]], 2, -1, undefined],
        [[[1, 2], [3, 1]], 3, 2, undefined],
        [[[1, 2]], 1, 3, undefined],
        [[[]], 1, -1, undefined],
        [[], -1, -1, undefined],
      ];
      for (const [assignments, partitions, replicationFactor, message] of bad) {
        await expectKafkaError(c.createTopic({ name: 'bad', partitions, replicationFactor, configs: {}, assignments }), 'INVALID_REPLICA_ASSIGNMENT', message);
      }
      expect(c.topics()).toEqual([]);
    });
  });

  describe('createPartitions', () => {
    it('grows a topic, leaving existing partitions alone and keeping the replication factor', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const before = await c.createTopic(topicRequest('grow', 3, 2, { a: 'b' }));
      const after = await c.createPartitions('grow', 9);
      expect(after.topicId).toBe(before.topicId);
      expect(after.configs).toEqual({ a: 'b' });
      expect(after.partitions.slice(0, 3)).toEqual(before.partitions);
      expect(after.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expectDistinctReplicas(after, 2, [1, 2, 3]);
      for (const p of after.partitions.slice(3)) {
        expect(p.leader).toBe(p.replicas[0]);
        expect(p.leaderEpoch).toBe(0);
        expect([...p.isr].sort()).toEqual([...p.replicas].sort());
      }
      expect(spread(loadPerBroker([after], [1, 2, 3]).replicas)).toBeLessThanOrEqual(1);
      expect(c.topic('grow')).toEqual(after);
    });

    it('refuses a count that is not an increase, in Kafka words', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const topic = await c.createTopic(topicRequest('fixed', 3));
      await expectKafkaError(c.createPartitions('fixed', 3), 'INVALID_PARTITIONS', /currently has 3 partitions, 3 would not be an increase/);
      await expectKafkaError(c.createPartitions('fixed', 2), 'INVALID_PARTITIONS', /currently has 3 partitions, 2 would not be an increase/);
      await expectKafkaError(c.createPartitions('fixed', 0), 'INVALID_PARTITIONS');
      await expectKafkaError(c.createPartitions('missing', 5), 'UNKNOWN_TOPIC_OR_PARTITION');
      expect(c.topic('fixed')).toEqual(topic);
    });

    it('takes explicit assignments for the new partitions and validates them', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      await c.createTopic(topicRequest('manual', 1, 2));
      await expectKafkaError(c.createPartitions('manual', 3, [[1, 2]]), 'INVALID_REPLICA_ASSIGNMENT');
      await expectKafkaError(c.createPartitions('manual', 2, [[1]]), 'INVALID_REPLICA_ASSIGNMENT');
      await expectKafkaError(c.createPartitions('manual', 2, [[1, 9]]), 'INVALID_REPLICA_ASSIGNMENT', /9/);
      await expectKafkaError(c.createPartitions('manual', 2, [[2, 2]]), 'INVALID_REPLICA_ASSIGNMENT');
      expect(c.topic('manual')?.partitions).toHaveLength(1);
      const grown = await c.createPartitions('manual', 3, [[3, 1], [2, 3]]);
      expect(grown.partitions.slice(1).map((p) => [p.partition, p.replicas, p.leader])).toEqual([
        [1, [3, 1], 3],
        [2, [2, 3], 2],
      ]);
    });
  });
}
