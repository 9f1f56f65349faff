import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/index.js';
import { readBuffers } from '../../src/log/read-buffers.js';
import { makeBatch, recordsOf, tempDir, TEST_CONFIG } from './helpers.js';

describe('read buffers', () => {
  it('reuse a slab only after it is recycled, and ignore unknown or repeated recycles', () => {
    const a = readBuffers.acquire(100_000);
    const b = readBuffers.acquire(100_000);
    expect(b.buffer).not.toBe(a.buffer);
    readBuffers.recycle(a);
    readBuffers.recycle(a.subarray(10)); // a second recycle (through another view) does nothing
    readBuffers.recycle(Buffer.alloc(100_000));
    const c = readBuffers.acquire(90_000);
    expect(c.buffer).toBe(a.buffer);
    expect(readBuffers.acquire(90_000).buffer).not.toBe(a.buffer);
    readBuffers.recycle(b);
    readBuffers.recycle(c);
  });

  it('give small reads ordinary buffers', () => {
    const small = readBuffers.acquire(1000);
    expect(small).toHaveLength(1000);
    readBuffers.recycle(small);
    expect(readBuffers.acquire(1000).buffer === small.buffer && small.byteLength === small.buffer.byteLength).toBe(false);
  });
});

describe('PartitionLog reads through pooled buffers', () => {
  it('return the right bytes when memory is recycled between reads, and never change bytes that were not recycled', async () => {
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, segmentBytes: 1 << 20 });
    const batches: Buffer[] = [];
    for (let i = 0; i < 8; i++) {
      const big = recordsOf(1, 1000n).map((r) => ({ ...r, value: String.fromCharCode(65 + i).repeat(30_000) }));
      const b = await makeBatch(BigInt(i), big);
      await log.append(b.bytes, b.info);
      batches.push(b.bytes);
    }
    const kept = (await log.read(0n, { maxBytes: 4 * 40_000, minOneBatch: true })).records;
    const keptCopy = Buffer.from(kept);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 8; i++) {
        const { records } = await log.read(BigInt(i), { maxBytes: 70_000, minOneBatch: true });
        const want = Buffer.concat(batches.slice(i, i + (records.length > (batches[i]?.length ?? 0) ? 2 : 1)));
        expect(records.equals(want)).toBe(true);
        PartitionLog.recycleReadBuffer(records);
      }
    }
    expect(kept.equals(keptCopy)).toBe(true);
    await log.close();
  });
});
