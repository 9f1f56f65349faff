/**
 * The local 3-node cluster (real etcd, three `oxbow start --etcd` processes on 127.0.0.1,
 * replication over gRPC, min.insync.replicas=2): librdkafka acks=all 1 KiB produce throughput and
 * paced latency on an rf=3 topic as a fraction of an rf=1 topic of the same partition count on the
 * same cluster and run, then failover time: kill -9 of the leader of partition 0 of an rf=3 topic
 * to the first acks=all Produce that succeeds, over several trials (the killed node is restarted
 * and the ISR full again before the next). Our own wire client probes failover, one request at a
 * time, so no client library's backoff counts. A report, never a timed assertion: a measurement
 * that could not be taken is a Failure with its reason.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { CreateTopics, DeleteTopics, encodeRecordBatch, kafkaErrorByCode, Metadata, Produce } from '@oxbow/protocol';
import { KafkaClient } from '@oxbow/node';
import { startEtcd, type EtcdServer } from '@oxbow/controller/testing';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import type { Failure } from './broker-bench.js';
import type { BenchConfig } from './config.js';
import { produce, producePaced, type PacedResult, type RequestStats } from './load-generator.js';
import { measureCpu, otherCores } from './process-stats.js';
import { MB } from './raw-limits.js';
import type { Row } from './report.js';

export interface ClusterThroughputRun {
  readonly rf: 1 | 3;
  readonly MBps: number;
  readonly recordsPerSecond: number;
  readonly failed: number;
  readonly errors: readonly string[];
  /** CPU of the three nodes together over the run (start-up of the client included). */
  readonly brokerCores: number;
  readonly otherCores: number;
  readonly requests: RequestStats | null;
}

export interface ClusterLatencyRun {
  readonly rf: 1 | 3;
  readonly result: PacedResult;
  readonly brokerCores: number;
  readonly otherCores: number;
}

export interface FailoverTrial {
  readonly victim: number;
  readonly newLeader: number;
  /** kill -9 of the leader → response of the first successful acks=all Produce. */
  readonly ms: number;
  /** kill -9 → first Metadata answer naming another leader. */
  readonly electedMs: number;
  readonly attempts: number;
  /** What the failed attempts saw, with counts ("NOT_LEADER_OR_FOLLOWER ×3"). */
  readonly errors: readonly string[];
  /** Restart of the killed node → partition 0's ISR full again. */
  readonly rejoinMs: number;
}

export interface ClusterResults {
  readonly partitions: number;
  readonly seconds: number;
  /** Throughput runs in run order (ABBA: rf=1, rf=3, rf=3, rf=1). */
  readonly throughput: readonly ClusterThroughputRun[];
  readonly rf1MBps: number;
  readonly rf3MBps: number;
  /** median(rf=3 MB/s) / median(rf=1 MB/s). */
  readonly throughputRatio: number;
  readonly latencyRate: number;
  readonly latency: readonly ClusterLatencyRun[];
  readonly failover: { readonly trials: readonly FailoverTrial[]; readonly requested: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly leaseTtlSeconds: number;
  /** Warnings and errors the nodes logged by the end of the throughput and latency runs. */
  readonly loadLogs: readonly NodeLogSummary[];
  readonly failures: readonly Failure[];
}

export interface NodeLogSummary {
  readonly node: number;
  readonly warnings: number;
  readonly errors: number;
  /** The most frequent messages at warn level or above, with counts. */
  readonly top: readonly string[];
}

/** Counts pino lines at warn (40) and above in a node's output. */
function summarizeLog(node: number, output: string): NodeLogSummary {
  let warnings = 0;
  let errors = 0;
  const counts = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: unknown; msg?: unknown; why?: unknown };
    try {
      entry = JSON.parse(line) as { level?: unknown; msg?: unknown; why?: unknown };
    } catch {
      continue;
    }
    if (typeof entry.level !== 'number' || entry.level < 40) continue;
    if (entry.level >= 50) errors++;
    else warnings++;
    const msg = `${typeof entry.msg === 'string' ? entry.msg : '?'}${typeof entry.why === 'string' ? ` (${entry.why})` : ''}`.slice(0, 160);
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([m, n]) => `"${m}" ×${n}`);
  return { node, warnings, errors, top };
}

