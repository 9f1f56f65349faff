/**
 * A 3-node cluster (real etcd, three broker processes on 127.0.0.1, replication over gRPC) with
 * real clients: replication factor 3 with min.insync.replicas 2 and acks=all, bootstrapping from
 * each node in turn, and failover: the leader of a busy partition is killed (-9) or paused
 * (SIGSTOP) under an idempotent acks=all producer; a new leader is elected, the producer carries
 * on, and a read-back shows every acknowledged record once, in order, on every replica.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import kafkajs, { type Admin, type Kafka as KafkaClient } from 'kafkajs';
import { startEtcd, type EtcdServer } from '@oxbow/controller/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runProcess, runPythonClient } from '../support/client-process.js';
import { encodeRecordBatch, Metadata, Produce } from '@oxbow/protocol';
import { KafkaClient as WireClient } from '@oxbow/node';

const { Kafka, logLevel, Partitioners } = kafkajs;
const NODES = 3;
/** Short lease and lag settings keep failover within a few seconds. */
const SETTINGS = {
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  'replica.lag.time.max.ms': '3000',
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.num.partitions': '3',
  'group.initial.rebalance.delay.ms': '0',
};

let etcd: EtcdServer;
const nodes: BrokerProcess[] = [];
const clusterName = `e2e-${process.pid}`;

async function startNode(id: number, port?: number, dataDir?: string): Promise<BrokerProcess> {
  return startBroker({
    nodeId: id,
    ...(port === undefined ? {} : { port }),
    ...(dataDir === undefined ? {} : { dataDir }),
    settings: SETTINGS,
    extraArgs: ['--etcd', etcd.endpoints.join(','), '--cluster', clusterName, '--grpc', `127.0.0.1:${await freePort()}`],
    startTimeoutMs: 60_000,
  });
}

function kafkaFor(bootstrap: string): KafkaClient {
  return new Kafka({ clientId: 'oxbow-e2e-cluster', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 2000 } });
}

beforeAll(async () => {
  etcd = await startEtcd();
  for (let id = 1; id <= NODES; id++) nodes.push(await startNode(id));
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.cleanup().catch(() => undefined);
  await etcd?.stop();
});

