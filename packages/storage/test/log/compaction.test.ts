import { readdir } from 'node:fs/promises';
import { encodeControlKey, encodeEndTxnMarkerValue, encodeRecordBatch, scanBatches, type RecordBatchInput } from '@oxbow/protocol';
import { describe, expect, it } from 'vitest';
import { PartitionLog, type LogConfig } from '../../src/index.js';
import { appendRecords, eventually, readAll, tempDir, TEST_CONFIG, TestFaultyFiles, text } from './helpers.js';

const COMPACT: LogConfig = {
  ...TEST_CONFIG,
  segmentBytes: 1 << 20,
  cleanupPolicy: ['compact'],
  minCleanableDirtyRatio: 0,
  deleteRetentionMs: 1000,
  minCompactionLagMs: 0,
};

const kv = (key: string | null, value: string | null, timestamp: bigint): { key: string | null; value: string | null; timestamp: bigint } => ({ key, value, timestamp });

/** Appends a batch built from a full RecordBatchInput at the log end. */
async function appendRaw(log: PartitionLog, input: RecordBatchInput): Promise<void> {
  const base = log.logEndOffset;
  const bytes = await encodeRecordBatch({ ...input, baseOffset: base });
  const [view] = scanBatches(bytes);
  const last = view?.lastOffset ?? base;
  const maxTimestamp = view?.maxTimestamp ?? -1n;
  await log.append(bytes, { firstOffset: base, lastOffset: last, maxTimestamp, offsetOfMaxTimestamp: base, recordCount: input.records.length });
}

const marker = (producerId: bigint, type: 'abort' | 'commit', timestamp: bigint): RecordBatchInput => ({
  control: true,
  transactional: true,
  producerId,
  producerEpoch: 0,
  records: [{ key: encodeControlKey(type), value: encodeEndTxnMarkerValue(0), timestamp }],
});

