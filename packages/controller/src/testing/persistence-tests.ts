/** Conformance: what survives a restart (everything but session-bound broker registrations). */
import { describe, expect, it } from 'vitest';
import { UUID_V4, expectKafkaError, registerBrokers, topicRequest, type SuiteContext } from './suite-context.js';

export function describePersistenceTests(ctx: SuiteContext): void {
  describe('restart', () => {
    it('keeps the cluster id, topics, topic ids, configs, partitions and leader state', async ({ skip }) => {
      if (!ctx.canRestart) skip();
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const clusterId = c.clusterId;
      await c.createTopic(topicRequest('kept', 3, 2, { 'retention.ms': '60000' }));
      await c.createTopic({ name: 'manual', partitions: 1, replicationFactor: 3, configs: {}, assignments: [[3, 2, 1]] });
      await c.createTopic(topicRequest('dropped', 1, 1));
      await c.setTopicConfigs('kept', { 'retention.ms': '120000', 'cleanup.policy': 'delete' });
      await c.createPartitions('kept', 5);
      await c.updatePartition('manual', 0, 0, { replicas: [3, 2, 1], leader: 2, leaderEpoch: 1, isr: [2, 1] });
      const dropped = await c.deleteTopic('dropped');
      const before = c.topics();

      const restarted = await ctx.restart();
      expect(restarted.clusterId).toBe(clusterId);
      expect(restarted.topics()).toEqual(before);
      for (const t of before) {
        expect(restarted.topic(t.name)).toEqual(t);
        expect(restarted.topicById(t.topicId)).toEqual(t);
      }
      expect(restarted.topic('dropped')).toBeUndefined();
      expect(restarted.topicById(dropped.topicId)).toBeUndefined();

      const again = await ctx.restart();
      expect(again.clusterId).toBe(clusterId);
      expect(again.topics()).toEqual(before);
    });

    it('needs brokers to register again, then accepts writes as before', async ({ skip }) => {
      if (!ctx.canRestart) skip();
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const kept = await c.createTopic(topicRequest('kept', 2, 3));

      const restarted = await ctx.restart();
      expect(restarted.brokers()).toEqual([]);
      await registerBrokers(restarted, 1);
      await expectKafkaError(restarted.createPartitions('kept', 3), 'INVALID_REPLICATION_FACTOR', /\b1\b/);
      await registerBrokers(restarted, 3);
      const grown = await restarted.createPartitions('kept', 3);
      expect(grown.topicId).toBe(kept.topicId);
      const fresh = await restarted.createTopic(topicRequest('fresh', 1, 1));
      expect(fresh.topicId).toMatch(UUID_V4);
      expect(fresh.topicId).not.toBe(kept.topicId);
      await expectKafkaError(restarted.createTopic(topicRequest('kept')), 'TOPIC_ALREADY_EXISTS');
      const p0 = grown.partitions[0];
      if (p0 === undefined) throw new Error('no partition 0');
      const offline = await restarted.updatePartition('kept', 0, 0, { ...p0, leader: -1, leaderEpoch: 1, isr: [] });
      expect(offline).toMatchObject({ leader: -1, leaderEpoch: 1 });
    });
  });
}
