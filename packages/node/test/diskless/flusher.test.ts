import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedCoordinator } from '@oxbow/controller';
import { encodeRecordBatch, KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import { FileObjectStore, ParquetWorkerPool, type ObjectStore, type PutOptions, type PutResult } from '@oxbow/storage';
import { DisklessBackend, type DisklessPartitionConfig } from '../../src/diskless/diskless-backend.js';
import { EntryReader } from '../../src/diskless/entry-reader.js';
import { DisklessFlusher } from '../../src/diskless/flusher.js';
import { ReadCache } from '../../src/diskless/read-cache.js';
import { createLogger } from '../../src/observability/logger.js';

const TOPIC_ID = '5b0c7a1e-2f7d-4c1e-9a55-0a1b2c3d4e5f';
const CONFIG: DisklessPartitionConfig = { flushIntervalMs: 5, flushBytes: 8 << 20, flushRecords: 0, ackMode: 'durable', retentionMs: -1, retentionBytes: -1 };

/** A real file store whose uploads can be held open, to overlap flushes. */
class HeldStore extends FileObjectStore {
  gate: Promise<void> | null = null;
  puts = 0;

  override async put(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult> {
    this.puts++;
    if (this.gate !== null) await this.gate;
    return super.put(key, body, options);
  }
}

let dir: string;
let coordinator: EmbeddedCoordinator;
let pool: ParquetWorkerPool;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-flusher-'));
  coordinator = new EmbeddedCoordinator({ dataDir: join(dir, 'node'), nodeId: 0 });
  await coordinator.start();
  pool = new ParquetWorkerPool({ threads: 1 });
});

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await pool.close();
  await coordinator.close();
  await rm(dir, { recursive: true, force: true });
});

function node(store: ObjectStore, nodeId: number): DisklessFlusher {
  const flusher = new DisklessFlusher({
    nodeId,
    manifests: coordinator,
    reader: new EntryReader(new ReadCache(1 << 20), pool),
    logger: createLogger({ level: 'silent' }),
    maxBufferedBytes: 1 << 20,
    bufferWaitMs: 1000,
    retryBackoffMs: 5,
  });
  closers.push(() => flusher.close(100));
  return flusher;
}

function partition(flusher: DisklessFlusher, store: ObjectStore, events: string[]): DisklessBackend {
  const backend = new DisklessBackend({ topic: 't', topicId: TOPIC_ID, partition: 0, location: { store, storeKey: 'file' }, manifests: coordinator, host: flusher, config: CONFIG });
  backend.deferred.listen({ durable: (end) => events.push(`durable ${end}`), lost: (code) => events.push(`lost ${code}`) });
  return backend;
}

async function append(backend: DisklessBackend, count: number): Promise<void> {
  const first = backend.logEndOffset;
  const bytes = await encodeRecordBatch({ baseOffset: first, partitionLeaderEpoch: 0, records: Array.from({ length: count }, (_, i) => ({ timestamp: 1_700_000_000_000n, key: null, value: Buffer.from(`v${first + BigInt(i)}`) })) });
  await backend.append(bytes, { firstOffset: first, lastOffset: first + BigInt(count - 1), maxTimestamp: 1_700_000_000_000n, offsetOfMaxTimestamp: first, recordCount: count });
}

describe('DisklessFlusher', () => {
  it('overlaps the uploads of consecutive flushes but commits them in order', async () => {
    const store = new HeldStore(join(dir, 'objects'), { fsync: false });
    const flusher = node(store, 1);
    const events: string[] = [];
    const backend = partition(flusher, store, events);
    let open = (): void => undefined;
    store.gate = new Promise((r) => (open = r));
    await append(backend, 3);
    await new Promise((r) => setTimeout(r, 30));
    await append(backend, 2);
    await new Promise((r) => setTimeout(r, 30));
    // Both objects are being uploaded at once; nothing is durable yet.
    expect(store.puts).toBe(2);
    expect(events).toEqual([]);
    store.gate = null;
    open();
    await flusher.flushAll();
    expect(events).toEqual(['durable 3', 'durable 5']);
    const manifest = coordinator.manifest(TOPIC_ID, 0);
    expect(manifest.entries.map((e) => [e.baseOffset, e.lastOffset])).toEqual([
      [0n, 2n],
      [3n, 4n],
    ]);
    const read = await backend.read(0n, 1 << 20, 5n, true);
    expect(scanBatches(read).map((b) => b.baseOffset)).toEqual([0n, 3n]);
  });

  it('drops the buffers of a partition another node committed first, and reports them lost', async () => {
    const store = new FileObjectStore(join(dir, 'objects'), { fsync: false });
    const a = node(store, 1);
    const b = node(store, 2);
    const eventsA: string[] = [];
    const eventsB: string[] = [];
    const onA = partition(a, store, eventsA);
    const onB = partition(b, store, eventsB);
    // Both think the partition starts at 0; B's commit lands first.
    await append(onB, 4);
    await b.flushAll();
    await append(onA, 2);
    await a.flushAll();
    expect(eventsB).toEqual(['durable 4']);
    expect(eventsA).toEqual([`lost ${KafkaErrorCode.NOT_LEADER_OR_FOLLOWER}`]);
    expect(onA.logEndOffset).toBe(0n);
    expect(coordinator.manifest(TOPIC_ID, 0).nextOffset).toBe(4n);
    expect(a.bufferedBytes).toBe(0);
  });
});
