import { cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/index.js';
import { INDEX_WRITE_BYTES } from '../../src/log/index-files.js';
import { OffsetIndex } from '../../src/log/offset-index.js';
import { TimeIndex } from '../../src/log/time-index.js';
import { appendRecords, checkLookups, tempDir, TEST_CONFIG, type Appended, type TestRecord } from './helpers.js';

const batchArb = fc.record({
  count: fc.integer({ min: 1, max: 4 }),
  valueBytes: fc.integer({ min: 0, max: 300 }),
  timestamps: fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 4, maxLength: 4 }),
});

describe('offset and time index lookups', () => {
  it('match a brute-force scan, before and after the indexes are rebuilt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchArb, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(0, 100, 400, 4096),
        fc.constantFrom(700, 1500, 1 << 20),
        async (specs, indexIntervalBytes, segmentBytes) => {
          const dir = await tempDir();
          const config = { ...TEST_CONFIG, indexIntervalBytes, segmentBytes };
          const log = await PartitionLog.open(dir, config);
          const batches: Appended[] = [];
          for (const spec of specs) {
            const records: TestRecord[] = Array.from({ length: spec.count }, (_, i) => ({
              key: `k${i}`,
              value: 'x'.repeat(spec.valueBytes),
              timestamp: BigInt(spec.timestamps[i] ?? 0),
            }));
            const info = await appendRecords(log, records);
            batches.push({ first: info.firstOffset, last: info.lastOffset, records: records.map((r, i) => ({ offset: info.firstOffset + BigInt(i), timestamp: r.timestamp })) });
          }
          const stamps = batches.flatMap((b) => b.records.map((r) => r.timestamp));
          const probes = [-1n, 0n, 501n, ...stamps, ...stamps.map((t) => t + 1n)];
          await checkLookups(log, batches, probes);
          await log.close();

          // Indexes deleted: recovery rebuilds them to the same answers (and the same bytes).
          const before = new Map<string, Buffer>();
          for (const name of await readdir(dir)) {
            if (name.endsWith('.index') || name.endsWith('.timeindex')) {
              before.set(name, await readFile(join(dir, name)));
              await rm(join(dir, name));
            }
          }
          const reopened = await PartitionLog.open(dir, config);
          await checkLookups(reopened, batches, probes);
          await reopened.close();
          for (const [name, bytes] of before) {
            const rebuilt = await readFile(join(dir, name));
            expect(rebuilt.equals(bytes), name).toBe(true);
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);

  it('reach their files in runs of INDEX_WRITE_BYTES of log, and a crash in between is re-indexed by recovery', async () => {
    const dir = await tempDir();
    const config = { ...TEST_CONFIG, segmentBytes: 64 << 20, indexIntervalBytes: 4096 };
    const log = await PartitionLog.open(dir, config);
    const batches: Appended[] = [];
    const indexBytes = async (): Promise<number[]> => [(await stat(join(dir, '00000000000000000000.index'))).size, (await stat(join(dir, '00000000000000000000.timeindex'))).size];
    const valueBytes = 32 * 1024;
    const perRun = Math.ceil(INDEX_WRITE_BYTES / valueBytes);
    for (let i = 0; i < perRun + perRun / 2; i++) {
      const ts = BigInt(1000 + i);
      const info = await appendRecords(log, [{ key: `k${i}`, value: 'x'.repeat(valueBytes), timestamp: ts }]);
      batches.push({ first: info.firstOffset, last: info.lastOffset, records: [{ offset: info.firstOffset, timestamp: ts }] });
      // Nothing is written until a run's worth of log is there; then every entry so far is.
      if (i === perRun - 2) expect(await indexBytes()).toEqual([0, 0]);
      if (i === perRun - 1) expect(await indexBytes()).toEqual([8 * (perRun - 1), 12 * (perRun - 1)]);
    }
    const probes = [0n, 999n, 1000n, 1001n, BigInt(1000 + perRun), BigInt(1000 + batches.length - 1), BigInt(1000 + batches.length)];
    await checkLookups(log, batches, probes);
    // A crash now (a copy of the files as they are): the index files trail memory by half a run.
    const crashed = await tempDir();
    await cp(dir, crashed, { recursive: true });
    const recovered = await PartitionLog.open(crashed, config);
    await checkLookups(recovered, batches, probes);
    await recovered.close();
    // A clean close writes every entry.
    await log.close();
    expect(await indexBytes()).toEqual([8 * (batches.length - 1), 12 * (batches.length - 1)]);
  });

  it('survive garbage index files', async () => {
    const dir = await tempDir();
    const config = { ...TEST_CONFIG, segmentBytes: 1200, indexIntervalBytes: 100 };
    const log = await PartitionLog.open(dir, config);
    const batches: Appended[] = [];
    for (let i = 0; i < 30; i++) {
      const ts = BigInt((i * 37) % 50);
      const info = await appendRecords(log, [{ key: 'k', value: 'v'.repeat(40), timestamp: ts }]);
      batches.push({ first: info.firstOffset, last: info.lastOffset, records: [{ offset: info.firstOffset, timestamp: ts }] });
    }
    await log.close();
    for (const name of await readdir(dir)) {
      if (name.endsWith('.index')) await writeFile(join(dir, name), Buffer.from('not an index at all, just junk!!'));
      if (name.endsWith('.timeindex')) await writeFile(join(dir, name), Buffer.alloc(36, 0xff));
    }
    const reopened = await PartitionLog.open(dir, config);
    await checkLookups(reopened, batches, [-1n, 0n, 10n, 25n, 49n, 50n]);
    await reopened.close();
  });
});

describe('OffsetIndex and TimeIndex', () => {
  it('find the floor entry and round-trip through their file format', () => {
    const idx = new OffsetIndex(1);
    for (let i = 0; i < 100; i++) idx.append(i * 10, i * 1000 + 5);
    expect(idx.floor(-1)).toBe(-1);
    expect(idx.floor(0)).toBe(0);
    expect(idx.floor(15)).toBe(1);
    expect(idx.floor(10_000)).toBe(99);
    const { index, intact } = OffsetIndex.decode(idx.encode(), 1 << 30);
    expect(intact).toBe(true);
    expect(index.length).toBe(100);
    expect(index.position(42)).toBe(42_005);
    idx.truncateToPosition(50_000);
    expect(idx.length).toBe(50);

    const time = new TimeIndex(1);
    for (let i = 0; i < 10; i++) time.append(BigInt(i * 100), i * 3);
    expect(time.floor(250n)).toBe(2);
    expect(time.floor(-5n)).toBe(-1);
    const decoded = TimeIndex.decode(time.encode());
    expect(decoded.intact).toBe(true);
    expect(decoded.index.timestamp(9)).toBe(900n);
  });

  it('keep the well-formed prefix of damaged files', () => {
    const idx = new OffsetIndex();
    idx.append(1, 100);
    idx.append(2, 200);
    idx.append(3, 300);
    const torn = idx.encode().subarray(0, 20);
    expect(OffsetIndex.decode(torn, 1000)).toMatchObject({ intact: false });
    expect(OffsetIndex.decode(torn, 1000).index.length).toBe(2);
    const zeros = Buffer.concat([idx.encode(), Buffer.alloc(16)]);
    expect(OffsetIndex.decode(zeros, 1000).index.length).toBe(3);
    expect(OffsetIndex.decode(idx.encode(), 250).index.length).toBe(2);
    const time = new TimeIndex();
    time.append(10n, 0);
    time.append(5n, 1);
    expect(TimeIndex.decode(time.encode())).toMatchObject({ intact: false });
  });
});
