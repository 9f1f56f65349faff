/** Conformance: topic lifecycle (create, read, delete, configs), names, ids and write atomicity. */
import { describe, expect, it } from 'vitest';
import { UUID_V4, expectKafkaError, registerBrokers, topicRequest, type SuiteContext } from './suite-context.js';

export function describeTopicTests(ctx: SuiteContext): void {
  describe('topics', () => {
    it('starts with no topics, a cluster id and a controller id', () => {
      const c = ctx.coordinator;
      expect(c.topics()).toEqual([]);
      expect(typeof c.clusterId).toBe('string');
      expect(c.clusterId.length).toBeGreaterThan(0);
      expect(Number.isInteger(c.controllerId()) && c.controllerId() >= -1).toBe(true);
    });

    it('creates a topic readable by name, by id and in topics()', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const created = await c.createTopic(topicRequest('orders', 3, 2, { 'cleanup.policy': 'compact' }));
      expect(created.name).toBe('orders');
      expect(created.topicId).toMatch(UUID_V4);
      expect(created.configs).toEqual({ 'cleanup.policy': 'compact' });
      expect(created.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      for (const p of created.partitions) {
        expect(p.replicas).toHaveLength(2);
        expect(new Set(p.replicas).size).toBe(2);
        for (const id of p.replicas) expect([1, 2, 3]).toContain(id);
        expect(p.leader).toBe(p.replicas[0]);
        expect(p.leaderEpoch).toBe(0);
        expect([...p.isr].sort()).toEqual([...p.replicas].sort());
      }
      expect(c.topic('orders')).toEqual(created);
      expect(c.topicById(created.topicId)).toEqual(created);
      expect(c.topics()).toEqual([created]);
      expect(c.topic('nope')).toBeUndefined();
      expect(c.topicById('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    });

    it('gives every topic a unique, stable v4 topic id, and a new one when a name is reused', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const created = await Promise.all(Array.from({ length: 20 }, (_, i) => c.createTopic(topicRequest(`t${i}`))));
      const ids = created.map((t) => t.topicId);
      expect(new Set(ids).size).toBe(20);
      for (const id of ids) {
        expect(id).toMatch(UUID_V4);
        expect(id).not.toBe('00000000-0000-0000-0000-000000000000');
      }
      await c.setTopicConfigs('t0', { 'retention.ms': '1000' });
      await c.createPartitions('t0', 2);
      expect(c.topic('t0')?.topicId).toBe(ids[0]);
      const deleted = await c.deleteTopic('t1');
      const again = await c.createTopic(topicRequest('t1'));
      expect(again.topicId).not.toBe(deleted.topicId);
      expect(c.topicById(deleted.topicId)).toBeUndefined();
      expect(c.topicById(again.topicId)?.name).toBe('t1');
    });

    it('lists topics sorted by name', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      for (const name of ['charlie', 'alpha', 'bravo']) await c.createTopic(topicRequest(name));
      expect(c.topics().map((t) => t.name)).toEqual(['alpha', 'bravo', 'charlie']);
    });

    it('refuses a duplicate name with TOPIC_ALREADY_EXISTS and keeps the original', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 2);
      const original = await c.createTopic(topicRequest('dup', 1, 1, { a: '1' }));
      await expectKafkaError(c.createTopic(topicRequest('dup', 4, 2)), 'TOPIC_ALREADY_EXISTS', /dup/);
      expect(c.topic('dup')).toEqual(original);
    });

    it('refuses illegal topic names with INVALID_TOPIC_EXCEPTION', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      for (const name of ['', '.', '..', 'a/b', 'spa ce', 'ü', 'x'.repeat(250)]) {
        await expectKafkaError(c.createTopic(topicRequest(name)), 'INVALID_TOPIC_EXCEPTION');
      }
      await c.createTopic(topicRequest('x'.repeat(249)));
      await c.createTopic(topicRequest('metrics.cpu'));
      await expectKafkaError(c.createTopic(topicRequest('metrics_cpu')), 'INVALID_TOPIC_EXCEPTION', /collides/);
      expect(c.topics()).toHaveLength(2);
    });

    it('refuses a partition count below 1 with INVALID_PARTITIONS', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      for (const partitions of [0, -1, 1.5]) {
        await expectKafkaError(c.createTopic(topicRequest('p', partitions)), 'INVALID_PARTITIONS');
      }
      expect(c.topics()).toEqual([]);
    });

    it('deletes a topic by name and returns it as it was', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const keep = await c.createTopic(topicRequest('keep'));
      const gone = await c.createTopic(topicRequest('gone', 2, 1, { x: 'y' }));
      const deleted = await c.deleteTopic('gone');
      expect(deleted).toEqual(gone);
      expect(c.topic('gone')).toBeUndefined();
      expect(c.topicById(gone.topicId)).toBeUndefined();
      expect(c.topics()).toEqual([keep]);
      await expectKafkaError(c.deleteTopic('gone'), 'UNKNOWN_TOPIC_OR_PARTITION', /gone/);
      await expectKafkaError(c.deleteTopic('never'), 'UNKNOWN_TOPIC_OR_PARTITION');
    });

    it('replaces configs with setTopicConfigs, keeping id and partitions', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const created = await c.createTopic(topicRequest('cfg', 2, 1, { 'retention.ms': '1', 'segment.bytes': '1024' }));
      const updated = await c.setTopicConfigs('cfg', { 'retention.ms': '2', 'storage.mode': 'diskless' });
      expect(updated.configs).toEqual({ 'retention.ms': '2', 'storage.mode': 'diskless' });
      expect(updated.topicId).toBe(created.topicId);
      expect(updated.partitions).toEqual(created.partitions);
      expect(c.topic('cfg')).toEqual(updated);
      expect((await c.setTopicConfigs('cfg', {})).configs).toEqual({});
      await expectKafkaError(c.setTopicConfigs('missing', {}), 'UNKNOWN_TOPIC_OR_PARTITION');
    });

    it('hands out snapshots that later changes do not alter', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 2);
      const created = await c.createTopic(topicRequest('snap', 1, 2, { a: '1' }));
      const listed = c.topics();
      const copy = structuredClone(created);
      await c.setTopicConfigs('snap', { a: '2' });
      await c.createPartitions('snap', 3);
      const p0 = created.partitions[0];
      if (p0 === undefined) throw new Error('no partition 0');
      await c.updatePartition('snap', 0, 0, { ...p0, isr: [p0.leader] });
      await c.createTopic(topicRequest('other'));
      expect(created).toEqual(copy);
      expect(listed).toEqual([copy]);
    });

    it('lets exactly one of several concurrent createTopic calls for one name succeed', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => c.createTopic(topicRequest('race', i + 1, 1))));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const reason of lost) expect(reason).toMatchObject({ errorName: 'TOPIC_ALREADY_EXISTS' });
      expect(c.topics()).toHaveLength(1);
      const winner = won[0];
      if (winner?.status === 'fulfilled') expect(c.topic('race')).toEqual(winner.value);
    });

    it('applies concurrent writes to different topics completely', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 3);
      await Promise.all(['a', 'b', 'c', 'd'].map((name) => c.createTopic(topicRequest(name, 2, 2))));
      await Promise.all([
        c.setTopicConfigs('a', { k: 'v' }),
        c.createPartitions('b', 5),
        c.deleteTopic('c'),
        c.createTopic(topicRequest('e', 1, 3)),
        c.setTopicConfigs('d', { z: '1' }),
      ]);
      expect(c.topics().map((t) => t.name)).toEqual(['a', 'b', 'd', 'e']);
      expect(c.topic('a')?.configs).toEqual({ k: 'v' });
      expect(c.topic('b')?.partitions).toHaveLength(5);
      expect(c.topic('d')?.configs).toEqual({ z: '1' });
    });

    it('rejects writes after close, and close is idempotent', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      await c.createTopic(topicRequest('before'));
      await c.close();
      await expect(c.createTopic(topicRequest('after'))).rejects.toThrow();
      await c.close();
    });
  });
}
