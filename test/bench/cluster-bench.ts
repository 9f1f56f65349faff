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
import type { Failure } from './broker-bench.js';
import { FAILOVER_TOPIC, failoverTrial, failoverTrials, type FailoverTrial } from './cluster-failover.js';
import { summarizeLog, type NodeLogSummary } from './cluster-logs.js';
import { Cluster, message, NODES } from './cluster-nodes.js';
import type { BenchConfig } from './config.js';
import { produce, producePaced, type PacedResult, type RequestStats } from './load-generator.js';
import { measureCpu, otherCores } from './process-stats.js';
import { MB } from './raw-limits.js';
import { median, quantile } from './stats.js';

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

/** EtcdCoordinator's default session lease; `oxbow start` has no setting for it. */
const LEASE_TTL_SECONDS = 6;
const TOPICS = { 1: 'bench-cluster-rf1', 3: 'bench-cluster-rf3' } as const;
/** linger.ms of the latency runs (librdkafka's default batching wait, as the throughput runs). */
export const LATENCY_LINGER_MS = 5;

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
