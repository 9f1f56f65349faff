import { open, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanBatches } from '@oxbow/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/index.js';
import { appendRecords, checkLookups, readAll, recordsOf, tempDir, TEST_CONFIG, type Appended } from './helpers.js';

const BIG_SEGMENTS = { ...TEST_CONFIG, segmentBytes: 1 << 20, indexIntervalBytes: 300 };

function recordingLogger(): { warnings: { obj: object; msg: string }[]; logger: { warn(obj: object, msg: string): void; info(): void } } {
  const warnings: { obj: object; msg: string }[] = [];
  return { warnings, logger: { warn: (obj, msg) => warnings.push({ obj, msg }), info: () => undefined } };
}

/** A log of `batches` batches of two records each, closed; returns the dir and each batch's byte size. */
async function writtenLog(batches: number, config = BIG_SEGMENTS): Promise<{ dir: string; sizes: number[] }> {
  const dir = await tempDir();
  const log = await PartitionLog.open(dir, config);
  const sizes: number[] = [];
  for (let i = 0; i < batches; i++) {
    const before = log.size;
    await appendRecords(log, recordsOf(2, BigInt(1000 + i), `b${i}-`));
    sizes.push(log.size - before);
  }
  await log.close();
  return { dir, sizes };
}

const activeLog = (dir: string): string => join(dir, '00000000000000000000.log');

