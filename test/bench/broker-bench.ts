/**
 * The real broker, one process with a fresh data dir: produce throughput per record size and
 * acks, produce latency at half of the measured peak, whole-topic fetch, CPU per GB and peak RSS.
 * Each produce run follows a null-broker ceiling run of the same record size (ceiling.ts).
 * The broker is started through test/support/broker-process.ts (the broker itself, not the
 * launcher, so its pid is what /proc is read for).
 */
import { existsSync } from 'node:fs';
import { startBroker } from '../support/broker-process.js';
import { RECORD_SIZES, REPLAY_TOPIC, type CeilingBench, type CeilingRun } from './ceiling.js';
import { runJson, tsHelper } from './child.js';
import type { BenchConfig } from './config.js';
import { consumeAll, createTopic, produce, producePaced, type PacedResult, type RequestStats } from './load-generator.js';
import { coreSplit, measureCpu, otherCores, statusBytes, type CoreSplit, type CpuSample } from './process-stats.js';
import { MB } from './raw-limits.js';
import { replayIntoBroker, replayIntoSink, type ReplayResult } from './replay.js';

export interface ProduceRun {
  /** The null-broker run of the same record size taken just before this one. */
  readonly ceiling: CeilingRun;
  readonly size: number;
  readonly acks: '1' | 'all';
  readonly topic: string;
  readonly MBps: number;
  readonly recordsPerSecond: number;
  readonly records: number;
  readonly failed: number;
  readonly errors: readonly string[];
  /** Broker CPU seconds per GB of record values, over the warm-up and the timed run. */
  readonly brokerCpuPerGB: number;
  /** Cores the broker used while the timed run went on (its CPU scaled to the timed bytes). */
  readonly broker: CoreSplit;
  readonly clientCores: number;
  readonly machineBusy: number;
  /** Cores used by processes outside the bench meanwhile (the machine is shared). */
  readonly otherCores: number;
  readonly requests: RequestStats | null;
}

export interface LatencyRun {
  readonly lingerMs: number;
  readonly size: number;
  readonly acks: 'all';
  readonly result: PacedResult;
  /** Over the whole client run (its start-up included, so slightly low). */
  readonly broker: CoreSplit;
  readonly otherCores: number;
}

export interface FetchRun {
  readonly client: string;
  readonly topic: string;
  readonly MBps: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly complete: boolean;
  readonly error: string | null;
  readonly brokerCpuPerGB: number;
  /** Over the whole client run (its start-up included, so slightly low). */
  readonly broker: CoreSplit;
  readonly clientCores: number;
  readonly machineBusy: number;
  readonly otherCores: number;
}

/** A measurement that could not be taken, and why (reported as a MISS, never dropped). */
export interface Failure {
  readonly what: string;
  readonly goal: string;
  readonly error: string;
}

export interface BrokerResults {
  readonly produce: readonly ProduceRun[];
  readonly latency: readonly LatencyRun[];
  readonly fetch: readonly FetchRun[];
  readonly replay: (ReplayResult & { readonly cpuPerGB: number }) | null;
  /** The same frames into the TCP sink, right after the broker's replay and with the broker's data still there. */
  readonly sink: (ReplayResult & { readonly cpuPerGB: number }) | null;
  readonly peakRssBytes: number | null;
  readonly failures: readonly Failure[];
}

const ACKS = ['1', 'all'] as const;
/** linger.ms of the latency runs: 0 measures the broker, 5 is librdkafka's default batching wait. */
const LATENCY_LINGERS = [0, 5] as const;
const FETCH_TOPIC = 'bench-1024b-acks1';

interface ReaderOutput {
  bytes: number;
  seconds: number;
  complete: boolean;
  error: string | null;
  cpuSeconds: number;
  processCpuSeconds: number;
}

