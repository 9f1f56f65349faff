/**
 * The load generator's ceiling: the same librdkafka producer the broker gets, pointed at the null
 * broker (null-broker.ts, in this process). A ceiling run is taken right before each broker run
 * of the same record size, so the two see the same background load on a shared machine. Also
 * captures the Produce frames that replay.ts plays into the broker and the sink.
 */
import { writeFileSync } from 'node:fs';
import type { BenchConfig } from './config.js';
import { consumeAll, produce, type RequestStats } from './load-generator.js';
import { NullBroker } from './null-broker.js';
import { measureCpu, otherCores } from './process-stats.js';
import { MB } from './raw-limits.js';

export const REPLAY_TOPIC = 'bench-replay';
/** The topic whose batches the null broker keeps for the consumer's ceiling. */
const CONSUMER_CEILING_TOPIC = 'bench-consumer-ceiling';
export const RECORD_SIZES = [1024, 100] as const;

export interface CeilingRun {
  readonly size: number;
  readonly MBps: number;
  readonly recordsPerSecond: number;
  /** Cores the load generator used (its CPU seconds / wall seconds). */
  readonly clientCores: number;
  /** CPU seconds per GB of the null broker (this process), over the warm-up and the timed run. */
  readonly nullBrokerCpuPerGB: number;
  /** Cores the null broker used while the timed run went on (CPU per GB × GB/s). */
  readonly nullBrokerCores: number;
  /** Busy share of the whole machine during the run (0..1). */
  readonly machineBusy: number;
  /** Cores used by processes outside the bench meanwhile (the machine is shared). */
  readonly otherCores: number;
  readonly requests: RequestStats | null;
  readonly failed: number;
  readonly errors: readonly string[];
}

/** The librdkafka consumer reading from the null broker, which answers from memory at once. */
export interface ConsumerCeilingRun {
  readonly MBps: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly complete: boolean;
  readonly clientCores: number;
  readonly machineBusy: number;
  readonly otherCores: number;
  readonly errors: readonly string[];
}

export interface CeilingBench {
  run(size: number): Promise<CeilingRun>;
  /** Fills the null broker with 1 KiB records (once) and reads them all with the consumer the broker's fetch run uses. */
  consume(): Promise<ConsumerCeilingRun>;
  /** Produces 1 KiB acks=all records to the replay topic and writes the captured frames to `file`. */
  capture(file: string): Promise<{ frames: number; bytes: number }>;
  close(): Promise<void>;
}

export async function startCeilingBench(config: BenchConfig): Promise<CeilingBench> {
  const nullBroker = await NullBroker.start({
    partitions: config.partitions,
    captureTopic: REPLAY_TOPIC,
    captureBytes: config.replayMiB * 1024 * 1024,
    keepTopic: CONSUMER_CEILING_TOPIC,
    keepBytes: config.consumerCeilingMiB * 1024 * 1024,
  });
  return {
    async run(size) {
      nullBroker.resetStats();
      const w = await measureCpu([], () => produce(nullBroker.bootstrap, `bench-ceiling-${size}b`, { size, acks: 'all', seconds: config.seconds }));
      const r = w.result;
      const cpuPerGB = w.harnessCpu / ((r.bytes + (r.warmupBytes ?? 0)) / 1e9);
      return {
        size,
        MBps: r.bytes / MB / r.elapsedSeconds,
        recordsPerSecond: r.records / r.elapsedSeconds,
        clientCores: r.clientCpuSeconds / r.elapsedSeconds,
        nullBrokerCpuPerGB: cpuPerGB,
        nullBrokerCores: (cpuPerGB * r.bytes) / 1e9 / r.elapsedSeconds,
        machineBusy: w.machineBusy,
        otherCores: otherCores(w, r.processCpuSeconds),
        requests: r.requests,
        failed: r.failed,
        errors: [...r.errors, ...nullBroker.stats.errors],
      };
    },
    async consume() {
      // The null broker stops keeping at keepBytes; a few runs at the ceiling's rate fill it, and the loop is bounded anyway.
      for (let i = 0; i < 5 && nullBroker.keptBytes < nullBroker.keptLimit * 0.9; i++) {
        await produce(nullBroker.bootstrap, CONSUMER_CEILING_TOPIC, { size: 1024, acks: '1', seconds: config.seconds });
      }
      const w = await measureCpu([], () => consumeAll(nullBroker.bootstrap, CONSUMER_CEILING_TOPIC, config.fetchSeconds));
      const r = w.result;
      return {
        MBps: r.bytes / MB / r.elapsedSeconds,
        bytes: r.bytes,
        seconds: r.elapsedSeconds,
        complete: r.complete,
        clientCores: r.clientCpuSeconds / r.elapsedSeconds,
        machineBusy: w.machineBusy,
        otherCores: otherCores(w, r.processCpuSeconds),
        errors: [...r.errors, ...nullBroker.stats.errors],
      };
    },
    async capture(file) {
      // At the ceiling's rate the capture fills within a second or two; the run is bounded anyway.
      const seconds = Math.max(2, Math.min(config.seconds, 10));
      await produce(nullBroker.bootstrap, REPLAY_TOPIC, { size: 1024, acks: 'all', seconds });
      const frames = nullBroker.captured();
      writeFileSync(file, Buffer.concat(frames));
      return { frames: frames.length, bytes: frames.reduce((n, f) => n + f.length, 0) };
    },
    close: () => nullBroker.close(),
  };
}
