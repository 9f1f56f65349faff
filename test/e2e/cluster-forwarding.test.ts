/**
 * Forwarding: a node started with `oxbow.client.routing=local` names itself leader of every
 * partition and forwards produce, fetch and offset lookups to the real leaders over gRPC. Here node
 * 3 leads nothing (the topic lives on nodes 1 and 2), and librdkafka clients given only node 3
 * produce (idempotent, acks=all) and consume through it; the records land on nodes 1 and 2.
 */
import { startEtcd, type EtcdServer } from '@oxbow/controller/testing';
import { KafkaClient as WireClient } from '@oxbow/node';
import { CreateTopics, Metadata } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runProcess, runPythonClient } from '../support/client-process.js';

let etcd: EtcdServer;
const nodes: BrokerProcess[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  for (let id = 1; id <= 3; id++) {
    nodes.push(
      await startBroker({
        nodeId: id,
        settings: { 'min.insync.replicas': '2', ...(id === 3 ? { 'oxbow.client.routing': 'local' } : {}) },
        extraArgs: ['--etcd', etcd.endpoints.join(','), '--cluster', `fwd-${process.pid}`, '--grpc', `127.0.0.1:${await freePort()}`],
        startTimeoutMs: 60_000,
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.cleanup().catch(() => undefined);
  await etcd?.stop();
});

async function metadata(node: BrokerProcess, topic: string): Promise<{ leader: number; isr: number[] }[]> {
  const wire = await WireClient.connect(node.bootstrap);
  try {
    const md = await wire.send(Metadata, { topics: [{ name: topic, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 9);
    return (md.topics[0]?.partitions ?? []).map((p) => ({ leader: p.leaderId, isr: [...p.isrNodes].sort() }));
  } finally {
    wire.close();
  }
}

describe('forwarding through a node that leads nothing', () => {
  it('produces and consumes through node 3 only while nodes 1 and 2 hold the data', async () => {
    const topic = 'forwarded';
    const wire = await WireClient.connect(nodes[0]!.bootstrap);
    try {
      const r = await wire.send(CreateTopics, { topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }, { partitionIndex: 1, brokerIds: [2, 1] }], configs: [] }], timeoutMs: 30_000, validateOnly: false });
      expect(r.topics[0]?.errorCode).toBe(0);
    } finally {
      wire.close();
    }
    const deadline = Date.now() + 20_000;
    while (!(await metadata(nodes[0]!, topic)).every((p) => p.isr.length === 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await metadata(nodes[0]!, topic)).map((p) => p.leader)).toEqual([1, 2]);
    // Node 3 names itself leader of both partitions.
    expect((await metadata(nodes[2]!, topic)).map((p) => p.leader)).toEqual([3, 3]);

    const produced = await runPythonClient<{ acked: [number, number, number][]; errors: unknown[]; fatal: unknown }>('rdkafka_idempotent.py', [nodes[2]!.bootstrap, topic, '2', '2000'], 90_000);
    expect(produced.summary.fatal).toBeNull();
    expect(produced.summary.errors).toEqual([]);
    expect(produced.summary.acked).toHaveLength(2000);

    const read = await runPythonClient<{ records: [number, number, string][]; errors: string[] }>('rdkafka_txn_read.py', [nodes[2]!.bootstrap, topic, '2', 'read_committed', '2000'], 60_000);
    expect(read.summary.errors).toEqual([]);
    expect(read.summary.records.map((r) => Number(r[2])).sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    const at = new Map(read.summary.records.map((r) => [`${r[0]}:${r[1]}`, Number(r[2])]));
    for (const [value, partition, offset] of produced.summary.acked) expect(at.get(`${partition}:${offset}`)).toBe(value);

    // The data is on the replicas (nodes 1 and 2), read directly from a real leader too.
    const direct = await runProcess('kcat', ['-b', nodes[0]!.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q'], { timeoutMs: 30_000 });
    expect(direct.stdout.trim().split('\n')).toHaveLength(1000);
  }, 180_000);
});