describe('recovery', () => {
  it('drops a torn batch at the end, keeps the rest and continues appending', async () => {
    const { dir, sizes } = await writtenLog(10);
    const file = activeLog(dir);
    const full = (await stat(file)).size;
    await truncate(file, full - 7);
    const { warnings, logger } = recordingLogger();
    const log = await PartitionLog.open(dir, BIG_SEGMENTS, { logger });
    expect(log.logEndOffset).toBe(18n);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.obj).toMatchObject({ droppedBytes: (sizes[9] ?? 0) - 7 });
    expect((await stat(file)).size).toBe(full - (sizes[9] ?? 0));
    await appendRecords(log, recordsOf(2, 5000n, 'new-'));
    const records = await readAll(log);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
    expect(records[18]?.value?.toString()).toBe('new-0');
    await log.close();
  });

  it('drops a last batch whose CRC no longer matches', async () => {
    const { dir, sizes } = await writtenLog(6);
    const file = activeLog(dir);
    const size = (await stat(file)).size;
    const handle = await open(file, 'r+');
    await handle.write(Buffer.from([0x5a, 0xa5]), 0, 2, size - 5);
    await handle.close();
    const { warnings, logger } = recordingLogger();
    const log = await PartitionLog.open(dir, BIG_SEGMENTS, { logger });
    expect(log.logEndOffset).toBe(10n);
    expect(warnings[0]?.obj).toMatchObject({ droppedBytes: sizes[5], stop: { reason: 'corrupt', detail: 'CRC mismatch' } });
    expect((await readAll(log)).length).toBe(10);
    await log.close();
  });

  it('copes with zeros after the last batch (a crash after the file grew)', async () => {
    const { dir } = await writtenLog(3);
    const file = activeLog(dir);
    const size = (await stat(file)).size;
    await truncate(file, size + 4096);
    const log = await PartitionLog.open(dir, BIG_SEGMENTS);
    expect(log.logEndOffset).toBe(6n);
    expect((await stat(file)).size).toBe(size);
    await log.close();
  });

  it('rebuilds indexes that point past a shortened log', async () => {
    const { dir, sizes } = await writtenLog(20);
    const file = activeLog(dir);
    const keep = sizes.slice(0, 8).reduce((a, b) => a + b, 0);
    await truncate(file, keep + 3);
    const log = await PartitionLog.open(dir, BIG_SEGMENTS);
    expect(log.logEndOffset).toBe(16n);
    for (let o = 0n; o < 16n; o++) {
      const [view] = scanBatches((await log.read(o, { maxBytes: 1, minOneBatch: true })).records);
      expect(view?.baseOffset).toBe(o - (o % 2n));
    }
    expect(await log.offsetForTimestamp(1007n)).toEqual({ offset: 14n, timestamp: 1007n });
    expect(await log.offsetForTimestamp(1008n)).toBeNull();
    expect(log.maxTimestamp()).toEqual({ offset: 14n, timestamp: 1007n });
    await log.close();
  });

  it('reopens after a clean close with everything in place', async () => {
    const dir = await tempDir();
    const config = { ...TEST_CONFIG, segmentBytes: 500 };
    const log = await PartitionLog.open(dir, config);
    for (let i = 0; i < 20; i++) await appendRecords(log, recordsOf(2, BigInt(i * 10)));
    await log.epochs.assignEpochStartOffset(0, 0n);
    await log.epochs.assignEpochStartOffset(3, 12n);
    await log.deleteRecordsBefore(7n);
    const segments = log.segments();
    const records = await readAll(log);
    await log.close();

    const again = await PartitionLog.open(dir, config);
    expect(again.logStartOffset).toBe(7n);
    expect(again.logEndOffset).toBe(40n);
    expect(again.segments()).toEqual(segments);
    expect(await readAll(again)).toEqual(records);
    expect(again.epochs.entries()).toEqual([
      { epoch: 0, startOffset: 7n },
      { epoch: 3, startOffset: 12n },
    ]);
    expect(again.maxTimestamp()).toEqual({ timestamp: 190n, offset: 38n });
    await appendRecords(again, recordsOf(1, 1n));
    expect(again.logEndOffset).toBe(41n);
    await again.close();
  });

  it('removes leftovers of interrupted deletions, compactions and checkpoint writes', async () => {
    const { dir } = await writtenLog(2);
    const junk = ['00000000000000000099.log.deleted', '00000000000000000099.index.deleted', '00000000000000000000.log.cleaned', 'log-start-offset-checkpoint.tmp', '00000000000000000777.index'];
    for (const name of junk) await writeFile(join(dir, name), 'junk');
    const log = await PartitionLog.open(dir, BIG_SEGMENTS);
    const names = await readdir(dir);
    for (const name of junk) expect(names).not.toContain(name);
    expect(log.logEndOffset).toBe(4n);
    await log.close();
  });

  it('finishes a compaction swap that a crash interrupted', async () => {
    const dir = await tempDir();
    const config = { ...TEST_CONFIG, segmentBytes: 1 << 20 };
    const log = await PartitionLog.open(dir, config);
    for (let i = 0; i < 3; i++) await appendRecords(log, recordsOf(2, 1n, `a${i}-`));
    await log.roll();
    for (let i = 0; i < 3; i++) await appendRecords(log, recordsOf(2, 1n, `b${i}-`));
    await log.roll();
    await appendRecords(log, recordsOf(2, 1n, 'c-'));
    await log.close();
    // The "cleaned" output of segments 0 and 6: the last batch of each.
    const first = scanBatches(await readFile(join(dir, '00000000000000000000.log')));
    const second = scanBatches(await readFile(join(dir, '00000000000000000006.log')));
    const swap = Buffer.concat([first[2]?.bytes() ?? Buffer.alloc(0), second[2]?.bytes() ?? Buffer.alloc(0)]);
    await writeFile(join(dir, '00000000000000000000.log.swap'), swap);

    const again = await PartitionLog.open(dir, config);
    expect(again.segments().map((s) => s.baseOffset)).toEqual([0n, 12n]);
    expect((await readAll(again)).map((r) => r.offset)).toEqual([4n, 5n, 10n, 11n, 12n, 13n]);
    expect(await readdir(dir)).not.toContain('00000000000000000006.log');
    await again.close();
  });

  it('cuts a damaged sealed segment and deletes the segments after it', async () => {
    const dir = await tempDir();
    const config = { ...TEST_CONFIG, segmentBytes: 1 << 20 };
    const log = await PartitionLog.open(dir, config);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = log.size;
      await appendRecords(log, recordsOf(2, 1n));
      sizes.push(log.size - before);
    }
    await log.roll();
    await appendRecords(log, recordsOf(2, 1n));
    await log.close();
    // Break the magic byte of the sealed segment's last batch.
    const at = sizes.slice(0, 3).reduce((a, b) => a + b, 0) + 16;
    const handle = await open(join(dir, '00000000000000000000.log'), 'r+');
    await handle.write(Buffer.from([7]), 0, 1, at);
    await handle.close();
    const { warnings, logger } = recordingLogger();
    const again = await PartitionLog.open(dir, config, { logger });
    expect(again.logEndOffset).toBe(6n);
    expect(again.segments().map((s) => s.baseOffset)).toEqual([0n]);
    expect(warnings.map((w) => w.msg)).toContain('sealed segment was damaged; deleting the segments after it');
    await appendRecords(again, recordsOf(1, 1n));
    expect((await readAll(again)).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
    await again.close();
  });

  it('keeps exactly the whole batches before a crash point, with lookups intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ count: fc.integer({ min: 1, max: 3 }), ts: fc.integer({ min: 0, max: 300 }), pad: fc.integer({ min: 0, max: 200 }) }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.constantFrom(0, 64, 512),
        async (specs, cutAt, indexIntervalBytes) => {
          const dir = await tempDir();
          const config = { ...BIG_SEGMENTS, indexIntervalBytes };
          const log = await PartitionLog.open(dir, config);
          const batches: (Appended & { end: number })[] = [];
          for (const spec of specs) {
            const records = Array.from({ length: spec.count }, (_, i) => ({ key: `k${i}`, value: 'p'.repeat(spec.pad), timestamp: BigInt(spec.ts + i * 7) }));
            const info = await appendRecords(log, records);
            batches.push({ first: info.firstOffset, last: info.lastOffset, end: log.size, records: records.map((r, i) => ({ offset: info.firstOffset + BigInt(i), timestamp: r.timestamp })) });
          }
          await log.close();
          const cut = Math.floor(log.size * cutAt);
          await truncate(activeLog(dir), cut);
          const kept = batches.filter((b) => b.end <= cut);
          const again = await PartitionLog.open(dir, config);
          expect(again.logEndOffset).toBe(kept.length === 0 ? 0n : (kept[kept.length - 1]?.last ?? 0n) + 1n);
          expect(again.size).toBe(kept[kept.length - 1]?.end ?? 0);
          const stamps = kept.flatMap((b) => b.records.map((r) => r.timestamp));
          await checkLookups(again, kept, [-1n, 0n, 400n, ...stamps, ...stamps.map((t) => t + 1n)]);
          await again.close();
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});
