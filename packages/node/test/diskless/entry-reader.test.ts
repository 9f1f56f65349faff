import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '@oxbow/controller';
import { encodeRecordBatch, scanBatches } from '@oxbow/protocol';
import { FileObjectStore, ParquetWorkerPool, type GetOptions } from '@oxbow/storage';
import { EntryReader, flushObjectKey, flushObjectSize, flushObjectTime } from '../../src/diskless/entry-reader.js';
import { ReadCache } from '../../src/diskless/read-cache.js';

class CountingStore extends FileObjectStore {
  gets = 0;
  override get(key: string, options?: GetOptions): Promise<Buffer> {
    this.gets++;
    return super.get(key, options);
  }
}

let dir: string;
let pool: ParquetWorkerPool;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-reader-'));
  pool = new ParquetWorkerPool({ threads: 1 });
});
afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

/** One flush object holding a 5 KiB slice for each of two partitions. */
async function flushObject(store: CountingStore): Promise<ManifestEntry[]> {
  const slices = await Promise.all([0, 1].map((p) => encodeRecordBatch({ baseOffset: 0n, partitionLeaderEpoch: 0, records: [{ timestamp: 1n, key: null, value: Buffer.alloc(5000, 97 + p) }] })));
  const body = Buffer.concat(slices);
  const key = flushObjectKey(1, Date.now(), body.length, randomUUID());
  await store.put(key, body);
  let position = 0;
  return slices.map((s) => {
    const entry: ManifestEntry = { baseOffset: 0n, lastOffset: 0n, objectKey: key, format: 'batches', position, size: s.length, records: 1, maxTimestamp: 1n, leaderEpoch: 0 };
    position += s.length;
    return entry;
  });
}

describe('EntryReader', () => {
  it('names flush objects with their time and size', () => {
    const key = flushObjectKey(3, 1_700_000_000_123, 4096, randomUUID());
    expect(flushObjectTime(key)).toBe(1_700_000_000_123);
    expect(flushObjectSize(key)).toBe(4096);
  });

  it('reads a small object whole, once, for every partition slice in it', async () => {
    const store = new CountingStore(join(dir, 'small'), { fsync: false });
    const entries = await flushObject(store);
    const reader = new EntryReader(new ReadCache(16 << 20), pool);
    for (const e of entries) expect(scanBatches(await reader.read({ store, storeKey: 's' }, e, 0n, 1 << 20, 1n, true))).toHaveLength(1);
    expect(store.gets).toBe(1);
  });

  it('reads slices of an object too big for 1/16 of the cache by ranged GETs', async () => {
    const store = new CountingStore(join(dir, 'big'), { fsync: false });
    const entries = await flushObject(store);
    const reader = new EntryReader(new ReadCache(64 * 1024), pool);
    const values = [];
    for (const e of entries) values.push(scanBatches(await reader.read({ store, storeKey: 'b' }, e, 0n, 1 << 20, 1n, true))[0]?.size);
    expect(values).toEqual(entries.map((e) => e.size));
    expect(store.gets).toBe(2);
  });
});