async function describeTopic(admin: Admin, topic: string): Promise<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }[]> {
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  return (md.topics[0]?.partitions ?? []).map((p) => ({ partitionId: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort() }));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Leaders and the controller as one node answers Metadata (our own client: it talks to that node only). */
async function viewFrom(node: BrokerProcess, topic: string): Promise<{ controller: number; partitions: { partition: number; leader: number; isr: number[] }[] }> {
  const wire = await WireClient.connect(node.bootstrap, { timeoutMs: 3000 });
  try {
    const md = await wire.send(Metadata, { topics: [{ name: topic, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 9);
    return { controller: md.controllerId, partitions: (md.topics[0]?.partitions ?? []).map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, isr: [...p.isrNodes].sort() })) };
  } finally {
    wire.close();
  }
}

/** sha256 of every segment file of a partition replica, concatenated in name order. */
async function replicaDigest(node: BrokerProcess, topic: string, partition: number): Promise<string> {
  const dir = join(node.dataDir, 'logs', `${topic}-${partition}`);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  const hash = createHash('sha256');
  for (const n of names) hash.update(await readFile(join(dir, n)));
  return hash.digest('hex');
}

describe('3-node cluster', () => {
  it('replicates rf=3 topics: kafkajs produces acks=all through one node and consumes through another', async () => {
    const admin = kafkaFor(nodes[0]!.bootstrap).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'replicated', numPartitions: 3, replicationFactor: 3 }] });
      const parts = await waitFor('leaders and full ISRs', async () => {
        const d = await describeTopic(admin, 'replicated');
        return d.length === 3 && d.every((p) => p.leader > 0 && p.isr.length === 3) ? d : undefined;
      });
      expect(new Set(parts.map((p) => p.leader)).size).toBe(3); // leadership spread over the nodes
      for (const p of parts) expect(p.replicas).toEqual([1, 2, 3]);
    } finally {
      await admin.disconnect();
    }
    const producer = kafkaFor(nodes[1]!.bootstrap).producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const messages = Array.from({ length: 50 }, (_, j) => ({ key: `k${i * 50 + j}`, value: `v${i * 50 + j}` }));
      await producer.send({ topic: 'replicated', acks: -1, messages });
      sent.push(...messages.map((m) => m.value));
    }
    await producer.disconnect();

    const seen: string[] = [];
    const consumer = kafkaFor(nodes[2]!.bootstrap).consumer({ groupId: 'cluster-readers', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'replicated', fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void seen.push(message.value?.toString() ?? '')) });
    await waitFor('every record consumed', () => Promise.resolve(seen.length >= sent.length));
    await consumer.disconnect();
    expect(seen.sort()).toEqual([...sent].sort());

    // Every replica holds the same bytes.
    for (let p = 0; p < 3; p++) {
      await waitFor(`replicas of partition ${p} identical`, async () => {
        const digests = await Promise.all(nodes.map((n) => replicaDigest(n, 'replicated', p)));
        return new Set(digests).size === 1;
      });
    }
  }, 120_000);

  it('bootstraps from each node: librdkafka (kcat) sees all three brokers and every partition leader', async () => {
    for (const n of nodes) {
      const r = await runProcess('kcat', ['-b', n.bootstrap, '-L', '-t', 'replicated'], { timeoutMs: 30_000 });
      expect(r.stdout).toContain('3 brokers:');
      for (const id of [1, 2, 3]) expect(r.stdout).toMatch(new RegExp(`broker ${id} at 127\\.0\\.0\\.1:\\d+`));
      expect(r.stdout.match(/leader [123],/g)).toHaveLength(3);
    }
  }, 60_000);

  interface SteadySummary {
    readonly sent: number;
    readonly acked: [number, number, string | number][];
    readonly errors: { value: string; error: { name: string }; at: number }[];
    readonly unflushed: number;
    readonly fatal: unknown;
  }

  /**
   * Kill, pause or (controller) kill the leader of partition 0 of a fresh rf=3 topic while a
   * steady idempotent acks=all producer writes to it; checks the new leader came within the lease
   * TTL (6 s) + 2 s, that the producer lost nothing, and that a full read-back holds every acked
   * record exactly once, in acked-offset order, identically on every replica.
   */
  async function failover(topic: string, disrupt: 'kill' | 'pause' | 'controller'): Promise<void> {
    const admin = kafkaFor(nodes[0]!.bootstrap).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }] });
    } finally {
      await admin.disconnect();
    }
    const before = await waitFor('full ISR', async () => {
      const d = await viewFrom(nodes[0]!, topic);
      return d.partitions.length === 2 && d.partitions.every((p) => p.leader > 0 && p.isr.length === 3) ? d : undefined;
    });
    const producing = runPythonClient<SteadySummary>('rdkafka_steady_produce.py', [nodes.map((n) => n.bootstrap).join(','), topic, '2', '14', '200'], 120_000);
    await new Promise((r) => setTimeout(r, 4000));
    const victimId = disrupt === 'controller' ? before.controller : (before.partitions[0]?.leader ?? -1);
    const victimIndex = nodes.findIndex((_, i) => i + 1 === victimId);
    expect(victimIndex).toBeGreaterThanOrEqual(0);
    const victim = nodes[victimIndex]!;
    const survivor = nodes.find((_, i) => i !== victimIndex)!;
    const disruptedAt = Date.now();
    if (disrupt === 'pause') victim.pause();
    else await victim.kill9();
    // A new leader for every partition the victim led, within the lease TTL (6 s) + 2 s.
    await waitFor('new leaders', async () => {
      const d = await viewFrom(survivor, topic);
      return d.partitions.every((p) => p.leader > 0 && p.leader !== victimId) ? d : undefined;
    }, 30_000);
    const electedMs = Date.now() - disruptedAt;
    expect(electedMs).toBeLessThan(6000 + 2000 + 1000); // + polling slack
    process.stdout.write(`failover (${disrupt}): new leaders visible ${electedMs} ms after the disruption\n`);
    if (disrupt === 'pause') {
      await new Promise((r) => setTimeout(r, 1000));
      victim.resume();
      // The resumed old leader must not acknowledge anything: it lost its session (fenced) and the
      // coordinator moved leadership away while it slept.
      const wire = await WireClient.connect(victim.bootstrap, { timeoutMs: 10_000 });
      try {
        const records = await encodeRecordBatch({ records: [{ timestamp: BigInt(Date.now()), key: null, value: Buffer.from('zombie') }] });
        const r = await wire.send(Produce, { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }, 9);
        expect(r.responses[0]?.partitionResponses[0]?.errorCode).not.toBe(0);
      } finally {
        wire.close();
      }
    }
    const produced = (await producing).summary;
    expect(produced.fatal).toBeNull();
    expect(produced.unflushed).toBe(0);
    expect(produced.errors).toEqual([]);
    expect(produced.acked.length).toBe(produced.sent);
    if (disrupt !== 'pause') nodes[victimIndex] = await victim.restart();

    // Read back everything through a survivor: each acked value exactly once, at its acked offset.
    const read = await runPythonClient<{ records: [number, number, string][]; errors: string[] }>('rdkafka_txn_read.py', [survivor.bootstrap, topic, '2', 'read_uncommitted', String(produced.acked.length)], 60_000);
    expect(read.summary.errors).toEqual([]);
    const values = read.summary.records.map((r) => Number(r[2]));
    expect(values).not.toContain(Number.NaN); // no 'zombie' record anywhere
    expect(new Set(values).size).toBe(values.length); // no duplicates
    const at = new Map(read.summary.records.map((r) => [`${r[0]}:${r[1]}`, Number(r[2])]));
    for (const [value, partition, offset] of produced.acked) expect(at.get(`${partition}:${offset}`)).toBe(value);
    for (let p = 0; p < 2; p++) {
      const seq = read.summary.records.filter((r) => r[0] === p).map((r) => Number(r[2]));
      expect(seq).toEqual([...seq].sort((a, b) => a - b)); // per-partition order kept
    }
    // The victim rejoins as a follower and converges to the same bytes (diverging tail truncated).
    for (let p = 0; p < 2; p++) {
      await waitFor(`replicas of ${topic}-${p} identical`, async () => {
        const digests = await Promise.all(nodes.map((n) => replicaDigest(n, topic, p)));
        return new Set(digests).size === 1;
      }, 40_000);
    }
  }

  it('fails over when the leader of a busy partition is killed (-9): nothing acknowledged lost, no duplicates', async () => {
    await failover('failover-kill', 'kill');
  }, 180_000);

  it('fences a paused leader (SIGSTOP): a new leader takes over, and the old one accepts nothing after it resumes', async () => {
    await failover('failover-pause', 'pause');
  }, 180_000);

  it('survives the controller node being killed', async () => {
    await failover('failover-controller', 'controller');
  }, 180_000);

  it('rides out etcd being unavailable for 10 s: produce pauses or retries, nothing acknowledged is lost, all recovers', async () => {
    const topic = 'etcd-outage';
    const admin = kafkaFor(nodes[0]!.bootstrap).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }] });
    } finally {
      await admin.disconnect();
    }
    await waitFor('full ISR', async () => {
      const d = await viewFrom(nodes[0]!, topic);
      return d.partitions.length === 2 && d.partitions.every((p) => p.leader > 0 && p.isr.length === 3) ? d : undefined;
    });
    const producing = runPythonClient<SteadySummary>('rdkafka_steady_produce.py', [nodes.map((n) => n.bootstrap).join(','), topic, '2', '20', '200'], 150_000);
    await new Promise((r) => setTimeout(r, 3000));
    etcd.pause();
    await new Promise((r) => setTimeout(r, 10_000));
    etcd.resume();
    const produced = (await producing).summary;
    expect(produced.fatal).toBeNull();
    expect(produced.errors).toEqual([]);
    expect(produced.acked.length).toBe(produced.sent);
    await waitFor('leaders again', async () => {
      const d = await viewFrom(nodes[1]!, topic);
      return d.partitions.every((p) => p.leader > 0) ? d : undefined;
    });
    const read = await runPythonClient<{ records: [number, number, string][]; errors: string[] }>('rdkafka_txn_read.py', [nodes[1]!.bootstrap, topic, '2', 'read_uncommitted', String(produced.acked.length)], 60_000);
    const values = read.summary.records.map((r) => Number(r[2]));
    expect(new Set(values).size).toBe(values.length);
    const at = new Map(read.summary.records.map((r) => [`${r[0]}:${r[1]}`, Number(r[2])]));
    for (const [value, partition, offset] of produced.acked) expect(at.get(`${partition}:${offset}`)).toBe(value);
  }, 180_000);
});
