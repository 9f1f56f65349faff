/**
 * The bench's local 3-node cluster (real etcd, three `oxbow start --etcd` processes on 127.0.0.1)
 * and the one-request wire-client helpers that ask it for topics, leaders and ISRs.
 */
import { rm } from 'node:fs/promises';
import { CreateTopics, DeleteTopics, kafkaErrorByCode, Metadata } from '@oxbow/protocol';
import { KafkaClient } from '@oxbow/node';
import { startEtcd, type EtcdServer } from '@oxbow/controller/testing';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';

export const NODES = 3;
const SETTINGS = {
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  // Short enough for a bench, long enough that a follower starved of CPU for a moment on two shared
  // cores stays in the ISR (acks=all on rf=3 should wait for three replicas, not two).
  'replica.lag.time.max.ms': '10000',
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.num.partitions': '3',
};
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function withClient<T>(address: string, fn: (c: KafkaClient) => Promise<T>): Promise<T> {
  const c = await KafkaClient.connect(address, { clientId: 'oxbow-bench-cluster', timeoutMs: 3000 });
  try {
    return await within(10_000, `request to ${address}`, fn(c));
  } finally {
    c.close();
  }
}

export interface PartitionView {
  readonly partition: number;
  readonly leader: number;
  readonly isr: readonly number[];
}

export async function partitionsOf(c: KafkaClient, topic: string): Promise<PartitionView[]> {
  const md = await c.send(Metadata, { topics: [{ name: topic, topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 9);
  return (md.topics[0]?.partitions ?? []).map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, isr: p.isrNodes }));
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = message(err);
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === '' ? '' : ` (last error: ${last})`}`);
    await sleep(100);
  }
}

export class Cluster {
  readonly nodes: BrokerProcess[] = [];
  constructor(readonly etcd: EtcdServer, readonly name: string) {}

  static async start(): Promise<Cluster> {
    const etcd = await startEtcd();
    const cluster = new Cluster(etcd, `bench-${process.pid}`);
    try {
      for (let id = 1; id <= NODES; id++) {
        cluster.nodes.push(await startBroker({ nodeId: id, settings: SETTINGS, startTimeoutMs: 60_000, extraArgs: ['--etcd', etcd.endpoints.join(','), '--cluster', cluster.name, '--grpc', `127.0.0.1:${await freePort()}`] }));
      }
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get bootstrap(): string {
    return this.nodes.map((n) => n.bootstrap).join(',');
  }
  get pids(): number[] {
    return this.nodes.map((n) => n.pid);
  }
  node(id: number): BrokerProcess {
    const n = this.nodes[id - 1];
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }
  /** The last lines of every node's output, for a failure report. */
  logs(): string {
    return this.nodes.map((n, i) => `--- node ${i + 1} (pid ${n.pid}) ---\n${n.output().slice(-1500)}`).join('\n');
  }

  /** Creates a topic and waits until every partition has a leader and a full ISR. */
  async createTopic(topic: string, partitions: number, rf: number, configs: Readonly<Record<string, string>> = {}): Promise<void> {
    const first = this.node(1).bootstrap;
    await withClient(first, async (c) => {
      const r = await c.send(CreateTopics, { topics: [{ name: topic, numPartitions: partitions, replicationFactor: rf, assignments: [], configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }], timeoutMs: 30_000, validateOnly: false });
      const code = r.topics[0]?.errorCode ?? -1;
      if (code !== 0) throw new Error(`CreateTopics ${topic} failed: ${kafkaErrorByCode(code)?.name ?? code} ${r.topics[0]?.errorMessage ?? ''}`);
    });
    await waitFor(`leaders and full ISRs of ${topic}`, 30_000, () =>
      withClient(first, async (c) => {
        const ps = await partitionsOf(c, topic);
        return ps.length === partitions && ps.every((p) => p.leader > 0 && p.isr.length === rf) ? true : undefined;
      }),
    );
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await withClient(this.node(1).bootstrap, async (c) => {
      const r = await c.send(DeleteTopics, { topics: topics.map((name) => ({ name, topicId: ZERO_UUID })), topicNames: [...topics], timeoutMs: 30_000 });
      const bad = r.responses.filter((t) => t.errorCode !== 0);
      if (bad.length > 0) throw new Error(`DeleteTopics failed: ${bad.map((t) => `${t.name ?? '?'} ${kafkaErrorByCode(t.errorCode)?.name ?? t.errorCode}`).join(', ')}`);
    });
  }

  async stop(): Promise<void> {
    // A node restarted twice forgets that its data dir is a temp dir: remove every one here.
    const dirs = this.nodes.map((n) => n.dataDir);
    for (const n of this.nodes) {
      await n.kill9().catch(() => undefined);
      await n.cleanup().catch(() => undefined);
    }
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    await this.etcd.stop();
  }
}
