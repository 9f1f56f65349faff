/**
 * Measures the etcd footprint of the Oxbow keyspace (docs/etcd-keyspace.md): starts a fresh etcd,
 * creates TOPICS topics × PARTITIONS partitions (RF 3 over 3 brokers) through an EtcdCoordinator,
 * and reports the logical bytes (keys + values) under the cluster prefix, etcd's database size, and
 * coordinator write latencies. Run: `npx tsx bench/etcd-keyspace-size.ts [topics] [partitions]`.
 */
import { Etcd3 } from 'etcd3';
import { EtcdCoordinator } from '../src/index.js';
import { startEtcd } from '../src/testing/index.js';

const topics = Number(process.argv[2] ?? 100);
const partitions = Number(process.argv[3] ?? 16);
const quiet = { warn: () => undefined, info: () => undefined };

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const etcd = await startEtcd();
const raw = new Etcd3({ hosts: [...etcd.endpoints] });
try {
  const c = new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName: 'bench', nodeId: 1, logger: quiet, maxTxnOps: 10_000 });
  await c.start();
  for (const nodeId of [1, 2, 3]) await c.registerBroker({ nodeId, host: `broker-${nodeId}.example.internal`, port: 9092, rack: null });
  const dbBefore = Number((await raw.maintenance.status()).dbSize);
  const create: number[] = [];
  for (let t = 0; t < topics; t++) {
    const started = performance.now();
    await c.createTopic({ name: `bench-topic-${String(t).padStart(4, '0')}`, partitions, replicationFactor: 3, configs: { 'retention.ms': '604800000', 'storage.mode': 'standard' } });
    create.push(performance.now() - started);
  }
  const kvs = (await raw.getAll().prefix('/oxbow/bench/').exec()).kvs;
  const keyBytes = kvs.reduce((n, kv) => n + kv.key.length, 0);
  const valueBytes = kvs.reduce((n, kv) => n + kv.value.length, 0);
  const topicKvs = kvs.filter((kv) => kv.key.toString().startsWith('/oxbow/bench/topic'));
  const partitionKvs = kvs.filter((kv) => kv.key.toString().includes('/partitions/'));
  const perPartition = partitionKvs.reduce((n, kv) => n + kv.key.length + kv.value.length, 0) / partitionKvs.length;
  const perTopicFixed = (topicKvs.reduce((n, kv) => n + kv.key.length + kv.value.length, 0) - perPartition * partitionKvs.length) / topics;
  const dbAfter = Number((await raw.maintenance.status()).dbSize);

  // Partition updates (leader elections), one at a time as the controller issues them.
  const update: number[] = [];
  for (const topic of c.topics().slice(0, 20)) {
    for (const p of topic.partitions) {
      const leader = p.replicas[1] ?? p.leader;
      const started = performance.now();
      await c.updatePartition(topic.name, p.partition, p.leaderEpoch, { replicas: p.replicas, leader, leaderEpoch: p.leaderEpoch + 1, isr: p.isr });
      update.push(performance.now() - started);
    }
  }
  const dbAfterUpdates = Number((await raw.maintenance.status()).dbSize);
  await c.close();
  create.sort((a, b) => a - b);
  update.sort((a, b) => a - b);
  const result = {
    topics,
    partitions,
    keys: kvs.length,
    logicalBytes: keyBytes + valueBytes,
    keyBytes,
    valueBytes,
    bytesPerPartitionKey: Math.round(perPartition),
    fixedBytesPerTopic: Math.round(perTopicFixed),
    etcdDbSizeGrowthBytes: dbAfter - dbBefore,
    etcdDbSizeGrowthAfterUpdatesBytes: dbAfterUpdates - dbAfter,
    updates: update.length,
    createTopicMs: { p50: percentile(create, 0.5), p99: percentile(create, 0.99) },
    updatePartitionMs: { p50: percentile(update, 0.5), p99: percentile(update, 0.99) },
  };
  console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2));
} finally {
  raw.close();
  await etcd.stop();
}
