import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteTopics, Fetch, KafkaErrorCode, ListOffsets, scanBatches, decodeRecordBatch, type RequestInputOf } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, produce, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

function fetchBody(topic: string, partition: number, offset: bigint, maxWaitMs = 0, partitionMaxBytes = 10 << 20): RequestInputOf<typeof Fetch> {
  return {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function readAll(c: KafkaClient, topic: string, partition: number, end: bigint, partitionMaxBytes = 10 << 20): Promise<string[]> {
  const values: string[] = [];
  let offset = 0n;
  while (offset < end) {
    const res = await c.send(Fetch, fetchBody(topic, partition, offset, 0, partitionMaxBytes), 12);
    const p = res.responses[0]?.partitions[0];
    expect(p?.errorCode).toBe(0);
    const views = scanBatches(p?.records ?? Buffer.alloc(0), { verifyCrc: true });
    if (views.length === 0) throw new Error(`no progress at ${offset}`);
    for (const v of views) {
      for (const r of (await decodeRecordBatch(v)).records) if (r.offset >= offset) values.push(r.value?.toString() ?? '');
      offset = v.lastOffset + 1n;
    }
  }
  return values;
}

async function duSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

describe('diskless topics on one node (file:// object store)', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker({ settings: { 'diskless.flush.interval.ms': '50' } });
    c = await b.client();
  });

  afterAll(async () => {
    await b?.close();
  });

  it('acknowledges after the object is committed, serves it back, and keeps nothing in the partition directories', async () => {
    await createTopic(c, 'dl', { partitions: 4, configs: { 'storage.mode': 'diskless' } });
    const logsBefore = await duSize(join(b.dataDir, 'logs')).catch(() => 0);
    const expected: string[][] = [[], [], [], []];
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        [0, 1, 2, 3].map(async (p) => {
          const batch = await recordBatch(20, { tag: `r${round}-p${p}` });
          const base = await produce(c, 'dl', p, batch);
          expect(base).toBe(BigInt(round * 20));
          for (let i = 0; i < 20; i++) expected[p]!.push(`r${round}-p${p}-${i}`);
        }),
      );
    }
    for (let p = 0; p < 4; p++) expect(await readAll(c, 'dl', p, 100n)).toEqual(expected[p]);
    // Fetches smaller than two batches never skip a batch of the next flush slice.
    const oneBatch = (await recordBatch(20, { tag: 'r0-p0' })).length;
    expect(await readAll(c, 'dl', 0, 100n, oneBatch + oneBatch / 2)).toEqual(expected[0]);
    const objects = await readdir(join(b.dataDir, 'objects', '_diskless', 'objects', '0'));
    // 5 rounds, 4 partitions each: one object per flush, not per partition.
    expect(objects.length).toBeLessThanOrEqual(6);
    expect(await duSize(join(b.dataDir, 'logs')).catch(() => 0)).toBe(logsBefore);
    const offsets = await c.send(ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'dl', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] }, 7);
    expect(offsets.topics[0]?.partitions[0]?.offset).toBe(100n);
  });
});

describe('diskless compaction into lake layout', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker({ settings: { 'diskless.flush.interval.ms': '20' } });
    c = await b.client();
  });

  afterAll(async () => {
    await b?.close();
  });

  it('rewrites flush slices as Parquet per partition, still serves every record, then collects the superseded objects', async () => {
    await createTopic(c, 'lake', { partitions: 2, configs: { 'storage.mode': 'diskless', 'diskless.compression': 'snappy' } });
    for (let round = 0; round < 4; round++) {
      for (const p of [0, 1]) await produce(c, 'lake', p, await recordBatch(25, { tag: `r${round}-p${p}` }));
    }
    const before = await readAll(c, 'lake', 0, 100n);
    expect(await b.broker.diskless.runCompaction({ force: true })).toBe(2);
    const lake = await readdir(join(b.dataDir, 'objects', 'lake', 'partition=0'));
    expect(lake).toEqual(['00000000000000000000-00000000000000000099.parquet']);
    expect(await readAll(c, 'lake', 0, 100n)).toEqual(before);
    // New data after compaction lands in new flush slices and reads continue across the boundary.
    await produce(c, 'lake', 0, await recordBatch(10, { tag: 'after' }));
    const all = await readAll(c, 'lake', 0, 110n);
    expect(all.slice(0, 100)).toEqual(before);
    expect(all.slice(100)).toEqual(Array.from({ length: 10 }, (_, i) => `after-${i}`));
    // A day later the new slice is due too; then no flush object is referenced any more and all are deleted.
    await b.broker.diskless.runCompaction({ now: Date.now() + 24 * 3600_000 });
    expect(await readdir(join(b.dataDir, 'objects', '_diskless', 'objects', '0')).catch(() => [])).toEqual([]);
    expect(await readdir(join(b.dataDir, 'objects', 'lake', 'partition=0'))).toEqual([
      '00000000000000000000-00000000000000000099.parquet',
      '00000000000000000100-00000000000000000109.parquet',
    ]);
    expect(await readAll(c, 'lake', 0, 110n)).toEqual(all);
    // Deleting the topic deletes its lake files.
    const deleted = await c.send(DeleteTopics, { topicNames: ['lake'], timeoutMs: 10_000 }, 5);
    expect(deleted.responses[0]?.errorCode).toBe(0);
    const deadline = Date.now() + 5000;
    while ((await readdir(join(b.dataDir, 'objects', 'lake', 'partition=0')).catch(() => [])).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(join(b.dataDir, 'objects', 'lake', 'partition=0')).catch(() => [])).toEqual([]);
  });
});

describe('diskless retention', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker({ settings: { 'diskless.flush.interval.ms': '10' } });
    c = await b.client();
  });

  afterAll(async () => {
    await b?.close();
  });

  it('drops the oldest whole flush slices past retention.bytes and answers OFFSET_OUT_OF_RANGE below the new start', async () => {
    await createTopic(c, 'kept', { partitions: 1, configs: { 'storage.mode': 'diskless', 'retention.bytes': '3000' } });
    for (let round = 0; round < 6; round++) await produce(c, 'kept', 0, await recordBatch(10, { valueBytes: 100 }));
    await b.broker.runHousekeeping();
    const earliest = await c.send(ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'kept', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }] }, 7);
    const start = earliest.topics[0]?.partitions[0]?.offset ?? -1n;
    expect(start).toBeGreaterThan(0n);
    expect(start % 10n).toBe(0n);
    const res = await c.send(Fetch, fetchBody('kept', 0, 0n), 12);
    expect(res.responses[0]?.partitions[0]?.errorCode).toBe(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await readAll(c, 'kept', 0, 60n).catch(() => [])).length).toBe(0);
  });

  it('refuses cleanup.policy=compact on diskless topics', async () => {
    await expect(createTopic(c, 'compacted-dl', { configs: { 'storage.mode': 'diskless', 'cleanup.policy': 'compact' } })).rejects.toThrow();
  });
});
