/** Conformance: producer id blocks (Kafka's AllocateProducerIds) are disjoint, increasing and durable. */
import { describe, expect, it } from 'vitest';
import type { ProducerIdBlock } from '../coordinator.js';
import { expectKafkaError, type SuiteContext } from './suite-context.js';

function ids(block: ProducerIdBlock): bigint[] {
  return Array.from({ length: block.count }, (_, i) => block.first + BigInt(i));
}

export function describeProducerIdTests(ctx: SuiteContext): void {
  describe('allocateProducerIds', () => {
    it('hands out contiguous, strictly increasing blocks of the requested size, starting at 0', async () => {
      const c = ctx.coordinator;
      const a = await c.allocateProducerIds(10);
      const b = await c.allocateProducerIds(1);
      const d = await c.allocateProducerIds(1000);
      expect(a).toEqual({ first: 0n, count: 10 });
      expect(b.count).toBe(1);
      expect(b.first).toBeGreaterThanOrEqual(a.first + 10n);
      expect(d.count).toBe(1000);
      expect(d.first).toBeGreaterThanOrEqual(b.first + 1n);
    });

    it('rejects block sizes that are not positive integers', async () => {
      const c = ctx.coordinator;
      await expectKafkaError(c.allocateProducerIds(0), 'INVALID_REQUEST');
      await expectKafkaError(c.allocateProducerIds(-3), 'INVALID_REQUEST');
      await expectKafkaError(c.allocateProducerIds(1.5), 'INVALID_REQUEST');
    });

    it('gives concurrent callers disjoint blocks', async () => {
      const c = ctx.coordinator;
      const blocks = await Promise.all(Array.from({ length: 20 }, (_, i) => c.allocateProducerIds(1 + (i % 4))));
      const all = blocks.flatMap(ids);
      expect(new Set(all).size).toBe(all.length);
    });

    it('never reuses an id after a restart', async ({ skip }) => {
      if (!ctx.canRestart) skip();
      const before = await ctx.coordinator.allocateProducerIds(50);
      await ctx.coordinator.createTopic({ name: 'after-ids', partitions: 1, replicationFactor: -1, configs: {} }).catch(() => undefined);
      const restarted = await ctx.restart();
      const after = await restarted.allocateProducerIds(5);
      expect(after.first).toBeGreaterThanOrEqual(before.first + 50n);
      const again = await ctx.restart();
      const last = await again.allocateProducerIds(1);
      expect(last.first).toBeGreaterThanOrEqual(after.first + 5n);
    });
  });
}
