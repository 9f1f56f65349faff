/**
 * Divergence: the leader of a partition is cut off from its followers and from etcd (TCP links in
 * front of its gRPC endpoint and its etcd connection) while a client keeps writing to it with
 * acks=1. It goes on appending until it notices it lost its session (fencing), the other nodes
 * elect a new leader, which takes acks=all writes. After the links heal, the old leader comes back
 * as a follower, truncates the tail nobody else has, and every replica ends with the same bytes.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEtcd, type EtcdServer } from '@oxbow/controller/testing';
import { KafkaClient as WireClient } from '@oxbow/node';
import { CreateTopics, encodeRecordBatch, Metadata, Produce } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import { startTcpLink, type TcpLink } from '../support/tcp-link.js';

let etcd: EtcdServer;
const nodes: BrokerProcess[] = [];
const grpcLinks: TcpLink[] = [];
const etcdLinks: TcpLink[] = [];
const TOPIC = 'diverging';

beforeAll(async () => {
  etcd = await startEtcd();
  const etcdPort = Number(new URL(etcd.endpoints[0] ?? '').port);
  for (let id = 1; id <= 3; id++) {
    const grpcPort = await freePort();
    const grpcLink = await startTcpLink(grpcPort);
    const etcdLink = await startTcpLink(etcdPort);
    grpcLinks.push(grpcLink);
    etcdLinks.push(etcdLink);
    nodes.push(
      await startBroker({
        nodeId: id,
        settings: { 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '3000' },
        extraArgs: ['--etcd', `http://${etcdLink.address}`, '--cluster', `div-${process.pid}`, '--grpc', `127.0.0.1:${grpcPort}`, '--advertise-grpc', grpcLink.address],
        startTimeoutMs: 60_000,
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.cleanup().catch(() => undefined);
  for (const l of [...grpcLinks, ...etcdLinks]) await l.close();
  await etcd?.stop();
});

async function leaderAsSeenBy(node: BrokerProcess): Promise<number> {
  const wire = await WireClient.connect(node.bootstrap, { timeoutMs: 3000 });
  try {
    const md = await wire.send(Metadata, { topics: [{ name: TOPIC, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 9);
    return md.topics[0]?.partitions[0]?.leaderId ?? -1;
  } finally {
    wire.close();
  }
}

async function brokersSeenBy(node: BrokerProcess): Promise<number> {
  const wire = await WireClient.connect(node.bootstrap, { timeoutMs: 3000 });
  try {
    const md = await wire.send(Metadata, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 9);
    return md.brokers.length;
  } finally {
    wire.close();
  }
}

async function produceTo(wire: WireClient, value: string, acks: -1 | 1): Promise<{ errorCode: number; baseOffset: bigint }> {
  const records = await encodeRecordBatch({ records: [{ timestamp: BigInt(Date.now()), key: null, value: Buffer.from(value) }] });
  const r = await wire.send(Produce, { transactionalId: null, acks, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] }, 9);
  const p = r.responses[0]?.partitionResponses[0];
  return { errorCode: p?.errorCode ?? -1, baseOffset: p?.baseOffset ?? -1n };
}

async function digest(node: BrokerProcess): Promise<string> {
  const dir = join(node.dataDir, 'logs', `${TOPIC}-0`);
  const hash = createHash('sha256');
  for (const n of (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()) hash.update(await readFile(join(dir, n)));
  return hash.digest('hex');
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a leader isolated with writes in flight', () => {
  it('ends, after healing, with every replica holding the same log', async () => {
    // Every node registered, as node 1 sees it (registrations reach it through its etcd watch).
    await until('3 brokers', async () => (await brokersSeenBy(nodes[0]!)) === 3, 20_000);
    const admin = await WireClient.connect(nodes[0]!.bootstrap);
    const created = await admin.send(CreateTopics, { topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
    admin.close();
    expect(created.topics[0]?.errorCode, created.topics[0]?.errorMessage ?? '').toBe(0);
    await until('a leader', async () => (await leaderAsSeenBy(nodes[0]!)) > 0, 20_000);
    const oldLeader = await leaderAsSeenBy(nodes[0]!);
    const old = nodes[oldLeader - 1]!;
    const toOld = await WireClient.connect(old.bootstrap);
    // The leader takes writes once its own watch has delivered the new topic (NOT_LEADER_OR_FOLLOWER
    // until then, which a client retries): wait for its first acks=all write, then 19 more in a row.
    let first = -1;
    await until('the leader takes writes', async () => (first = (await produceTo(toOld, 'committed-0', -1)).errorCode) === 0, 20_000);
    expect(first).toBe(0);
    for (let i = 1; i < 20; i++) expect((await produceTo(toOld, `committed-${i}`, -1)).errorCode).toBe(0);

    // Cut the leader off from its followers and from etcd, and keep writing to it with acks=1.
    grpcLinks[oldLeader - 1]!.cut();
    etcdLinks[oldLeader - 1]!.cut();
    const tail: string[] = [];
    const cutAt = Date.now();
    while (Date.now() - cutAt < 7000) {
      const r = await produceTo(toOld, `isolated-${tail.length}`, 1).catch(() => ({ errorCode: -1, baseOffset: -1n }));
      if (r.errorCode === 0) tail.push(`isolated-${tail.length}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    toOld.close();
    // Appended alone before it fenced itself (about ⅔ of the 6 s lease): these cannot survive.
    expect(tail.length).toBeGreaterThan(0);

    const survivor = nodes.find((_, i) => i !== oldLeader - 1)!;
    await until('a new leader', async () => {
      const l = await leaderAsSeenBy(survivor);
      return l > 0 && l !== oldLeader;
    }, 20_000);
    const newLeader = await leaderAsSeenBy(survivor);
    const toNew = await WireClient.connect(nodes[newLeader - 1]!.bootstrap);
    for (let i = 0; i < 10; i++) expect((await produceTo(toNew, `after-${i}`, -1)).errorCode).toBe(0);

    grpcLinks[oldLeader - 1]!.heal();
    etcdLinks[oldLeader - 1]!.heal();
    await until('identical replicas', async () => {
      const d = await Promise.all(nodes.map(digest));
      return new Set(d).size === 1;
    }, 45_000);
    // The old leader takes writes again only as a follower would: it refuses them.
    const again = await WireClient.connect(old.bootstrap);
    expect((await produceTo(again, 'late', -1)).errorCode).not.toBe(0);
    again.close();
    // And the new leader keeps serving.
    expect((await produceTo(toNew, 'final', -1)).errorCode).toBe(0);
    toNew.close();
  }, 150_000);
});