const NODES = 3;
const SETTINGS = {
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  // Short enough for a bench, long enough that a follower starved of CPU for a moment on two shared
  // cores stays in the ISR (acks=all on rf=3 should wait for three replicas, not two).
  'replica.lag.time.max.ms': '10000',
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.num.partitions': '3',
};
/** EtcdCoordinator's default session lease; `oxbow start` has no setting for it. */
const LEASE_TTL_SECONDS = 6;
const TOPICS = { 1: 'bench-cluster-rf1', 3: 'bench-cluster-rf3' } as const;
const FAILOVER_TOPIC = 'bench-cluster-failover';
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** linger.ms of the latency runs (librdkafka's default batching wait, as the throughput runs). */
const LATENCY_LINGER_MS = 5;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const median = (xs: readonly number[]): number => quantile(xs, 0.5);
/** Nearest rank: with 10 samples p99 is the largest. */
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.max(0, Math.ceil(q * s.length) - 1)] as number);
};

function failoverTrials(): number {
  const raw = process.env.BENCH_FAILOVER_TRIALS;
  const n = raw === undefined || raw === '' ? 10 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`BENCH_FAILOVER_TRIALS=${raw ?? ''} must be an integer in [1, 50]`);
  return n;
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function withClient<T>(address: string, fn: (c: KafkaClient) => Promise<T>): Promise<T> {
  const c = await KafkaClient.connect(address, { clientId: 'oxbow-bench-cluster', timeoutMs: 3000 });
  try {
    return await within(10_000, `request to ${address}`, fn(c));
  } finally {
    c.close();
  }
}

interface PartitionView {
  readonly partition: number;
  readonly leader: number;
  readonly isr: readonly number[];
}

