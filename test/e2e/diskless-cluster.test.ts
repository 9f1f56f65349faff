/**
 * Diskless partitions in a 3-node cluster (real etcd, s3rver): every node serves every diskless
 * partition (Metadata names the node asked, which forwards to the partition's sequencer over
 * gRPC), and when the node sequencing partitions is killed with -9 mid-stream another node takes
 * them over from the manifest. An idempotent acks=all librdkafka producer sees no error, every
 * acknowledged record is read back exactly once at its acknowledged offset, and the manifests in
 * etcd cover each partition's offsets exactly once (no offset assigned twice).
 */
import { startEtcd, type EtcdServer } from '@oxbow/controller/testing';
import { KafkaClient as WireClient } from '@oxbow/node';
import { CreateTopics, KafkaErrorCode, Metadata } from '@oxbow/protocol';
import { startS3Server, type S3ServerHandle } from '@oxbow/storage/testing';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runPythonClient } from '../support/client-process.js';

const TOPIC = 'dl-ha';
const PARTITIONS = 6;
const CLUSTER = `dl-${process.pid}`;

interface SteadySummary {
  readonly sent: number;
  readonly acked: [number, number, string | number][];
  readonly errors: { value: string; error: { name: string }; at: number }[];
  readonly fatal: unknown;
}

interface View {
  readonly topicId: string;
  /** Per partition: the leader this node names (itself) and the real sequencer (the only replica). */
  readonly partitions: { partition: number; named: number; sequencer: number }[];
}

async function viewFrom(node: BrokerProcess): Promise<View> {
  const wire = await WireClient.connect(node.bootstrap, { timeoutMs: 3000 });
  try {
    const md = await wire.send(Metadata, { topics: [{ name: TOPIC, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 12);
    const t = md.topics[0];
    return { topicId: t?.topicId ?? '', partitions: (t?.partitions ?? []).map((p) => ({ partition: p.partitionIndex, named: p.leaderId, sequencer: p.replicaNodes[0] ?? -1 })) };
  } finally {
    wire.close();
  }
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('diskless partitions in a 3-node cluster', () => {
  let etcd: EtcdServer;
  let s3: S3ServerHandle;
  const nodes: BrokerProcess[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    s3 = await startS3Server();
    await s3.createBucket('shared');
    for (let id = 1; id <= 3; id++) {
      nodes.push(
        await startBroker({
          nodeId: id,
          settings: { 'oxbow.etcd.max.txn.ops': '4096' },
          extraArgs: ['--etcd', etcd.endpoints.join(','), '--cluster', CLUSTER, '--grpc', `127.0.0.1:${await freePort()}`],
          startTimeoutMs: 60_000,
        }),
      );
    }
  }, 180_000);

  afterAll(async () => {
    for (const n of nodes) await n.cleanup().catch(() => undefined);
    await s3?.stop();
    await etcd?.stop();
  });

  it('serves every partition through any node and survives kill -9 of a sequencer with nothing lost or assigned twice', async () => {
    const wire = await WireClient.connect(nodes[0]!.bootstrap);
    try {
      const configs = {
        'storage.mode': 'diskless',
        's3.enabled': 'true',
        's3.bucket': 'shared',
        's3.endpoint': s3.endpoint,
        's3.region': s3.region,
        's3.force.path.style': 'true',
        's3.access.key.id': s3.accessKeyId,
        's3.secret.access.key': s3.secretAccessKey,
      };
      const r = await wire.send(CreateTopics, {
        topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(r.topics[0]?.errorCode, r.topics[0]?.errorMessage ?? '').toBe(KafkaErrorCode.NONE);
    } finally {
      wire.close();
    }
    // Each node names itself for every partition; the sequencers spread over the nodes.
    const before = await waitFor('metadata on every node', async () => {
      const views = await Promise.all(nodes.map(viewFrom));
      return views.every((v, i) => v.partitions.length === PARTITIONS && v.partitions.every((p) => p.named === i + 1)) ? views[0] : undefined;
    });
    const sequencers = new Set(before.partitions.map((p) => p.sequencer));
    expect(sequencers.size).toBeGreaterThan(1);

    const producing = runPythonClient<SteadySummary>('rdkafka_steady_produce.py', [nodes.map((n) => n.bootstrap).join(','), TOPIC, String(PARTITIONS), '14', '200'], 150_000);
    await new Promise((r) => setTimeout(r, 4000));
    const victimId = before.partitions[0]!.sequencer;
    const victim = nodes[victimId - 1]!;
    const survivor = nodes.find((n) => n !== victim)!;
    const killedAt = Date.now();
    await victim.kill9();
    const after = await waitFor('new sequencers', async () => {
      const v = await viewFrom(survivor);
      return v.partitions.every((p) => p.sequencer > 0 && p.sequencer !== victimId) ? v : undefined;
    }, 30_000);
    process.stdout.write(`diskless takeover: new sequencers visible ${Date.now() - killedAt} ms after kill -9\n`);
    expect(after.partitions.filter((p, i) => before.partitions[i]?.sequencer === victimId).length).toBeGreaterThan(0);

    const produced = (await producing).summary;
    expect(produced.fatal).toBeNull();
    expect(produced.errors).toEqual([]);
    expect(produced.acked.length).toBe(produced.sent);

    const read = await runPythonClient<{ records: [number, number, string][]; errors: string[] }>('rdkafka_txn_read.py', [survivor.bootstrap, TOPIC, String(PARTITIONS), 'read_uncommitted', String(produced.acked.length)], 90_000);
    const values = read.summary.records.map((r) => Number(r[2]));
    expect(new Set(values).size).toBe(values.length);
    const at = new Map(read.summary.records.map((r) => [`${r[0]}:${r[1]}`, Number(r[2])]));
    for (const [value, partition, offset] of produced.acked) expect(at.get(`${partition}:${offset}`)).toBe(value);

    // The manifests: per partition, entries cover 0..next-1 exactly once.
    const client = new Etcd3({ hosts: [...etcd.endpoints] });
    try {
      const kv = await client.getAll().prefix(`/oxbow/${CLUSTER}/manifests/${before.topicId}/`).strings();
      for (let p = 0; p < PARTITIONS; p++) {
        const prefix = `/oxbow/${CLUSTER}/manifests/${before.topicId}/${p}/`;
        const next = BigInt(kv[`${prefix}next`] ?? '0');
        const entries = Object.entries(kv)
          .filter(([k]) => k.startsWith(`${prefix}e/`))
          .map(([k, v]) => ({ base: BigInt(k.slice(`${prefix}e/`.length)), last: BigInt((JSON.parse(v) as { last: string }).last) }))
          .sort((a, b) => (a.base < b.base ? -1 : 1));
        let expected = 0n;
        for (const e of entries) {
          expect(e.base, `partition ${p}`).toBe(expected);
          expected = e.last + 1n;
        }
        expect(expected).toBe(next);
        const stored = read.summary.records.filter((r) => r[0] === p).length;
        expect(BigInt(stored)).toBe(next);
      }
    } finally {
      client.close();
    }
  }, 240_000);
});
