/**
 * Conformance: diskless manifests (ManifestStore in manifest.ts) and the cluster secret key.
 * Offsets are assigned only by a commit whose expected next offsets all hold, atomically across
 * partitions; compaction swaps and start advances are atomic too; everything survives restarts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Coordinator } from '../coordinator.js';
import { MAX_MANIFEST_APPENDS, type ManifestAppend, type ManifestEntry } from '../manifest.js';
import { expectKafkaError, registerBrokers, topicRequest, type SuiteContext } from './suite-context.js';

function entry(baseOffset: bigint, lastOffset: bigint, objectKey = `objects/${baseOffset}`, more: Partial<ManifestEntry> = {}): ManifestEntry {
  const records = Number(lastOffset - baseOffset + 1n);
  return { baseOffset, lastOffset, objectKey, format: 'batches', position: 0, size: records * 100, records, maxTimestamp: 1_700_000_000_000n, leaderEpoch: 0, ...more };
}

function append(topicId: string, partition: number, e: ManifestEntry, expectedNextOffset = e.baseOffset): ManifestAppend {
  return { topicId, partition, expectedNextOffset, entry: e };
}

/** Commits `[base, last]` ranges one after the other on one partition. */
async function commitRanges(c: Coordinator, topicId: string, partition: number, ranges: readonly (readonly [bigint, bigint])[]): Promise<void> {
  for (const [base, last] of ranges) expect(await c.commitObject([append(topicId, partition, entry(base, last))])).toEqual({ ok: true });
}

const bases = (c: Coordinator, topicId: string, partition: number): bigint[] => c.manifest(topicId, partition).entries.map((e) => e.baseOffset);