async function partitionsOf(c: KafkaClient, topic: string): Promise<PartitionView[]> {
  const md = await c.send(Metadata, { topics: [{ name: topic, topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 9);
  return (md.topics[0]?.partitions ?? []).map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, isr: p.isrNodes }));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
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

class Cluster {
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

/**
 * One acks=all producer of small records, one request at a time, to whichever node Metadata
 * (asked of the nodes in turn, skipping those that refuse connections) says leads partition 0.
 */
class FailoverProbe {
  readonly #addresses: ReadonlyMap<number, string>;
  readonly #topic: string;
  readonly #connections = new Map<number, KafkaClient>();
  #leader = -1;
  #next = 0;

  constructor(addresses: ReadonlyMap<number, string>, topic: string) {
    this.#addresses = addresses;
    this.#topic = topic;
  }

  get leader(): number {
    return this.#leader;
  }

  /** Resolves null on success, else what went wrong. */
  async attempt(): Promise<string | null> {
    try {
      if (this.#leader <= 0) this.#leader = await this.#findLeader();
      if (this.#leader <= 0) return 'no leader in Metadata';
      const c = await this.#connection(this.#leader);
      const records = await encodeRecordBatch({ records: [{ timestamp: BigInt(Date.now()), key: null, value: Buffer.alloc(100, 0x61) }] });
      const r = await within(8000, 'Produce', c.send(Produce, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: this.#topic, partitionData: [{ index: 0, records }] }] }));
      const code = r.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
      if (code === 0) return null;
      this.#leader = -1;
      return kafkaErrorByCode(code)?.name ?? `error ${code}`;
    } catch (err) {
      this.#drop(this.#leader);
      this.#leader = -1;
      return message(err).replace(/127\.0\.0\.1:\d+/g, 'node');
    }
  }

  async #findLeader(): Promise<number> {
    const ids = [...this.#addresses.keys()];
    let last: unknown;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[(this.#next + i) % ids.length] as number;
      try {
        const c = await this.#connection(id);
        const view = await within(3000, 'Metadata', partitionsOf(c, this.#topic));
        this.#next = (this.#next + i + 1) % ids.length;
        return view.find((p) => p.partition === 0)?.leader ?? -1;
      } catch (err) {
        this.#drop(id);
        last = err;
      }
    }
    throw last instanceof Error ? last : new Error('no node answered Metadata');
  }

  async #connection(id: number): Promise<KafkaClient> {
    const open = this.#connections.get(id);
    if (open !== undefined) return open;
    const address = this.#addresses.get(id);
    if (address === undefined) throw new Error(`unknown node ${id}`);
    const c = await KafkaClient.connect(address, { clientId: 'oxbow-bench-failover', timeoutMs: 2000 });
    this.#connections.set(id, c);
    return c;
  }

  #drop(id: number): void {
    this.#connections.get(id)?.close();
    this.#connections.delete(id);
  }

  close(): void {
    for (const c of this.#connections.values()) c.close();
    this.#connections.clear();
  }
}

/** Leader of partition 0 once its ISR is full, as that leader itself answers. */
async function settledLeader(cluster: Cluster, topic: string, timeoutMs: number): Promise<number> {
  return waitFor(`a leader of ${topic}-0 with a full ISR`, timeoutMs, async () => {
    const leader = await withClient(cluster.node(1).bootstrap, async (c) => (await partitionsOf(c, topic)).find((p) => p.partition === 0)?.leader ?? -1);
    if (leader <= 0) return undefined;
    const own = await withClient(cluster.node(leader).bootstrap, async (c) => (await partitionsOf(c, topic)).find((p) => p.partition === 0));
    return own?.leader === leader && own.isr.length === NODES ? leader : undefined;
  });
}

async function failoverTrial(cluster: Cluster, log: (line: string) => void): Promise<FailoverTrial> {
  const victim = await settledLeader(cluster, FAILOVER_TOPIC, 60_000);
  const probe = new FailoverProbe(new Map(cluster.nodes.map((n, i) => [i + 1, n.bootstrap])), FAILOVER_TOPIC);
  try {
    // Steady state first: the probe produces to the leader before it dies.
    for (let ok = 0, i = 0; ok < 5; i++) {
      if (i > 100) throw new Error('the probe could not produce to the healthy cluster');
      if ((await probe.attempt()) === null) ok++;
      else await sleep(50);
    }
    const errors = new Map<string, number>();
    let attempts = 0;
    let electedMs = NaN;
    const killedAt = performance.now();
    await cluster.node(victim).kill9();
    let ms = NaN;
    while (performance.now() - killedAt < 60_000) {
      attempts++;
      const error = await probe.attempt();
      if (Number.isNaN(electedMs) && probe.leader > 0 && probe.leader !== victim) electedMs = performance.now() - killedAt;
      if (error === null) {
        ms = performance.now() - killedAt;
        break;
      }
      errors.set(error, (errors.get(error) ?? 0) + 1);
      await sleep(50);
    }
    const newLeader = probe.leader;
    const seen = [...errors].map(([e, n]) => `${e} ×${n}`);
    if (Number.isNaN(ms)) throw new Error(`no acks=all Produce succeeded within 60 s of killing node ${victim}: ${seen.join('; ')}\n${cluster.logs()}`);
    const restarted = performance.now();
    cluster.nodes[victim - 1] = await cluster.node(victim).restart();
    await settledLeader(cluster, FAILOVER_TOPIC, 60_000);
    const rejoinMs = performance.now() - restarted;
    log(`cluster: failover after killing node ${victim}: ${ms.toFixed(0)} ms to the first acks=all produce (node ${newLeader}, elected after ${electedMs.toFixed(0)} ms, ${attempts} attempts: ${seen.join('; ')}); ISR full ${(rejoinMs / 1000).toFixed(1)} s after the restart`);
    return { victim, newLeader, ms, electedMs, attempts, errors: seen, rejoinMs };
  } finally {
    probe.close();
  }
}

export async function measureCluster(config: BenchConfig, log: (line: string) => void): Promise<ClusterResults> {
  const requested = failoverTrials();
  const failures: Failure[] = [];
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      failures.push({ what, goal: '', error: message(err) });
      log(`FAILED ${what}: ${message(err).split('\n')[0] ?? ''}`);
      return undefined;
    }
  };
  const cluster = await Cluster.start();
  log(`cluster: etcd and ${NODES} nodes up (${cluster.bootstrap})`);
  try {
    const throughput: ClusterThroughputRun[] = [];
    const latency: ClusterLatencyRun[] = [];
    const topicsReady = await step('create the rf=1 and rf=3 bench topics', async () => {
      // With the cluster's min.insync.replicas=2 an rf=1 topic refuses acks=all (NOT_ENOUGH_REPLICAS,
      // as in Kafka): it gets min.insync.replicas=1, the most it can have.
      await cluster.createTopic(TOPICS[1], config.partitions, 1, { 'min.insync.replicas': '1' });
      await cluster.createTopic(TOPICS[3], config.partitions, 3);
      return true;
    });
    if (topicsReady === true) {
      // ABBA order cancels a linear drift over the runs; each starts after `sync`.
      for (const rf of [1, 3, 3, 1] as const) {
        const run = await step(`cluster produce 1 KiB acks=all, rf=${rf}`, async (): Promise<ClusterThroughputRun> => {
          execFileSync('sync');
          const m = await measureCpu(cluster.pids, () => produce(cluster.bootstrap, TOPICS[rf], { size: 1024, acks: 'all', seconds: config.seconds }));
          const r = m.result;
          return { rf, MBps: r.bytes / MB / r.elapsedSeconds, recordsPerSecond: r.records / r.elapsedSeconds, failed: r.failed, errors: r.errors, brokerCores: m.cpu.reduce((a, b) => a + b, 0) / m.seconds, otherCores: otherCores(m, r.processCpuSeconds), requests: r.requests };
        });
        if (run === undefined) continue;
        throughput.push(run);
        log(`cluster: 1 KiB acks=all rf=${rf}: ${run.MBps.toFixed(1)} MB/s, ${Math.round(run.recordsPerSecond)} rec/s${run.failed > 0 ? `, ${run.failed} FAILED (${run.errors[0] ?? ''})` : ''}`);
      }
    }
    const rfRuns = (rf: 1 | 3): ClusterThroughputRun[] => throughput.filter((t) => t.rf === rf);
    const rf3Peak = median(rfRuns(3).map((t) => t.recordsPerSecond));
    const latencyRate = Number.isFinite(rf3Peak) ? Math.max(100, Math.round(rf3Peak / 2)) : NaN;
    if (Number.isFinite(latencyRate)) {
      for (const rf of [3, 1] as const) {
        const run = await step(`cluster produce latency 1 KiB acks=all, rf=${rf}`, async (): Promise<ClusterLatencyRun> => {
          const m = await measureCpu(cluster.pids, () => producePaced(cluster.bootstrap, TOPICS[rf], { size: 1024, acks: 'all', seconds: config.seconds, rate: latencyRate, lingerMs: LATENCY_LINGER_MS }));
          return { rf, result: m.result, brokerCores: m.cpu.reduce((a, b) => a + b, 0) / m.seconds, otherCores: otherCores(m, m.result.processCpuSeconds) };
        });
        if (run === undefined) continue;
        latency.push(run);
        const l = run.result.latencyMs;
        log(`cluster: latency rf=${rf} at ${latencyRate} rec/s: p50 ${l.p50?.toFixed(2) ?? '-'} ms, p99 ${l.p99?.toFixed(2) ?? '-'} ms${run.result.failed > 0 ? `, ${run.result.failed} FAILED` : ''}`);
      }
    }
    const loadLogs = cluster.nodes.map((n, i) => summarizeLog(i + 1, n.output()));
    for (const l of loadLogs) if (l.warnings + l.errors > 0) log(`cluster: node ${l.node} logged ${l.warnings} warnings and ${l.errors} errors under load: ${l.top.join('; ')}`);
    // The bench topics go before the kills, so a restarted node has no large logs to recover.
    await step('delete the throughput topics before the failover trials', () => cluster.deleteTopics([TOPICS[1], TOPICS[3]]));

    const trials: FailoverTrial[] = [];
    await step('create the failover topic', () => cluster.createTopic(FAILOVER_TOPIC, 1, 3));
    for (let i = 0; i < requested; i++) {
      const trial = await step(`failover trial ${i + 1}`, () => failoverTrial(cluster, log));
      if (trial === undefined) break; // the cluster is in an unknown state: later trials would not be comparable
      trials.push(trial);
    }
    const times = trials.map((t) => t.ms);
    return {
      partitions: config.partitions,
      seconds: config.seconds,
      throughput,
      rf1MBps: median(rfRuns(1).map((t) => t.MBps)),
      rf3MBps: median(rfRuns(3).map((t) => t.MBps)),
      throughputRatio: median(rfRuns(3).map((t) => t.MBps)) / median(rfRuns(1).map((t) => t.MBps)),
      latencyRate,
      latency,
      failover: { trials, requested, p50: median(times), p99: quantile(times, 0.99), max: times.length === 0 ? NaN : Math.max(...times) },
      leaseTtlSeconds: LEASE_TTL_SECONDS,
      loadLogs,
      failures,
    };
  } finally {
    await cluster.stop();
  }
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number | null): string => (n !== null && Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a');
function requestsText(q: RequestStats | null): string {
  if (q === null) return '';
  const size = q.meanRequestBytes === null ? 'n/a' : `${int(q.meanRequestBytes / 1000)} kB`;
  return `; ${int(q.requestsPerSecond)} req/s of ${size}, broker rtt p50/p99 ${f2(q.rttMs.p50)}/${f2(q.rttMs.p99)} ms`;
}
const problems = (failed: number, errors: readonly string[], skipped = 0): string =>
  `${skipped > 0 ? `; ${int(skipped)} sends skipped (producer queue full)` : ''}${failed > 0 ? `; ${failed} FAILED (${errors[0] ?? ''})` : ''}`;

export function clusterRows(r: ClusterResults): Row[] {
  const rows: Row[] = [];
  const add = (measurement: string, value: string, unit: string, context = '', result: Row['result'] = ''): void => {
    rows.push({ measurement, value, unit, context, goal: '', result });
  };
  const where = `3 nodes + etcd on this machine, ${r.partitions} partitions, min.insync.replicas=2 (1 for rf=1)`;
  for (const rf of [1, 3] as const) {
    const runs = r.throughput.filter((t) => t.rf === rf);
    if (runs.length === 0) continue;
    const mbps = rf === 1 ? r.rf1MBps : r.rf3MBps;
    const failed = runs.reduce((a, t) => a + t.failed, 0);
    add(
      `cluster produce 1 KiB acks=all, rf=${rf}`,
      f1(mbps),
      'MB/s',
      `${int(median(runs.map((t) => t.recordsPerSecond)))} rec/s; median of ${runs.map((t) => f1(t.MBps)).join(', ')} MB/s (ABBA order); ${where}; nodes ${runs.map((t) => f2(t.brokerCores)).join(', ')} cores, other processes ${runs.map((t) => f2(t.otherCores)).join(', ')} cores${runs.map((t) => requestsText(t.requests)).join('')}${problems(failed, runs.flatMap((t) => t.errors))}`,
    );
  }
  if (Number.isFinite(r.throughputRatio)) add('cluster produce throughput rf=3 / rf=1 (MB/s and rec/s)', pct(r.throughputRatio), '', `${f1(r.rf3MBps)} / ${f1(r.rf1MBps)} MB/s, same cluster and run`);
  for (const l of r.latency) {
    const lat = l.result.latencyMs;
    add(
      `cluster produce latency p50 / p99, 1 KiB acks=all, rf=${l.rf}`,
      `${f2(lat.p50)} / ${f2(lat.p99)}`,
      'ms',
      `at ${int(l.result.targetRate)} rec/s (half of the rf=3 peak; achieved ${int(l.result.achievedRate)}), linger.ms=${LATENCY_LINGER_MS}; p999 ${f2(lat.p999)} ms, max ${f2(lat.max)} ms; nodes ${f2(l.brokerCores)} cores, other processes ${f2(l.otherCores)} cores${requestsText(l.result.requests)}${problems(l.result.failed, l.result.errors, l.result.skipped)}`,
    );
  }
  const l1 = r.latency.find((l) => l.rf === 1)?.result.latencyMs;
  const l3 = r.latency.find((l) => l.rf === 3)?.result.latencyMs;
  if (l1 !== undefined && l3 !== undefined) {
    const ratio = (a: number | null, b: number | null): string => (a !== null && b !== null && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
    add('cluster produce latency rf=3 / rf=1, p50 / p99', `${ratio(l3.p50, l1.p50)} / ${ratio(l3.p99, l1.p99)}`, '', `same rate (${int(r.latencyRate)} rec/s), same cluster and run`);
  }
  const fo = r.failover;
  if (fo.trials.length > 0) {
    const elected = fo.trials.map((t) => t.electedMs).filter(Number.isFinite);
    add(
      'failover: kill -9 of the leader → first successful acks=all produce, p50 / p99 / max',
      `${int(fo.p50)} / ${int(fo.p99)} / ${int(fo.max)}`,
      'ms',
      `${fo.trials.length} of ${fo.requested} trials (p99 of so few is the largest); etcd session lease TTL ${r.leaseTtlSeconds} s (a dead node's lease expires ⅔·TTL..TTL after its last keepalive); new leader in Metadata p50 ${int(median(elected))} ms; wire-client probe, one Produce at a time, 50 ms between retries; restarted node back in the ISR in p50 ${f1(median(fo.trials.map((t) => t.rejoinMs)) / 1000)} s`,
    );
  }
  const logged = r.loadLogs.filter((l) => l.warnings + l.errors > 0);
  add(
    'node warnings / errors logged during the throughput and latency runs',
    `${r.loadLogs.reduce((a, l) => a + l.warnings, 0)} / ${r.loadLogs.reduce((a, l) => a + l.errors, 0)}`,
    'lines',
    logged.map((l) => `node ${l.node}: ${l.top.join(', ')}`).join('; '),
  );
  for (const f of r.failures) add(f.what, 'not measured', '', f.error.split('\n')[0] ?? '', 'MISS');
  return rows;
}
