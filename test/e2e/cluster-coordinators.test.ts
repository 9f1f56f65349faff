/**
 * Group and transaction coordinators in a 3-node cluster: a transaction spanning partitions led by
 * different nodes commits everywhere (markers travel over gRPC) and is visible to read_committed;
 * a consumer group's committed offsets survive the kill -9 of the node coordinating it (the
 * coordinator moves with the leadership of its `__consumer_offsets` partition).
 */
import { startEtcd, type EtcdServer } from '@oxbow/controller/testing';
import { KafkaClient as WireClient } from '@oxbow/node';
import { FindCoordinator, ListOffsets } from '@oxbow/protocol';
import kafkajs, { type Kafka as KafkaClient } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runPythonClient } from '../support/client-process.js';

const { Kafka, logLevel, Partitioners } = kafkajs;
let etcd: EtcdServer;
const nodes: BrokerProcess[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  for (let id = 1; id <= 3; id++) {
    nodes.push(
      await startBroker({
        nodeId: id,
        settings: { 'min.insync.replicas': '2', 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0', 'replica.lag.time.max.ms': '3000' },
        extraArgs: ['--etcd', etcd.endpoints.join(','), '--cluster', `coord-${process.pid}`, '--grpc', `127.0.0.1:${await freePort()}`],
        startTimeoutMs: 60_000,
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.cleanup().catch(() => undefined);
  await etcd?.stop();
});

function kafka(): KafkaClient {
  return new Kafka({ clientId: 'oxbow-e2e-coord', brokers: nodes.map((n) => n.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 15, initialRetryTime: 200, maxRetryTime: 2000 } });
}

async function latest(node: BrokerProcess, topic: string, partitions: number, isolationLevel: 0 | 1): Promise<bigint[]> {
  const wire = await WireClient.connect(node.bootstrap);
  try {
    const md = await wire.send(ListOffsets, { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1n })) }], timeoutMs: 5000 }, 7);
    return (md.topics[0]?.partitions ?? []).map((p) => (p.errorCode === 0 ? p.offset : -1n));
  } finally {
    wire.close();
  }
}

describe('coordinators in a cluster', () => {
  it('commits a transaction across partitions led by three nodes', async () => {
    const k = kafka();
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'txn-spread', numPartitions: 3, replicationFactor: 3 }] });
    const md = await admin.fetchTopicMetadata({ topics: ['txn-spread'] });
    expect(new Set(md.topics[0]?.partitions.map((p) => p.leader)).size).toBe(3);
    await admin.disconnect();
    const producer = k.producer({ transactionalId: 'spread', idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'txn-spread', messages: [0, 1, 2].flatMap((p) => Array.from({ length: 10 }, (_, i) => ({ partition: p, value: `p${p}-${i}` }))) });
    await txn.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'txn-spread', messages: [0, 1, 2].map((p) => ({ partition: p, value: `aborted-${p}` })) });
    await aborted.abort();
    await producer.disconnect();
    // Every partition's LSO reached its log end: the markers were written on each leader.
    // Each node answers for the partition it leads; 10 records, commit marker, 1 aborted record, abort marker.
    const fromLeaders = async (isolation: 0 | 1): Promise<bigint[]> => {
      const answers = await Promise.all(nodes.map((n) => latest(n, 'txn-spread', 3, isolation)));
      return [0, 1, 2].map((p) => answers.map((a) => a[p] ?? -1n).find((o) => o >= 0n) ?? -1n);
    };
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [lso, hwm] = [await fromLeaders(1), await fromLeaders(0)];
      if (lso.every((o, i) => o === hwm[i] && o === 13n)) break;
      if (Date.now() > deadline) throw new Error(`LSO ${String(lso)} vs high watermark ${String(hwm)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const read = await runPythonClient<{ records: [number, number, string][]; errors: string[] }>('rdkafka_txn_read.py', [nodes.map((n) => n.bootstrap).join(','), 'txn-spread', '3', 'read_committed', '30'], 60_000);
    expect(read.summary.records.map((r) => r[2]).sort()).toEqual([0, 1, 2].flatMap((p) => Array.from({ length: 10 }, (_, i) => `p${p}-${i}`)).sort());
  }, 120_000);

  it('keeps the committed offsets of a group when the coordinator node is killed', async () => {
    const k = kafka();
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'group-spread', numPartitions: 3, replicationFactor: 3 }] });
    await admin.setOffsets({ groupId: 'survivors', topic: 'group-spread', partitions: [0, 1, 2].map((p) => ({ partition: p, offset: String(10 + p) })) });
    const wire = await WireClient.connect(nodes[0]!.bootstrap);
    const coordinator = (await wire.send(FindCoordinator, { key: '', keyType: 0, coordinatorKeys: ['survivors'] }, 4)).coordinators[0]?.nodeId ?? -1;
    wire.close();
    expect(coordinator).toBeGreaterThan(0);
    await admin.disconnect();
    const victim = nodes[coordinator - 1]!;
    await victim.kill9();
    const survivor = nodes.find((n) => n !== victim)!;
    const deadline = Date.now() + 30_000;
    let offsets: string[] = [];
    for (;;) {
      const k2 = new Kafka({ clientId: 'oxbow-e2e-coord-2', brokers: [survivor.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 200 } });
      const a2 = k2.admin();
      try {
        await a2.connect();
        const fetched = await a2.fetchOffsets({ groupId: 'survivors', topics: ['group-spread'] });
        offsets = (fetched[0]?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
        if (offsets.length === 3) break;
      } catch {
        // the coordinator is moving; retry
      } finally {
        await a2.disconnect().catch(() => undefined);
      }
      if (Date.now() > deadline) throw new Error('the group coordinator never came back');
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(offsets).toEqual(['10', '11', '12']);
    nodes[coordinator - 1] = await victim.restart();
  }, 120_000);
});
