/**
 * Bench settings, from the environment with small defaults so a whole run stays around a few
 * minutes on two shared cores. Every phase is bounded by these counts and durations.
 */
function num(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name}=${raw} must be a number in [${min}, ${max}]`);
  return n;
}

export interface BenchConfig {
  /** Seconds of each produce run, each ceiling run and each latency run (BENCH_SECONDS). */
  readonly seconds: number;
  /** Seconds of each raw-limit measurement, each taken three times (BENCH_RAW_SECONDS). */
  readonly rawSeconds: number;
  /** Most bytes written by each disk-append measurement (BENCH_DISK_MIB). */
  readonly diskMiB: number;
  /** Seconds and most bytes of the sustained disk append, synced at the end (BENCH_DISK_SUSTAINED_SECONDS, BENCH_DISK_SUSTAINED_MIB). */
  readonly diskSustainedSeconds: number;
  readonly diskSustainedMiB: number;
  /** Partitions of every bench topic (BENCH_PARTITIONS). */
  readonly partitions: number;
  /** Produce request bytes captured once and replayed into the broker and the sink (BENCH_REPLAY_MIB). */
  readonly replayMiB: number;
  /** Upper bound on a whole-topic fetch (BENCH_FETCH_SECONDS). */
  readonly fetchSeconds: number;
  /** Record bytes the null broker keeps for the consumer's ceiling (BENCH_CONSUMER_CEILING_MIB). */
  readonly consumerCeilingMiB: number;
  /** Produce requests the replayer keeps in flight against the broker (BENCH_REPLAY_WINDOW). */
  readonly replayWindow: number;
  /** Times the captured frames are replayed into the broker and into the sink (BENCH_REPLAY_PASSES). */
  readonly replayPasses: number;
}

export function benchConfig(): BenchConfig {
  return {
    seconds: num('BENCH_SECONDS', 8, 1, 600),
    rawSeconds: num('BENCH_RAW_SECONDS', 1, 0.2, 60),
    diskMiB: num('BENCH_DISK_MIB', 1024, 16, 65536),
    diskSustainedSeconds: num('BENCH_DISK_SUSTAINED_SECONDS', 12, 1, 600),
    diskSustainedMiB: num('BENCH_DISK_SUSTAINED_MIB', 16384, 64, 262144),
    partitions: num('BENCH_PARTITIONS', 4, 1, 256),
    replayMiB: num('BENCH_REPLAY_MIB', 256, 8, 4096),
    fetchSeconds: num('BENCH_FETCH_SECONDS', 60, 5, 600),
    consumerCeilingMiB: num('BENCH_CONSUMER_CEILING_MIB', 2048, 64, 8192),
    replayWindow: num('BENCH_REPLAY_WINDOW', 8, 1, 1024),
    replayPasses: num('BENCH_REPLAY_PASSES', 3, 1, 100),
  };
}
