import { readdir } from 'node:fs/promises';
import { scanBatches } from '@oxbow/protocol';
import { describe, expect, it } from 'vitest';
import { PartitionLog, StorageError } from '../../src/index.js';
import { appendRecords, decodeAll, makeBatch, readAll, recordsOf, tempDir, TEST_CONFIG, text } from './helpers.js';

describe('PartitionLog append and read', () => {
  it('creates the directory and starts empty at offset 0', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, TEST_CONFIG);
    expect(log.logStartOffset).toBe(0n);
    expect(log.logEndOffset).toBe(0n);
    expect(log.size).toBe(0);
    expect(log.segments()).toHaveLength(1);
    expect(await readdir(dir)).toContain('00000000000000000000.log');
    const empty = await log.read(0n, { maxBytes: 1000, minOneBatch: true });
    expect(empty.records.length).toBe(0);
    expect(log.maxTimestamp()).toBeNull();
    await log.close();
  });

  it('returns the appended bytes unchanged and decodes back to the records', async () => {
    const log = await PartitionLog.open(await tempDir(), TEST_CONFIG);
    const a = await makeBatch(0n, recordsOf(3, 1000n));
    await log.append(a.bytes, a.info);
    const b = await makeBatch(3n, recordsOf(2, 2000n, 'w'), { compression: 'gzip' });
    await log.append(b.bytes, b.info);
    expect(log.logEndOffset).toBe(5n);
    const { records, logStartOffset, logEndOffset } = await log.read(0n, { maxBytes: 1 << 20, minOneBatch: true });
    expect(records.equals(Buffer.concat([a.bytes, b.bytes]))).toBe(true);
    expect([logStartOffset, logEndOffset]).toEqual([0n, 5n]);
    const decoded = await decodeAll(records);
    expect(decoded.map((r) => [r.offset, text(r.value)])).toEqual([
      [0n, 'v0'],
      [1n, 'v1'],
      [2n, 'v2'],
      [3n, 'w0'],
      [4n, 'w1'],
    ]);
    // A read inside a batch starts with the batch that contains the offset.
    const mid = await log.read(4n, { maxBytes: 1 << 20, minOneBatch: true });
    expect(mid.records.equals(b.bytes)).toBe(true);
    await log.close();
  });

  it('accepts several batches in one append', async () => {
    const log = await PartitionLog.open(await tempDir(), TEST_CONFIG);
    const a = await makeBatch(0n, recordsOf(2, 10n));
    const b = await makeBatch(2n, recordsOf(2, 20n));
    await log.append(Buffer.concat([a.bytes, b.bytes]), { ...a.info, lastOffset: 3n, maxTimestamp: 20n, offsetOfMaxTimestamp: 2n, recordCount: 4 });
    expect(log.logEndOffset).toBe(4n);
    expect(log.maxTimestamp()).toEqual({ timestamp: 20n, offset: 2n });
    expect((await readAll(log)).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n]);
    await log.close();
  });

  it('rejects appends that do not start at the log end or do not match their info', async () => {
    const log = await PartitionLog.open(await tempDir(), TEST_CONFIG);
    await appendRecords(log, recordsOf(2, 1n));
    const gap = await makeBatch(5n, recordsOf(1, 1n));
    await expect(log.append(gap.bytes, gap.info)).rejects.toMatchObject({ code: 'invalid-append' });
    const ok = await makeBatch(2n, recordsOf(2, 1n));
    await expect(log.append(ok.bytes, { ...ok.info, lastOffset: 7n })).rejects.toMatchObject({ code: 'invalid-append' });
    await expect(log.append(ok.bytes.subarray(0, 30), ok.info)).rejects.toMatchObject({ code: 'invalid-append' });
    expect(log.logEndOffset).toBe(2n);
    await log.close();
  });

  it('reports offsets outside [log start, log end] as offset-out-of-range', async () => {
    const log = await PartitionLog.open(await tempDir(), TEST_CONFIG);
    await appendRecords(log, recordsOf(2, 1n));
    await expect(log.read(3n, { maxBytes: 100, minOneBatch: true })).rejects.toMatchObject({ code: 'offset-out-of-range' });
    await expect(log.read(-1n, { maxBytes: 100, minOneBatch: true })).rejects.toBeInstanceOf(StorageError);
    expect((await log.read(2n, { maxBytes: 100, minOneBatch: true })).records.length).toBe(0);
    await log.close();
  });

  it('honours maxBytes, minOneBatch and maxOffset with whole batches only', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 1 << 20 });
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const info = await appendRecords(log, recordsOf(2, BigInt(i)));
      sizes.push((await log.read(info.firstOffset, { maxBytes: 1 << 20, maxOffset: info.lastOffset + 1n, minOneBatch: true })).records.length);
    }
    const batchSize = sizes[0] ?? 0;
    const count = async (maxBytes: number, minOneBatch: boolean, maxOffset?: bigint): Promise<number> =>
      scanBatches((await log.read(0n, { maxBytes, minOneBatch, maxOffset })).records).length;
    expect(await count(batchSize * 2 + 5, false)).toBe(2);
    expect(await count(batchSize - 1, false)).toBe(0);
    expect(await count(batchSize - 1, true)).toBe(1);
    expect(await count(1 << 20, true, 6n)).toBe(3);
    // A batch straddling maxOffset is not returned.
    expect(await count(1 << 20, true, 5n)).toBe(2);
    expect(await count(1 << 20, true, 0n)).toBe(0);
    await log.close();
  });

  it('rolls by segment.bytes and reads across segment boundaries', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 600 });
    for (let i = 0; i < 20; i++) await appendRecords(log, recordsOf(3, BigInt(i)));
    const segments = log.segments();
    expect(segments.length).toBeGreaterThan(3);
    for (const s of segments) expect(s.sizeBytes).toBeLessThanOrEqual(600);
    for (let i = 1; i < segments.length; i++) expect(segments[i]?.baseOffset).toBe(segments[i - 1]?.endOffset);
    expect(log.size).toBe(segments.reduce((n, s) => n + s.sizeBytes, 0));
    const all = await log.read(0n, { maxBytes: 1 << 20, minOneBatch: true });
    expect((await decodeAll(all.records)).map((r) => r.offset)).toEqual(Array.from({ length: 60 }, (_, i) => BigInt(i)));
    expect((await readAll(log, 250)).length).toBe(60);
    await log.close();
  });

  it('splits one append of many batches at segment.bytes, as separate appends would be', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 600 });
    await appendRecords(log, recordsOf(2, 0n));
    const batches: Buffer[] = [];
    let next = log.logEndOffset;
    for (let i = 0; i < 20; i++) {
      const { bytes } = await makeBatch(next, recordsOf(3, BigInt(i + 1)));
      batches.push(bytes);
      next += 3n;
    }
    const all = Buffer.concat(batches);
    expect(all.length).toBeGreaterThan(2 * 600);
    await log.append(all, { firstOffset: 2n, lastOffset: next - 1n, maxTimestamp: 20n, offsetOfMaxTimestamp: next - 1n, recordCount: 60 });
    const segments = log.segments();
    expect(segments.length).toBeGreaterThanOrEqual(Math.ceil(all.length / 600));
    for (const s of segments) expect(s.sizeBytes).toBeLessThanOrEqual(600);
    for (let i = 1; i < segments.length; i++) expect(segments[i]?.baseOffset).toBe(segments[i - 1]?.endOffset);
    expect((await readAll(log, 250)).map((r) => r.offset)).toEqual(Array.from({ length: 62 }, (_, i) => BigInt(i)));
    expect(await log.offsetForTimestamp(20n)).toEqual({ offset: 59n, timestamp: 20n });
    await log.close();
  });

  it('puts a batch larger than segment.bytes in a segment of its own', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 200 });
    for (let i = 0; i < 3; i++) await appendRecords(log, [{ key: 'k', value: 'x'.repeat(400), timestamp: 1n }]);
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0n, 1n, 2n]);
    expect((await readAll(log, 10)).length).toBe(3);
    await log.close();
  });

  it('rolls by segment.ms measured from the first append of the active segment', async () => {
    let now = 1_000_000;
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 1 << 20, segmentMs: 60_000 }, { now: () => now });
    await appendRecords(log, recordsOf(1, 1n));
    now += 59_999;
    await appendRecords(log, recordsOf(1, 1n));
    expect(log.segments()).toHaveLength(1);
    now += 1;
    await appendRecords(log, recordsOf(1, 1n));
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0n, 2n]);
    now += 120_000;
    await log.roll();
    await log.roll(); // rolling an empty active segment does nothing
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0n, 2n, 3n]);
    await log.close();
  });

  it('tracks the max timestamp and its first offset', async () => {
    const log = await PartitionLog.open(await tempDir(), TEST_CONFIG);
    await appendRecords(log, [
      { key: 'a', value: '1', timestamp: 50n },
      { key: 'b', value: '2', timestamp: 90n },
    ]);
    await appendRecords(log, [{ key: 'c', value: '3', timestamp: 90n }]);
    await appendRecords(log, [{ key: 'd', value: '4', timestamp: 70n }]);
    expect(log.maxTimestamp()).toEqual({ timestamp: 90n, offset: 1n });
    await log.close();
    const again = await PartitionLog.open(log.dir, TEST_CONFIG);
    expect(again.maxTimestamp()).toEqual({ timestamp: 90n, offset: 1n });
    await again.close();
  });

  it('lets reads run while appends are in flight and never shows a partial batch', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 2000 });
    const appends: Promise<unknown>[] = [];
    const reads: Promise<unknown>[] = [];
    let next = 0n;
    for (let i = 0; i < 30; i++) {
      const batch = await makeBatch(next, recordsOf(2, BigInt(i)));
      next = batch.info.lastOffset + 1n;
      appends.push(log.append(batch.bytes, batch.info));
      reads.push(
        log.read(log.logStartOffset, { maxBytes: 1 << 20, minOneBatch: true }).then(async (r) => {
          const records = await decodeAll(r.records);
          expect(records.length % 2).toBe(0);
        }),
      );
    }
    await Promise.all([...appends, ...reads]);
    expect(log.logEndOffset).toBe(60n);
    await log.close();
  });

  it('fails with closed after close, and validates its config', async () => {
    const dir = await tempDir();
    await expect(PartitionLog.open(dir, { ...TEST_CONFIG, segmentBytes: 2 ** 31 })).rejects.toMatchObject({ code: 'invalid-argument' });
    const log = await PartitionLog.open(dir, TEST_CONFIG);
    expect(() => log.updateConfig({ ...TEST_CONFIG, flushMessages: 0 })).toThrow(/flush.messages/);
    await log.close();
    await log.close();
    await expect(log.read(0n, { maxBytes: 10, minOneBatch: true })).rejects.toMatchObject({ code: 'closed' });
    const b = await makeBatch(0n, recordsOf(1, 1n));
    await expect(log.append(b.bytes, b.info)).rejects.toMatchObject({ code: 'closed' });
  });

  it('deleteLog removes the directory', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, TEST_CONFIG);
    await appendRecords(log, recordsOf(2, 1n));
    await log.deleteLog();
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
