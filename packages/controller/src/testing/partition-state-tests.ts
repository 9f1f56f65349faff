/** Conformance: updatePartition as a compare-and-swap on the leader epoch, and its validation. */
import { describe, expect, it } from 'vitest';
import type { Coordinator, PartitionState } from '../coordinator.js';
import { expectKafkaError, registerBrokers, type SuiteContext } from './suite-context.js';

/** A topic 'p' with 2 partitions on brokers 1, 2, 3 (replicas [1, 2, 3] for partition 0). */
async function setUp(c: Coordinator): Promise<PartitionState> {
  await registerBrokers(c, 3);
  const topic = await c.createTopic({ name: 'p', partitions: 2, replicationFactor: 3, configs: {}, assignments: [[1, 2, 3], [2, 3, 1]] });
  const p0 = topic.partitions[0];
  if (p0 === undefined) throw new Error('partition 0 missing');
  return p0;
}

export function describePartitionStateTests(ctx: SuiteContext): void {
  describe('updatePartition (compare-and-swap on the leader epoch)', () => {
    it('applies an update with the current epoch and returns the new state', async () => {
      const c = ctx.coordinator;
      const p0 = await setUp(c);
      const before = c.topic('p');
      const next = { replicas: [1, 2, 3], leader: 2, leaderEpoch: 1, isr: [2, 3] };
      const result = await c.updatePartition('p', 0, p0.leaderEpoch, next);
      expect(result).toEqual({ partition: 0, ...next });
      expect(c.topic('p')?.partitions[0]).toEqual({ partition: 0, ...next });
      expect(c.topic('p')?.partitions[1]).toEqual(before?.partitions[1]);
      expect(c.topic('p')?.topicId).toBe(before?.topicId);
      expect(c.topicById(before?.topicId ?? '')?.partitions[0]?.leader).toBe(2);
      expect(c.topics()[0]?.partitions[0]?.leaderEpoch).toBe(1);
    });

    it('returns null and changes nothing when the expected epoch is stale', async () => {
      const c = ctx.coordinator;
      await setUp(c);
      await c.updatePartition('p', 0, 0, { replicas: [1, 2, 3], leader: 2, leaderEpoch: 1, isr: [2, 3] });
      const before = c.topic('p');
      expect(await c.updatePartition('p', 0, 0, { replicas: [1, 2, 3], leader: 3, leaderEpoch: 1, isr: [3] })).toBeNull();
      expect(await c.updatePartition('p', 0, 5, { replicas: [1, 2, 3], leader: 3, leaderEpoch: 6, isr: [3] })).toBeNull();
      expect(c.topic('p')).toEqual(before);
      const fresh = await c.updatePartition('p', 0, 1, { replicas: [1, 2, 3], leader: 3, leaderEpoch: 2, isr: [3, 2] });
      expect(fresh).toEqual({ partition: 0, replicas: [1, 2, 3], leader: 3, leaderEpoch: 2, isr: [3, 2] });
    });

    it('changes the ISR within an epoch when the leader stays', async () => {
      const c = ctx.coordinator;
      await setUp(c);
      const shrunk = await c.updatePartition('p', 0, 0, { replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1] });
      expect(shrunk).toEqual({ partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1] });
      const grown = await c.updatePartition('p', 0, 0, { replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1, 3] });
      expect(grown?.isr).toEqual([1, 3]);
    });

    it('accepts a partition without a leader (-1) under a new epoch', async () => {
      const c = ctx.coordinator;
      await setUp(c);
      const offline = await c.updatePartition('p', 0, 0, { replicas: [1, 2, 3], leader: -1, leaderEpoch: 1, isr: [1] });
      expect(offline?.leader).toBe(-1);
      expect(c.topic('p')?.partitions[0]?.leader).toBe(-1);
    });

    it('lets exactly one of several concurrent updates with the same expected epoch win', async () => {
      const c = ctx.coordinator;
      await setUp(c);
      const results = await Promise.all(
        [2, 3, 2, 3].map((leader) => c.updatePartition('p', 0, 0, { replicas: [1, 2, 3], leader, leaderEpoch: 1, isr: [leader] })),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(c.topic('p')?.partitions[0]).toEqual(winners[0]);
    });

    it('refuses malformed states', async () => {
      const c = ctx.coordinator;
      await setUp(c);
      const replicas = [1, 2, 3];
      await expectKafkaError(c.updatePartition('p', 0, 0, { replicas, leader: 2, leaderEpoch: 0, isr: [2] }), 'INVALID_REQUEST');
      await expectKafkaError(c.updatePartition('p', 0, 0, { replicas, leader: 1, leaderEpoch: -1, isr: [1] }), 'INVALID_REQUEST');
      await expectKafkaError(c.updatePartition('p', 0, 0, { replicas, leader: 4, leaderEpoch: 1, isr: [4] }), 'INVALID_REQUEST');
      await expectKafkaError(c.updatePartition('p', 0, 0, { replicas, leader: 2, leaderEpoch: 1, isr: [1, 3] }), 'INVALID_REQUEST');
      await expectKafkaError(c.updatePartition('p', 0, 0, { replicas, leader: 1, leaderEpoch: 0, isr: [1, 1] }), 'INVALID_REQUEST');
      await expectKafkaError(c.updatePartition('p', 0, 0, { replicas: [1, 1], leader: 1, leaderEpoch: 0, isr: [1] }), 'INVALID_REPLICA_ASSIGNMENT');
      await expectKafkaError(c.updatePartition('p', 0, 0, { replicas: [1, 9], leader: 1, leaderEpoch: 0, isr: [1] }), 'INVALID_REPLICA_ASSIGNMENT', /9/);
      expect(c.topic('p')?.partitions[0]).toEqual({ partition: 0, replicas, leader: 1, leaderEpoch: 0, isr: [1, 2, 3] });
    });

    it('reassigns replicas to registered brokers', async () => {
      const c = ctx.coordinator;
      await setUp(c);
      await c.registerBroker({ nodeId: 4, host: '127.0.0.1', port: 9104, rack: null });
      const moved = await c.updatePartition('p', 0, 0, { replicas: [1, 2, 4], leader: 1, leaderEpoch: 1, isr: [1, 2] });
      expect(moved?.replicas).toEqual([1, 2, 4]);
    });

    it('reports an unknown topic or partition with UNKNOWN_TOPIC_OR_PARTITION', async () => {
      const c = ctx.coordinator;
      await setUp(c);
      const next = { replicas: [1, 2, 3], leader: 2, leaderEpoch: 1, isr: [2] };
      await expectKafkaError(c.updatePartition('missing', 0, 0, next), 'UNKNOWN_TOPIC_OR_PARTITION');
      await expectKafkaError(c.updatePartition('p', 2, 0, next), 'UNKNOWN_TOPIC_OR_PARTITION');
      await expectKafkaError(c.updatePartition('p', -1, 0, next), 'UNKNOWN_TOPIC_OR_PARTITION');
    });
  });
}