export async function measureBroker(config: BenchConfig, ceilingBench: CeilingBench, captureFile: string | null, log: (line: string) => void): Promise<BrokerResults> {
  const broker = await startBroker({ startTimeoutMs: 60_000 });
  const { bootstrap, pid } = broker;
  const failures: Failure[] = [];
  /** Runs one measurement; a failure is recorded with the broker's output if the broker died. */
  const step = async <T>(what: string, goal: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const died = (): string => (existsSync(`/proc/${pid}`) ? '' : `\nthe broker process has exited; its output ends with:\n${broker.output().slice(-2000)}`);
    if (!existsSync(`/proc/${pid}`)) {
      failures.push({ what, goal, error: `not measured${died()}` });
      return undefined;
    }
    try {
      return await fn();
    } catch (err) {
      const error = `${err instanceof Error ? err.message : String(err)}${died()}`;
      failures.push({ what, goal, error });
      log(`FAILED ${what}: ${error.split('\n')[0] ?? ''}`);
      return undefined;
    }
  };
  try {
    const produceRuns: ProduceRun[] = [];
    for (const size of RECORD_SIZES) {
      for (const acks of ACKS) {
        const topic = `bench-${size}b-acks${acks}`;
        const run = await step(`produce ${size} B records, acks=${acks}`, '≥ 70% of ceiling', async (): Promise<ProduceRun> => {
          await createTopic(bootstrap, topic, config.partitions);
          const ceiling = await ceilingBench.run(size);
          log(`ceiling ${size} B: ${ceiling.MBps.toFixed(1)} MB/s, ${Math.round(ceiling.recordsPerSecond)} records/s`);
          const m = await measureCpu([pid], () => produce(bootstrap, topic, { size, acks, seconds: config.seconds }));
          const r = m.result;
          const cpuPerGB = (m.cpu[0] ?? 0) / ((r.bytes + (r.warmupBytes ?? 0)) / 1e9);
          const timedShare = r.bytes / (r.bytes + (r.warmupBytes ?? 0));
          return {
            ceiling,
            size,
            acks,
            topic,
            MBps: r.bytes / MB / r.elapsedSeconds,
            recordsPerSecond: r.records / r.elapsedSeconds,
            records: r.records,
            failed: r.failed,
            errors: r.errors,
            brokerCpuPerGB: cpuPerGB,
            broker: coreSplit(m.samples[0] as CpuSample, r.elapsedSeconds, timedShare),
            clientCores: r.clientCpuSeconds / r.elapsedSeconds,
            machineBusy: m.machineBusy,
            otherCores: otherCores(m, r.processCpuSeconds),
            requests: r.requests,
          };
        });
        if (run === undefined) continue;
        produceRuns.push(run);
        log(`produce ${size} B acks=${acks}: ${run.MBps.toFixed(1)} MB/s, ${Math.round(run.recordsPerSecond)} records/s`);
      }
    }

    const latency: LatencyRun[] = [];
    const peak = produceRuns.find((r) => r.size === 1024 && r.acks === 'all');
    const rate = Math.floor((peak?.recordsPerSecond ?? 0) / 2);
    for (const lingerMs of LATENCY_LINGERS) {
      const run = await step(`produce latency, 1 KiB acks=all, linger.ms=${lingerMs}`, 'p99 ≤ 5 ms', async (): Promise<LatencyRun> => {
        if (rate < 1) throw new Error('no 1 KiB acks=all peak rate was measured to take half of');
        if (latency.length === 0) await createTopic(bootstrap, 'bench-latency', config.partitions);
        const m = await measureCpu([pid], () => producePaced(bootstrap, 'bench-latency', { size: 1024, acks: 'all', seconds: config.seconds, rate, lingerMs }));
        return { lingerMs, size: 1024, acks: 'all', result: m.result, broker: coreSplit(m.samples[0] as CpuSample, m.seconds), otherCores: otherCores(m, m.result.processCpuSeconds) };
      });
      if (run === undefined) continue;
      latency.push(run);
      log(`latency 1 KiB acks=all at ${rate} records/s, linger.ms=${lingerMs}: p99 ${run.result.latencyMs.p99?.toFixed(2) ?? '-'} ms`);
    }

    const fetch: FetchRun[] = [];
    const consumer = await step('fetch whole topic, librdkafka consumer', '≥ 50% of loopback TCP', async (): Promise<FetchRun> => {
      const m = await measureCpu([pid], () => consumeAll(bootstrap, FETCH_TOPIC, config.fetchSeconds));
      const r = m.result;
      return {
        client: 'librdkafka consumer (assign, from the beginning)',
        topic: FETCH_TOPIC,
        MBps: r.bytes / MB / r.elapsedSeconds,
        bytes: r.bytes,
        seconds: r.elapsedSeconds,
        complete: r.complete && r.records === r.expectedRecords,
        error: r.errors[0] ?? (r.complete ? null : `read ${r.records} of ${r.expectedRecords} records within ${config.fetchSeconds} s`),
        brokerCpuPerGB: (m.cpu[0] ?? 0) / (r.bytes / 1e9),
        broker: coreSplit(m.samples[0] as CpuSample, m.seconds),
        clientCores: r.clientCpuSeconds / r.elapsedSeconds,
        machineBusy: m.machineBusy,
        otherCores: otherCores(m, r.processCpuSeconds),
      };
    });
    if (consumer !== undefined) fetch.push(consumer);
    const reader = await step('fetch whole topic, bare Fetch reader', '(diagnostic)', async (): Promise<FetchRun> => {
      const cmd = tsHelper('fetch-reader.ts', [String(broker.port), FETCH_TOPIC, String(config.partitions), String(config.fetchSeconds)]);
      const m = await measureCpu([pid], () => runJson<ReaderOutput>(cmd.command, cmd.args, config.fetchSeconds * 1000 + 60_000));
      const r = m.result;
      return {
        client: 'bare Fetch v11 reader (Node, @oxbow/protocol, records not decoded)',
        topic: FETCH_TOPIC,
        MBps: r.bytes / MB / r.seconds,
        bytes: r.bytes,
        seconds: r.seconds,
        complete: r.complete,
        error: r.error,
        brokerCpuPerGB: (m.cpu[0] ?? 0) / (r.bytes / 1e9),
        broker: coreSplit(m.samples[0] as CpuSample, m.seconds),
        clientCores: r.cpuSeconds / r.seconds,
        machineBusy: m.machineBusy,
        otherCores: otherCores(m, r.processCpuSeconds),
      };
    });
    if (reader !== undefined) fetch.push(reader);
    for (const f of fetch) log(`fetch (${f.client}): ${f.MBps.toFixed(1)} MB/s`);

    const replay = await step('broker CPU per GB, replay of captured Produce frames', '≤ 2× sink', async () => {
      if (captureFile === null) throw new Error('no Produce frames were captured');
      await createTopic(bootstrap, REPLAY_TOPIC, config.partitions);
      const r = await replayIntoBroker(captureFile, config.replayPasses, broker.port, pid, config.replayWindow);
      log(`replay into broker: ${(r.bytes / MB).toFixed(0)} MB, ${r.cpuSeconds.toFixed(2)} CPU s`);
      return { ...r, cpuPerGB: r.cpuSeconds / (r.bytes / 1e9) };
    });
    // The sink's replay follows at once, in the same state: the broker's GBs still on disk and in
    // the page cache (see replay.ts for why that matters on our VMs).
    const sink = await step('Node TCP sink CPU per GB', '', async () => {
      if (captureFile === null) throw new Error('no Produce frames were captured');
      const r = await replayIntoSink(captureFile, config.replayPasses);
      log(`replay into sink: ${r.cpuSeconds.toFixed(2)} CPU s`);
      return { ...r, cpuPerGB: r.cpuSeconds / (r.bytes / 1e9) };
    });
    const peakRssBytes = (await step('broker peak RSS', '', () => Promise.resolve(statusBytes(pid, 'VmHWM')))) ?? null;
    return { produce: produceRuns, latency, fetch, replay: replay ?? null, sink: sink ?? null, peakRssBytes, failures };
  } finally {
    await broker.cleanup();
  }
}
