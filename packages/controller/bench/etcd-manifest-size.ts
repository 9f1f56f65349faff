/**
 * Measures the etcd footprint of diskless manifests (docs/etcd-keyspace.md): starts a fresh etcd,
 * commits FLUSHES objects of PARTITIONS entries each (one commitObject per flush, as the node's
 * flusher does) through an EtcdCoordinator, and reports per entry: the logical bytes (keys +
 * values) under `manifests/`, etcd's database growth with history (no compaction), and after
 * compaction + defragmentation; plus commit latency. Entries look like the flusher's: object keys
 * `_diskless/objects/{node}/{ms:015}-{uuid}.batches`, offsets in the millions, 13-digit timestamps.
 * Run: `npx tsx --conditions=oxbow:source bench/etcd-manifest-size.ts [flushes] [partitions]`.
 */
import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { EtcdCoordinator, type ManifestAppend } from '../src/index.js';
import { startEtcd } from '../src/testing/index.js';

const flushes = Number(process.argv[2] ?? 250);
const partitions = Number(process.argv[3] ?? 16);
const quiet = { warn: () => undefined, info: () => undefined };
const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

const etcd = await startEtcd();
const raw = new Etcd3({ hosts: [...etcd.endpoints], grpcOptions: { 'grpc.max_receive_message_length': -1 } });
try {
  const c = new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName: 'bench', nodeId: 1, logger: quiet, maxTxnOps: 4096 });
  await c.start();
  const topicId = randomUUID();
  const dbBefore = Number((await raw.maintenance.status()).dbSize);
  const commit: number[] = [];
  const recordsPerEntry = 2000n;
  let now = 1_760_000_000_000;
  for (let f = 0; f < flushes; f++) {
    now += 250;
    const objectKey = `_diskless/objects/1/${String(now).padStart(15, '0')}-${randomUUID()}.batches`;
    const size = Math.floor((8 * 1024 * 1024) / partitions);
    const appends: ManifestAppend[] = [];
    for (let p = 0; p < partitions; p++) {
      const base = 5_000_000n + BigInt(f) * recordsPerEntry;
      appends.push({
        topicId,
        partition: p,
        expectedNextOffset: f === 0 ? 0n : base,
        entry: { baseOffset: f === 0 ? 0n : base, lastOffset: base + recordsPerEntry - 1n, objectKey, format: 'batches', position: p * size, size, records: Number(recordsPerEntry), maxTimestamp: BigInt(now), leaderEpoch: 3 },
      });
    }
    const started = performance.now();
    const result = await c.commitObject(appends);
    commit.push(performance.now() - started);
    if (!result.ok) throw new Error(`commit ${f} conflicted`);
  }
  const entries = flushes * partitions;
  const kvs = (await raw.getAll().prefix('/oxbow/bench/manifests/').exec()).kvs;
  const entryKvs = kvs.filter((kv) => kv.key.toString().includes('/e/'));
  const bytes = (list: typeof kvs): number => list.reduce((n, kv) => n + kv.key.length + kv.value.length, 0);
  const dbWithHistory = Number((await raw.maintenance.status()).dbSize);
  const { header } = await raw.get('/oxbow/bench/cluster-id').exec();
  await raw.kv.compact({ revision: header.revision, physical: true });
  await raw.maintenance.defragment();
  const dbCompacted = Number((await raw.maintenance.status()).dbSize);
  await c.close();
  commit.sort((a, b) => a - b);
  const result = {
    flushes,
    partitions,
    entries,
    entryKeys: entryKvs.length,
    bytesPerEntryLogical: bytes(entryKvs) / entryKvs.length,
    entryKeyBytes: entryKvs.reduce((n, e) => n + e.key.length, 0) / entryKvs.length,
    entryValueBytes: entryKvs.reduce((n, e) => n + e.value.length, 0) / entryKvs.length,
    nextKeyBytesPerPartition: bytes(kvs.filter((e) => e.key.toString().endsWith('/next'))) / partitions,
    dbGrowthPerEntryWithHistory: (dbWithHistory - dbBefore) / entries,
    dbPerEntryAfterCompactAndDefrag: (dbCompacted - dbBefore) / entries,
    dbBytes: { before: dbBefore, withHistory: dbWithHistory, compacted: dbCompacted },
    commitMs: { p50: percentile(commit, 0.5), p99: percentile(commit, 0.99) },
  };
  console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2));
} finally {
  raw.close();
  await etcd.stop();
}