describe('compaction', () => {
  it('keeps the latest record per key, preserves offsets and timestamps, and stays readable', async () => {
    const log = await PartitionLog.open(await tempDir(), COMPACT);
    await appendRecords(log, [kv('k0', 'a0', 100n), kv('k1', 'a1', 101n), kv('k2', 'a2', 102n)], { compression: 'gzip', producerId: 4n, producerEpoch: 1, baseSequence: 0 });
    await appendRecords(log, [kv('k0', 'b0', 110n), kv(null, 'no-key', 111n)]);
    await log.roll();
    await appendRecords(log, [kv('k1', 'c1', 120n)]);
    await appendRecords(log, [kv('k3', 'd3', 130n)]);
    await log.roll();
    await appendRecords(log, [kv('k0', 'e0', 140n)]);
    const before = log.size;

    const stats = await log.compact(1000);
    expect(stats).toMatchObject({ segmentsRewritten: 2, recordsRemoved: 2 });
    expect(stats.bytesAfter).toBeLessThan(stats.bytesBefore);
    expect(log.size).toBeLessThan(before);
    // The two sealed segments were merged into one.
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0n, 7n]);
    const records = await readAll(log);
    expect(records.map((r) => [r.offset, text(r.key), text(r.value), r.timestamp])).toEqual([
      [2n, 'k2', 'a2', 102n],
      [3n, 'k0', 'b0', 110n],
      [4n, null, 'no-key', 111n],
      [5n, 'k1', 'c1', 120n],
      [6n, 'k3', 'd3', 130n],
      [7n, 'k0', 'e0', 140n],
    ]);
    // The rewritten batch keeps its base offset, producer fields, compression and last offset delta.
    const [first] = scanBatches((await log.read(0n, { maxBytes: 1, minOneBatch: true })).records, { verifyCrc: true });
    expect(first).toMatchObject({ baseOffset: 0n, lastOffsetDelta: 2, producerId: 4n, producerEpoch: 1, baseSequence: 0, compression: 'gzip', recordsCount: 1 });
    expect(await log.offsetForTimestamp(0n)).toEqual({ offset: 2n, timestamp: 102n });
    expect(await log.offsetForTimestamp(103n)).toEqual({ offset: 3n, timestamp: 110n });
    expect(log.maxTimestamp()).toEqual({ offset: 7n, timestamp: 140n });
    await eventually(async () => (await readdir(log.dir)).every((n) => !n.endsWith('.deleted')), 'originals removed');
    await log.close();

    const again = await PartitionLog.open(log.dir, COMPACT);
    expect(await readAll(again)).toEqual(records);
    // Nothing new is dirty: a second pass does nothing.
    expect(await again.compact(2000)).toMatchObject({ segmentsRewritten: 0 });
    await again.close();
  });

  it('keeps tombstones for delete.retention.ms, then removes them', async () => {
    const log = await PartitionLog.open(await tempDir(), COMPACT);
    await appendRecords(log, [kv('a', '1', 10_000n), kv('b', '1', 10_000n)]);
    await appendRecords(log, [kv('a', null, 10_000n)]);
    await log.roll();
    await log.compact(10_500);
    expect((await readAll(log)).map((r) => [text(r.key), text(r.value)])).toEqual([
      ['b', '1'],
      ['a', null],
    ]);
    await appendRecords(log, [kv('c', '1', 11_000n)]);
    await log.roll();
    const stats = await log.compact(11_001);
    expect(stats.recordsRemoved).toBe(1);
    expect((await readAll(log)).map((r) => [r.offset, text(r.key), text(r.value)])).toEqual([
      [1n, 'b', '1'],
      [3n, 'c', '1'],
    ]);
    await log.close();
  });

  it('leaves segments younger than min.compaction.lag.ms and respects the dirty ratio', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...COMPACT, minCompactionLagMs: 5000 });
    await appendRecords(log, [kv('a', '1', 1000n)]);
    await appendRecords(log, [kv('a', '2', 1000n)]);
    await log.roll();
    await appendRecords(log, [kv('a', '3', 9000n)]);
    await log.roll();
    expect(await log.compact(5000)).toMatchObject({ segmentsRewritten: 0 });
    expect(await log.compact(7000)).toMatchObject({ segmentsRewritten: 1, recordsRemoved: 1 });
    // The younger segment still holds 'a'='3'; 'a'='2' stays until that segment is cleanable.
    expect((await readAll(log)).map((r) => text(r.value))).toEqual(['2', '3']);

    log.updateConfig({ ...COMPACT, minCleanableDirtyRatio: 0.9 });
    await appendRecords(log, [kv('z', '1', 1n)]);
    await log.roll();
    expect(await log.compact(20_000)).toMatchObject({ segmentsRewritten: 0 });
    log.updateConfig({ ...COMPACT, cleanupPolicy: ['delete'] });
    expect(await log.compact(20_000)).toMatchObject({ segmentsRewritten: 0 });
    log.updateConfig(COMPACT);
    expect(await log.compact(20_000)).toMatchObject({ recordsRemoved: 1 });
    expect((await readAll(log)).map((r) => text(r.value))).toEqual(['3', '1']);
    await log.close();
  });

  it('drops aborted transactions, keeps markers and stops before undecided transactions', async () => {
    const log = await PartitionLog.open(await tempDir(), COMPACT);
    await appendRaw(log, { transactional: true, producerId: 5n, producerEpoch: 0, baseSequence: 0, records: [{ key: Buffer.from('x'), value: Buffer.from('aborted'), timestamp: 1n }] });
    await appendRaw(log, { transactional: true, producerId: 6n, producerEpoch: 0, baseSequence: 0, records: [{ key: Buffer.from('y'), value: Buffer.from('committed'), timestamp: 1n }] });
    await appendRaw(log, marker(5n, 'abort', 2n));
    await appendRaw(log, marker(6n, 'commit', 2n));
    await log.roll();
    await appendRaw(log, { transactional: true, producerId: 7n, producerEpoch: 0, baseSequence: 0, records: [{ key: Buffer.from('y'), value: Buffer.from('open'), timestamp: 3n }] });
    await log.roll();
    const stats = await log.compact(100);
    expect(stats).toMatchObject({ segmentsRewritten: 1, recordsRemoved: 1 });
    const batches = scanBatches((await log.read(0n, { maxBytes: 1 << 20, minOneBatch: true })).records, { verifyCrc: true });
    expect(batches.map((b) => [b.baseOffset, b.isControl])).toEqual([
      [1n, false],
      [2n, true],
      [3n, true],
      [4n, false],
    ]);
    await log.close();
  });

  it('keeps a producer’s last batch as an empty batch when all its records are superseded', async () => {
    const log = await PartitionLog.open(await tempDir(), COMPACT);
    await appendRecords(log, [kv('a', 'p9', 1n), kv('b', 'p9', 1n)], { producerId: 9n, producerEpoch: 0, baseSequence: 10 });
    await appendRecords(log, [kv('a', 'p10', 1n), kv('b', 'p10', 1n)], { producerId: 10n, producerEpoch: 0, baseSequence: 0 });
    await log.roll();
    await log.compact(100);
    const batches = scanBatches((await log.read(0n, { maxBytes: 1 << 20, minOneBatch: true })).records, { verifyCrc: true });
    expect(batches.map((b) => [b.baseOffset, b.recordsCount, b.lastOffsetDelta, b.producerId, b.baseSequence])).toEqual([
      [0n, 0, 1, 9n, 10],
      [2n, 2, 1, 10n, 0],
    ]);
    expect((await readAll(log)).map((r) => text(r.value))).toEqual(['p10', 'p10']);
    await log.close();
  });

  it('abandons its output when retention removed a segment it was cleaning', async () => {
    const files = new TestFaultyFiles();
    const log = await PartitionLog.open(await tempDir(), { ...COMPACT, cleanupPolicy: ['compact', 'delete'], retentionMs: 1000 }, { openFile: files.open });
    await appendRecords(log, [kv('a', '1', 10n), kv('a', '2', 10n)]);
    await log.roll();
    await appendRecords(log, [kv('b', '1', 1_000_000n)]);
    await log.roll();
    let release = (): void => undefined;
    let reached = (): void => undefined;
    const atScratch = new Promise<void>((r) => (reached = r));
    files.beforeOpen = (path) => {
      if (!path.endsWith('.cleaned')) return Promise.resolve();
      reached();
      return new Promise<void>((r) => (release = r));
    };
    const compaction = log.compact(1_000_000);
    await atScratch;
    expect(await log.applyRetention(500_000)).toEqual({ segmentsDeleted: 1 });
    release();
    expect(await compaction).toMatchObject({ segmentsRewritten: 0 });
    expect((await readdir(log.dir)).filter((n) => n.includes('.cleaned') || n.includes('.swap'))).toEqual([]);
    expect((await readAll(log)).map((r) => text(r.value))).toEqual(['1']);
    await log.close();
  });

  it('runs alongside appends and rolls', async () => {
    const files = new TestFaultyFiles();
    const log = await PartitionLog.open(await tempDir(), COMPACT, { openFile: files.open });
    for (let i = 0; i < 6; i++) {
      await appendRecords(log, [kv(`k${i % 3}`, `v${i}`, 1n)]);
      if (i % 2 === 1) await log.roll();
    }
    let release = (): void => undefined;
    let reached = (): void => undefined;
    const atScratch = new Promise<void>((r) => (reached = r));
    files.beforeOpen = (path) => {
      if (!path.endsWith('.cleaned')) return Promise.resolve();
      reached();
      return new Promise<void>((r) => (release = r));
    };
    const compaction = log.compact(100);
    await atScratch;
    for (let i = 6; i < 10; i++) {
      await appendRecords(log, [kv(`k${i % 3}`, `v${i}`, 1n)]);
      await log.roll();
    }
    release();
    expect(await compaction).toMatchObject({ segmentsRewritten: 3, recordsRemoved: 3 });
    expect((await readAll(log)).map((r) => [r.offset, text(r.value)])).toEqual([
      [3n, 'v3'],
      [4n, 'v4'],
      [5n, 'v5'],
      [6n, 'v6'],
      [7n, 'v7'],
      [8n, 'v8'],
      [9n, 'v9'],
    ]);
    await log.close();
  });
});