export function describeManifestTests(ctx: SuiteContext): void {
  describe('manifests', () => {
    it('answers an empty manifest at 0 for a partition never written', () => {
      expect(ctx.coordinator.manifest(randomUUID(), 3)).toEqual({ nextOffset: 0n, startOffset: 0n, entries: [] });
    });

    it('commits assign offsets and advance the next offset, visible when the commit resolves', async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      const first = entry(0n, 9n, 'objects/a');
      expect(await c.commitObject([append(t, 0, first), append(t, 1, entry(0n, 0n, 'objects/a'))])).toEqual({ ok: true });
      const m = c.manifest(t, 0);
      expect(m).toEqual({ nextOffset: 10n, startOffset: 0n, entries: [first] });
      expect(Object.isFrozen(m) && Object.isFrozen(m.entries) && Object.isFrozen(m.entries[0])).toBe(true);
      expect(c.manifest(t, 1).nextOffset).toBe(1n);
      await commitRanges(c, t, 0, [[10n, 14n], [15n, 15n]]);
      expect(c.manifest(t, 0).nextOffset).toBe(16n);
      expect(bases(c, t, 0)).toEqual([0n, 10n, 15n]);
      expect(m.entries).toHaveLength(1);
    });

    it('writes nothing when any partition of a commit has moved on, and names the conflicts', async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      await commitRanges(c, t, 0, [[0n, 9n]]);
      const before = c.manifest(t, 0);
      const result = await c.commitObject([append(t, 0, entry(10n, 19n)), append(t, 1, entry(5n, 6n)), append(t, 2, entry(0n, 3n))]);
      expect(result).toEqual({ ok: false, conflicts: [{ topicId: t, partition: 1, nextOffset: 0n }] });
      expect(c.manifest(t, 0)).toEqual(before);
      expect(c.manifest(t, 2)).toEqual({ nextOffset: 0n, startOffset: 0n, entries: [] });
      const stale = await c.commitObject([append(t, 0, entry(0n, 4n))]);
      expect(stale).toEqual({ ok: false, conflicts: [{ topicId: t, partition: 0, nextOffset: 10n }] });
      expect(c.manifest(t, 0)).toEqual(before);
    });

    it('rejects malformed commits with INVALID_REQUEST', async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      await expectKafkaError(c.commitObject([append(t, 0, entry(3n, 5n), 0n)]), 'INVALID_REQUEST', /baseOffset 3 .* expected next offset 0/);
      await expectKafkaError(c.commitObject([append(t, 0, entry(0n, 1n)), append(t, 0, entry(0n, 1n))]), 'INVALID_REQUEST', /twice/);
      await expectKafkaError(c.commitObject([append(t, 0, { ...entry(0n, 1n), lastOffset: -1n })]), 'INVALID_REQUEST', /lastOffset/);
      await expectKafkaError(c.commitObject([append('not-a-uuid', 0, entry(0n, 1n))]), 'INVALID_REQUEST', /topic id/);
      const tooMany = Array.from({ length: MAX_MANIFEST_APPENDS + 1 }, (_, p) => append(t, p, entry(0n, 0n)));
      await expectKafkaError(c.commitObject(tooMany), 'INVALID_REQUEST', new RegExp(`${MAX_MANIFEST_APPENDS}`));
      expect(c.manifest(t, 0).nextOffset).toBe(0n);
    });

    it(`commits ${MAX_MANIFEST_APPENDS} partitions in one object`, async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      const appends = Array.from({ length: MAX_MANIFEST_APPENDS }, (_, p) => append(t, p, entry(0n, BigInt(p), 'objects/big', { position: p * 100 })));
      expect(await c.commitObject(appends)).toEqual({ ok: true });
      expect(c.manifest(t, 0).nextOffset).toBe(1n);
      expect(c.manifest(t, MAX_MANIFEST_APPENDS - 1)).toEqual({ nextOffset: BigInt(MAX_MANIFEST_APPENDS), startOffset: 0n, entries: [appends[MAX_MANIFEST_APPENDS - 1]?.entry] });
    });

    it('lets exactly one of two racing commits at the same offset win (two nodes where possible)', async () => {
      const a = ctx.coordinator;
      const b = await ctx.peer();
      const t = randomUUID();
      for (let round = 0n; round < 3n; round++) {
        const next = a.manifest(t, 0).nextOffset;
        const [ra, rb] = await Promise.all([
          a.commitObject([append(t, 0, entry(next, next + 1n, `a-${round}`)), append(t, 1, entry(round, round, `a-${round}`))]),
          b.commitObject([append(t, 0, entry(next, next + 4n, `b-${round}`))]),
        ]);
        expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
        const won = ra.ok ? `a-${round}` : `b-${round}`;
        const loser = ra.ok ? rb : ra;
        const m = a.manifest(t, 0);
        expect(m.entries.at(-1)?.objectKey).toBe(won);
        expect(loser).toEqual({ ok: false, conflicts: [{ topicId: t, partition: 0, nextOffset: m.nextOffset }] });
        // The loser learns the winner's offsets from its own view once the commit returns.
        expect((ra.ok ? b : a).manifest(t, 0).nextOffset).toBe(m.nextOffset);
        if (!ra.ok) await commitRanges(a, t, 1, [[round, round]]);
      }
      expect(a.manifest(t, 0).entries).toHaveLength(3);
    });

    it('replaces exactly the expected entries, keeping order and the next offset', async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      await commitRanges(c, t, 0, [[0n, 9n], [10n, 19n], [20n, 29n], [30n, 39n]]);
      const merged = [entry(0n, 14n, 'compacted/1', { format: 'parquet', extra: 'rg' }), entry(15n, 29n, 'compacted/2', { format: 'parquet' })];
      const expected = c.manifest(t, 0).entries.slice(0, 3).map(({ baseOffset, objectKey }) => ({ baseOffset, objectKey }));
      expect(await c.replaceManifestEntries(t, 0, expected, merged)).toBe(true);
      const after = c.manifest(t, 0);
      expect(after.entries.map((e) => e.objectKey)).toEqual(['compacted/1', 'compacted/2', 'objects/30']);
      expect(after.entries.slice(0, 2)).toEqual(merged);
      expect(after.nextOffset).toBe(40n);
      // A single merged entry under the old first key, then the old tail.
      const again = [entry(0n, 39n, 'compacted/3')];
      const all = after.entries.map(({ baseOffset, objectKey }) => ({ baseOffset, objectKey }));
      expect(await c.replaceManifestEntries(t, 0, all, again)).toBe(true);
      expect(c.manifest(t, 0).entries).toEqual(again);
      await commitRanges(c, t, 0, [[40n, 41n]]);
      expect(bases(c, t, 0)).toEqual([0n, 40n]);
    });

    it('refuses a stale or mismatched replace without changing anything, and rejects a replacement of another range', async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      await commitRanges(c, t, 0, [[0n, 9n], [10n, 19n], [20n, 29n]]);
      const before = c.manifest(t, 0);
      const replacement = [entry(0n, 19n, 'compacted/x')];
      expect(await c.replaceManifestEntries(t, 0, [{ baseOffset: 0n, objectKey: 'objects/0' }, { baseOffset: 10n, objectKey: 'other' }], replacement)).toBe(false);
      expect(await c.replaceManifestEntries(t, 0, [{ baseOffset: 5n, objectKey: 'objects/5' }], replacement)).toBe(false);
      expect(await c.replaceManifestEntries(t, 0, [{ baseOffset: 20n, objectKey: 'objects/20' }, { baseOffset: 30n, objectKey: 'objects/30' }], replacement)).toBe(false);
      const exact = [{ baseOffset: 0n, objectKey: 'objects/0' }, { baseOffset: 10n, objectKey: 'objects/10' }];
      await expectKafkaError(c.replaceManifestEntries(t, 0, exact, [entry(0n, 18n)]), 'INVALID_REQUEST', /\[0, 19\]/);
      await expectKafkaError(c.replaceManifestEntries(t, 0, exact, [entry(1n, 19n)]), 'INVALID_REQUEST');
      await expectKafkaError(c.replaceManifestEntries(t, 0, exact, [entry(0n, 9n), entry(11n, 19n)]), 'INVALID_REQUEST', /contiguous/);
      await expectKafkaError(c.replaceManifestEntries(t, 0, exact, []), 'INVALID_REQUEST');
      expect(c.manifest(t, 0)).toEqual(before);
      // After a start advance dropped the first entry, a replace still expecting it is stale.
      await c.advanceManifestStart(t, 0, 10n);
      expect(await c.replaceManifestEntries(t, 0, exact, replacement)).toBe(false);
      expect(bases(c, t, 0)).toEqual([10n, 20n]);
    });

    it('advances the start: drops entries wholly below, keeps a straddling one, never moves down or past next', async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      expect(await c.advanceManifestStart(t, 0, 5n)).toEqual([]);
      expect(c.manifest(t, 0)).toEqual({ nextOffset: 0n, startOffset: 0n, entries: [] });
      await commitRanges(c, t, 0, [[0n, 9n], [10n, 19n], [20n, 29n]]);
      const [e0, e1, e2] = c.manifest(t, 0).entries;
      expect(await c.advanceManifestStart(t, 0, 15n)).toEqual([e0]);
      expect(c.manifest(t, 0)).toEqual({ nextOffset: 30n, startOffset: 15n, entries: [e1, e2] });
      expect(await c.advanceManifestStart(t, 0, 5n)).toEqual([]);
      expect(await c.advanceManifestStart(t, 0, 20n)).toEqual([e1]);
      expect(c.manifest(t, 0).startOffset).toBe(20n);
      expect(await c.advanceManifestStart(t, 0, 1000n)).toEqual([e2]);
      expect(c.manifest(t, 0)).toEqual({ nextOffset: 30n, startOffset: 30n, entries: [] });
      await commitRanges(c, t, 0, [[30n, 34n]]);
      expect(c.manifest(t, 0)).toMatchObject({ nextOffset: 35n, startOffset: 30n });
      expect(bases(c, t, 0)).toEqual([30n]);
    });

    it('round-trips offsets and timestamps above 2^53 and the extra metadata exactly', async () => {
      const c = ctx.coordinator;
      const t = randomUUID();
      const huge = 2n ** 62n + 12345n;
      const big = entry(0n, huge, 'objects/big', { records: 1000, maxTimestamp: 2n ** 60n + 7n, leaderEpoch: 2147483647, size: 2 ** 40, extra: '{"rowGroups":[[0,"9007199254740993"]],"ü":"✓"}' });
      const neg = entry(huge + 1n, huge + 3n, 'objects/neg', { maxTimestamp: -1n, leaderEpoch: -1 });
      expect(await c.commitObject([append(t, 0, big)])).toEqual({ ok: true });
      expect(await c.commitObject([append(t, 0, neg)])).toEqual({ ok: true });
      expect(c.manifest(t, 0)).toEqual({ nextOffset: huge + 4n, startOffset: 0n, entries: [big, neg] });
      expect(c.manifest(t, 0).entries[1]).not.toHaveProperty('extra');
      if (!ctx.canRestart) return;
      const restarted = await ctx.restart();
      expect(restarted.manifest(t, 0)).toEqual({ nextOffset: huge + 4n, startOffset: 0n, entries: [big, neg] });
    });

    it('keeps manifests across a restart', async ({ skip }) => {
      if (!ctx.canRestart) skip();
      const c = ctx.coordinator;
      const t = randomUUID();
      await commitRanges(c, t, 0, [[0n, 9n], [10n, 19n], [20n, 29n]]);
      await commitRanges(c, t, 7, [[0n, 0n]]);
      await c.replaceManifestEntries(t, 0, [{ baseOffset: 10n, objectKey: 'objects/10' }, { baseOffset: 20n, objectKey: 'objects/20' }], [entry(10n, 29n, 'compacted')]);
      await c.advanceManifestStart(t, 0, 12n);
      const before = [c.manifest(t, 0), c.manifest(t, 7)];
      const restarted = await ctx.restart();
      expect([restarted.manifest(t, 0), restarted.manifest(t, 7)]).toEqual(before);
      expect(await restarted.commitObject([append(t, 0, entry(30n, 31n))])).toEqual({ ok: true });
      expect(bases(restarted, t, 0)).toEqual([10n, 30n]);
    });

    it('removes a topic\'s manifests when the topic is deleted', async () => {
      const c = ctx.coordinator;
      await registerBrokers(c, 1);
      const topic = await c.createTopic(topicRequest('diskless', 2));
      const other = randomUUID();
      await c.commitObject([append(topic.topicId, 0, entry(0n, 4n)), append(topic.topicId, 1, entry(0n, 2n)), append(other, 0, entry(0n, 1n))]);
      await c.advanceManifestStart(topic.topicId, 0, 1n);
      await c.deleteTopic('diskless');
      expect(c.manifest(topic.topicId, 0)).toEqual({ nextOffset: 0n, startOffset: 0n, entries: [] });
      expect(c.manifest(topic.topicId, 1)).toEqual({ nextOffset: 0n, startOffset: 0n, entries: [] });
      expect(c.manifest(other, 0).nextOffset).toBe(2n);
      if (!ctx.canRestart) return;
      const restarted = await ctx.restart();
      expect(restarted.manifest(topic.topicId, 0).entries).toEqual([]);
      expect(restarted.manifest(other, 0).nextOffset).toBe(2n);
    });
  });

  describe('clusterSecretKey', () => {
    it('is 32 random bytes, the same for every caller, node and restart', async () => {
      const c = ctx.coordinator;
      const [k1, k2] = await Promise.all([c.clusterSecretKey(), c.clusterSecretKey()]);
      expect(k1).toHaveLength(32);
      expect(k1.equals(Buffer.alloc(32))).toBe(false);
      expect(k2.equals(k1)).toBe(true);
      k2.fill(0); // a caller scribbling on its copy changes nothing
      expect((await c.clusterSecretKey()).equals(k1)).toBe(true);
      expect((await (await ctx.peer()).clusterSecretKey()).equals(k1)).toBe(true);
      if (!ctx.canRestart) return;
      expect((await (await ctx.restart()).clusterSecretKey()).equals(k1)).toBe(true);
    });
  });
}
