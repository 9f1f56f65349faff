/** Conformance: the broker registry and watch events. */
import { describe, expect, it } from 'vitest';
import type { CoordinatorEvent } from '../coordinator.js';
import { expectKafkaError, recordEvents, registerBrokers, settle, topicRequest, type SuiteContext } from './suite-context.js';

export function describeWatchTests(ctx: SuiteContext): void {
  describe('brokers', () => {
    it('lists registered brokers by node id; re-registering updates host, port and rack', async () => {
      const c = ctx.coordinator;
      expect(c.brokers()).toEqual([]);
      await c.registerBroker({ nodeId: 2, host: 'b2.local', port: 9093, rack: null });
      await c.registerBroker({ nodeId: 1, host: 'b1.local', port: 9092, rack: 'r1' });
      expect(c.brokers()).toEqual([
        { nodeId: 1, host: 'b1.local', port: 9092, rack: 'r1' },
        { nodeId: 2, host: 'b2.local', port: 9093, rack: null },
      ]);
      await c.registerBroker({ nodeId: 2, host: '10.0.0.2', port: 19093, rack: 'r2' });
      expect(c.brokers()).toEqual([
        { nodeId: 1, host: 'b1.local', port: 9092, rack: 'r1' },
        { nodeId: 2, host: '10.0.0.2', port: 19093, rack: 'r2' },
      ]);
    });

    it('keeps the gRPC endpoint of a broker endpoint, and refuses a malformed one', async () => {
      const c = ctx.coordinator;
      await c.registerBroker({ nodeId: 3, host: 'b3.local', port: 9094, rack: null, grpc: 'b3.local:9190' });
      expect(c.brokers()).toEqual([{ nodeId: 3, host: 'b3.local', port: 9094, rack: null, grpc: 'b3.local:9190' }]);
      await expect(c.registerBroker({ nodeId: 4, host: 'b4.local', port: 9095, rack: null, grpc: 'no port' })).rejects.toThrow(/grpc/);
    });
  });

  describe('watch', () => {
    it('delivers every change in order with its payload', async () => {
      const c = ctx.coordinator;
      const rec = recordEvents(c);
      await registerBrokers(c, 3);
      const created = await c.createTopic(topicRequest('w', 2, 2));
      const configured = await c.setTopicConfigs('w', { 'retention.ms': '5' });
      const grown = await c.createPartitions('w', 3);
      const p0 = grown.partitions[0];
      if (p0 === undefined) throw new Error('no partition 0');
      const isr = [p0.leader];
      await c.updatePartition('w', 0, 0, { ...p0, isr });
      const changed = c.topic('w');
      const deleted = await c.deleteTopic('w');
      await rec.waitFor(8);
      await settle();
      const expected: CoordinatorEvent[] = [
        { type: 'brokers-changed', brokers: c.brokers().slice(0, 1) },
        { type: 'brokers-changed', brokers: c.brokers().slice(0, 2) },
        { type: 'brokers-changed', brokers: c.brokers() },
        { type: 'topic-created', topic: created },
        { type: 'topic-changed', topic: configured },
        { type: 'topic-changed', topic: grown },
        { type: 'topic-changed', topic: changed ?? grown },
        { type: 'topic-deleted', topic: deleted },
      ];
      expect(rec.events).toEqual(expected);
      expect(deleted).toEqual(changed);
    });

    it('stops after unsubscribe (idempotently) and only reaches listeners subscribed before a change', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const early = recordEvents(c);
      await c.createTopic(topicRequest('one'));
      await early.waitFor(1);
      early.stop();
      early.stop();
      const late = recordEvents(c);
      await c.createTopic(topicRequest('two'));
      await late.waitFor(1);
      await settle();
      expect(early.events.map((e) => e.type === 'topic-created' && e.topic.name)).toEqual(['one']);
      expect(late.events.map((e) => e.type === 'topic-created' && e.topic.name)).toEqual(['two']);
      late.stop();
    });

    it('emits nothing for failed writes, lost compare-and-swaps and no-op re-registrations', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      await c.createTopic(topicRequest('exists'));
      const rec = recordEvents(c);
      await expectKafkaError(c.createTopic(topicRequest('exists')), 'TOPIC_ALREADY_EXISTS');
      await expectKafkaError(c.deleteTopic('missing'), 'UNKNOWN_TOPIC_OR_PARTITION');
      await expectKafkaError(c.createPartitions('exists', 1), 'INVALID_PARTITIONS');
      expect(await c.updatePartition('exists', 0, 7, { replicas: [1], leader: 1, leaderEpoch: 8, isr: [1] })).toBeNull();
      await settle();
      expect(rec.events).toEqual([]);
      rec.stop();
    });

    it('lets a listener read the state the event describes', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const seen: boolean[] = [];
      const stop = c.watch((event) => {
        if (event.type === 'topic-deleted') seen.push(c.topic(event.topic.name) === undefined);
        else if (event.type !== 'brokers-changed') seen.push(c.topic(event.topic.name)?.topicId === event.topic.topicId);
      });
      await c.createTopic(topicRequest('visible'));
      await c.setTopicConfigs('visible', { a: 'b' });
      await c.deleteTopic('visible');
      await settle();
      expect(seen).toEqual([true, true, true]);
      stop();
    });

    it('keeps other listeners and the coordinator working when a listener throws', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const stopBad = c.watch(() => {
        throw new Error('listener failure (expected by the test)');
      });
      const rec = recordEvents(c);
      await c.createTopic(topicRequest('a'));
      await c.createTopic(topicRequest('b'));
      await rec.waitFor(2);
      expect(c.topics().map((t) => t.name)).toEqual(['a', 'b']);
      expect(rec.events.map((e) => e.type)).toEqual(['topic-created', 'topic-created']);
      stopBad();
      rec.stop();
    });

    it('allows unsubscribing from inside a listener', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const calls: string[] = [];
      const stop = c.watch((event) => {
        calls.push(event.type);
        stop();
      });
      await c.createTopic(topicRequest('x'));
      await c.createTopic(topicRequest('y'));
      await settle();
      expect(calls).toEqual(['topic-created']);
    });
  });
}
