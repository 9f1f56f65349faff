import { scanBatches } from '@oxbow/protocol';
import { describe, expect, it } from 'vitest';
import { openLogFile, PartitionLog, type OpenLogFile } from '../../src/index.js';
import { makeBatch, recordsOf, tempDir, TEST_CONFIG } from './helpers.js';

/** Real files that count the small reads (index scans, batch headers): a consumer's reads are large. */
function countingFiles(): { open: OpenLogFile; smallReads: () => number } {
  let small = 0;
  const open: OpenLogFile = async (path, mode) => {
    const file = await openLogFile(path, mode);
    return {
      read: (b, o, l, p) => {
        if (l < 100_000) small++;
        return file.read(b, o, l, p);
      },
      write: (b, o, l, p) => file.write(b, o, l, p),
      sync: () => file.sync(),
      truncate: (l) => file.truncate(l),
      stat: () => file.stat(),
      close: () => file.close(),
    };
  };
  return { open, smallReads: () => small };
}

/** `n` batches of one ~30 kB record each, distinct contents; returns their bytes. */
async function fill(log: PartitionLog, from: number, n: number, letter = 65): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = from; i < from + n; i++) {
    const records = recordsOf(1, 1000n).map((r) => ({ ...r, value: String.fromCharCode(letter + (i % 26)).repeat(30_000) }));
    const b = await makeBatch(BigInt(i), records);
    await log.append(b.bytes, b.info);
    out.push(b.bytes);
  }
  return out;
}

/** Reads from `offset` to the end with `maxBytes` per read, as a catching-up consumer does. */
async function readToEnd(log: PartitionLog, offset: bigint, maxBytes: number): Promise<Buffer[]> {
  const reads: Buffer[] = [];
  for (let next = offset; next < log.logEndOffset; ) {
    const { records } = await log.read(next, { maxBytes, minOneBatch: true });
    reads.push(Buffer.from(records));
    const views = scanBatches(records);
    next = (views[views.length - 1]?.lastOffset ?? next) + 1n;
    PartitionLog.recycleReadBuffer(records);
  }
  return reads;
}

const TEN = 10 * 30_200; // ten batches per read

describe('reads that continue where the last one stopped', () => {
  it('start without an index lookup, and return the same bytes', async () => {
    const files = countingFiles();
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 16 << 20 }, { openFile: files.open });
    const batches = await fill(log, 0, 60);
    const first = await log.read(0n, { maxBytes: TEN, minOneBatch: true });
    expect(first.records.equals(Buffer.concat(batches.slice(0, 10)))).toBe(true);
    const before = files.smallReads();
    const rest = await readToEnd(log, 10n, TEN);
    expect(Buffer.concat([first.records, ...rest]).equals(Buffer.concat(batches))).toBe(true);
    expect(rest).toHaveLength(5);
    expect(files.smallReads()).toBe(before);
    await log.close();
  });

  it('look the position up again after a truncation rewrote the bytes there', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 16 << 20 });
    const first = await fill(log, 0, 30);
    const r0 = await log.read(0n, { maxBytes: TEN, minOneBatch: true });
    expect(r0.records.equals(Buffer.concat(first.slice(0, 10)))).toBe(true);
    await log.read(10n, { maxBytes: TEN, minOneBatch: true }); // the next read would start at offset 20
    await log.truncateTo(15n);
    // Larger batches now: offset 20 no longer starts where the old read stopped (that is inside one).
    for (let i = 15; i < 40; i++) {
      const b = await makeBatch(BigInt(i), recordsOf(1, 1000n).map((r) => ({ ...r, value: 'z'.repeat(45_000) })));
      await log.append(b.bytes, b.info);
    }
    const r1 = await log.read(20n, { maxBytes: 30 * 45_200, minOneBatch: true });
    const views = scanBatches(r1.records);
    expect(views[0]?.baseOffset).toBe(20n);
    expect(views[views.length - 1]?.lastOffset).toBe(39n);
    await log.close();
  });

  it('look other positions up as before', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 16 << 20 });
    const batches = await fill(log, 0, 40);
    await log.read(0n, { maxBytes: TEN, minOneBatch: true });
    const other = await log.read(5n, { maxBytes: TEN, minOneBatch: true });
    expect(other.records.equals(Buffer.concat(batches.slice(5, 15)))).toBe(true);
    const more = await log.read(15n, { maxBytes: 2 * TEN, minOneBatch: true });
    expect(more.records.equals(Buffer.concat(batches.slice(15, 35)))).toBe(true);
    await log.close();
  });
});
