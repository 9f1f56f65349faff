/**
 * Diskless topics on one broker process (issue 6): s3rver behind an S3FaultProxy with no faults
 * (it counts the requests) is the topic's own bucket; a 16-partition `storage.mode=diskless` topic
 * at the default flush settings (250 ms / 8 MiB). Measured in one run, in this order:
 * librdkafka acks=all 1 KiB produce throughput (and the same into a standard topic on the same
 * broker, for a ratio); produce latency paced at half that peak; end-to-end latency (CreateTime →
 * receipt by a librdkafka consumer tailing the topic) under the same pace; PUTs per GiB ingested
 * (the broker's `oxbow_diskless_flush_objects_total`); a cold read of the whole topic after a
 * broker restart (empty read cache) with the GETs the proxy saw; then, outside the broker, S3 PUT
 * latency of flush-sized objects on the same s3rver, EmbeddedCoordinator commit latency and Parquet
 * encode throughput (diskless-micro.ts). The goal row checks
 * produce p99 ≤ flush interval + 2 × S3 PUT p99 + commit p99 with figures of this run.
 * Compaction is turned off (interval 1 h) so that the cold read reads the flush objects the
 * produce wrote and no compaction competes for the two cores.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { CreateTopics, kafkaErrorByCode } from '@oxbow/protocol';
import { KafkaClient } from '@oxbow/node';
import { S3FaultProxy, startS3Server, type S3ServerHandle } from '@oxbow/storage/testing';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import type { Failure } from './broker-bench.js';
import { benchFile, startChild, SYSTEM_PYTHON } from './child.js';
import type { BenchConfig } from './config.js';
import { measureCommits, measureParquetEncode, measurePuts, type LatencySummary, type ParquetEncodeResult, type PutLatency } from './diskless-micro.js';
import { consumeAll, createTopic, produce, producePaced, type ConsumeResult, type PacedResult, type RequestStats } from './load-generator.js';
import { measureCpu, otherCores } from './process-stats.js';
import { MB } from './raw-limits.js';

export { disklessRows } from './diskless-rows.js';

export const DISKLESS_PARTITIONS = 16;
export const FLUSH_INTERVAL_MS = 250;
export const LATENCY_LINGER_MS = 5;
const BUCKET = 'bench-diskless';
const TOPIC = 'bench-diskless';
const STANDARD_TOPIC = 'bench-diskless-standard';

/** Histogram of one broker metric over a phase (bucket counts by upper bound, in seconds). */
export interface HistogramDelta {
  readonly count: number;
  readonly sumSeconds: number;
  /** Upper bound (s) of the bucket holding the p50 / p99 observation: Prometheus buckets are coarse. */
  readonly p50Le: number;
  readonly p99Le: number;
}

export interface DisklessThroughput {
  readonly MBps: number;
  readonly recordsPerSecond: number;
  readonly failed: number;
  readonly errors: readonly string[];
  readonly brokerCores: number;
  /** The s3rver process (the proxy runs in the harness, counted as neither). */
  readonly s3rverCores: number;
  /** This process: the S3 proxy forwarding every request, and the bench's own bookkeeping. */
  readonly harnessCores: number;
  readonly otherCores: number;
  readonly requests: RequestStats | null;
  /** Record value bytes delivered, warm-up included (the metric deltas span both). */
  readonly ingestedBytes: number;
  readonly flushObjects: number;
  readonly flushBytes: number;
  /** S3 requests the proxy saw meanwhile, by method (multipart uploads: POST, PUT per part, POST). */
  readonly proxyRequests: Readonly<Record<string, number>>;
  readonly upload: HistogramDelta | null;
  readonly commit: HistogramDelta | null;
}

export interface DisklessLatency {
  readonly result: PacedResult;
  readonly flushObjects: number;
  readonly flushBytes: number;
  readonly upload: HistogramDelta | null;
  readonly commit: HistogramDelta | null;
  readonly flush: HistogramDelta | null;
}

export interface TailResult {
  readonly records: number;
  readonly partitions: number;
  readonly errors: readonly string[];
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null; readonly p999: number | null; readonly max: number | null };
}

export interface ColdRead {
  readonly result: ConsumeResult;
  readonly seconds: number;
  readonly requests: number;
  readonly byMethod: Readonly<Record<string, number>>;
  /** Distinct objects the GETs named. */
  readonly objects: number;
  readonly cacheMisses: number;
  readonly cacheHits: number;
  readonly cacheEvictions: number;
}

export interface DisklessResults {
  readonly partitions: number;
  readonly seconds: number;
  readonly flushIntervalMs: number;
  readonly loadAverage: { readonly start: string; readonly end: string };
  readonly throughput: DisklessThroughput | null;
  readonly standard: { readonly MBps: number; readonly recordsPerSecond: number; readonly failed: number } | null;
  readonly latencyRate: number;
  readonly latency: DisklessLatency | null;
  readonly endToEnd: { readonly tail: TailResult; readonly produce: PacedResult } | null;
  readonly coldRead: ColdRead | null;
  /** Direct to s3rver, objects of the throughput run's mean flush size (the goal's figure). */
  readonly put: PutLatency | null;
  /** Same size, through the proxy the broker uses. */
  readonly putProxied: PutLatency | null;
  /** Direct, objects of the latency run's mean flush size. */
  readonly putLatencySize: PutLatency | null;
  readonly commit: LatencySummary | null;
  readonly parquet: ParquetEncodeResult | null;
  readonly failures: readonly Failure[];
}

/** Bound on the cold read (s3rver serves it at a few MB/s on these machines). */
const COLD_READ_SECONDS = 180;
/** PUTs per object size measured directly (the big objects take ~0.5 s each). */
const PUT_SAMPLES = { big: 40, small: 100 } as const;

/** Requests the proxy saw since its last reset, by method (empty when its 10,000-entry log overflowed). */
function byMethod(px: S3FaultProxy): Record<string, number> {
  const out: Record<string, number> = {};
  if (px.log.length >= 10_000) return out;
  for (const e of px.log) out[e.method] = (out[e.method] ?? 0) + 1;
  return out;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

type MetricLines = ReadonlyMap<string, number>;

async function scrape(adminPort: number): Promise<MetricLines> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/metrics`, { signal: AbortSignal.timeout(5000) });
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Sum of every series of `name` (any labels). */
function total(m: MetricLines, name: string): number {
  let sum = 0;
  for (const [series, v] of m) if (series === name || series.startsWith(`${name}{`)) sum += v;
  return sum;
}

function histogram(before: MetricLines, after: MetricLines, name: string): HistogramDelta | null {
  const buckets = new Map<number, number>();
  for (const [series, v] of after) {
    if (!series.startsWith(`${name}_bucket{`)) continue;
    const le = /le="([^"]+)"/.exec(series)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + v - (before.get(series) ?? 0));
  }
  const count = total(after, `${name}_count`) - total(before, `${name}_count`);
  if (buckets.size === 0 || count <= 0) return null;
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const le = (q: number): number => sorted.find(([, c]) => c >= q * count)?.[0] ?? Infinity;
  return { count, sumSeconds: total(after, `${name}_sum`) - total(before, `${name}_sum`), p50Le: le(0.5), p99Le: le(0.99) };
}

async function createDisklessTopic(bootstrap: string, s3: S3ServerHandle, endpoint: string): Promise<void> {
  const configs: Record<string, string> = {
    'storage.mode': 'diskless',
    's3.enabled': 'true',
    's3.bucket': BUCKET,
    's3.endpoint': endpoint,
    's3.region': s3.region,
    's3.force.path.style': 'true',
    's3.access.key.id': s3.accessKeyId,
    's3.secret.access.key': s3.secretAccessKey,
  };
  const c = await KafkaClient.connect(bootstrap, { clientId: 'oxbow-bench-diskless', timeoutMs: 30_000 });
  try {
    const r = await c.send(CreateTopics, { topics: [{ name: TOPIC, numPartitions: DISKLESS_PARTITIONS, replicationFactor: -1, assignments: [], configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }], timeoutMs: 30_000, validateOnly: false });
    const code = r.topics[0]?.errorCode ?? -1;
    if (code !== 0) throw new Error(`CreateTopics ${TOPIC} failed: ${kafkaErrorByCode(code)?.name ?? code} ${r.topics[0]?.errorMessage ?? ''}`);
  } finally {
    c.close();
  }
}

/** Tails the topic from its end for `seconds` while `load` runs (started once the tail is ready). */
async function tailWhile<T>(bootstrap: string, seconds: number, load: () => Promise<T>): Promise<{ tail: TailResult; load: T }> {
  const tail = startChild(SYSTEM_PYTHON, [benchFile('diskless-tail.py'), bootstrap, TOPIC, '--seconds', String(seconds)]);
  try {
    const ready = (await tail.nextLine(60_000)).trim();
    if (ready !== 'ready') throw new Error(`diskless-tail.py: expected "ready", got ${ready}\n${tail.stderr()}`);
    const result = await load();
    const line = await tail.nextLine(seconds * 1000 + 60_000);
    const parsed = JSON.parse(line) as TailResult & { error?: string };
    if (parsed.error !== undefined) throw new Error(`diskless-tail.py: ${parsed.error}`);
    return { tail: parsed, load: result };
  } finally {
    tail.kill('SIGKILL');
  }
}

export async function measureDiskless(config: BenchConfig, log: (line: string) => void): Promise<DisklessResults> {
  const failures: Failure[] = [];
  const step = async <T>(what: string, goal: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      failures.push({ what, goal, error: message(err) });
      log(`FAILED ${what}: ${message(err).split('\n')[0] ?? ''}`);
      return null;
    }
  };
  const loadStart = loadText();
  const s3 = await startS3Server({ buckets: [BUCKET] });
  let proxy: S3FaultProxy | undefined;
  let broker: BrokerProcess | undefined;
  try {
    proxy = await S3FaultProxy.start(s3.endpoint);
    const adminPort = await freePort();
    broker = await startBroker({ settings: { 'oxbow.diskless.compaction.interval.ms': '3600000' }, extraArgs: ['--admin', `127.0.0.1:${adminPort}`], startTimeoutMs: 60_000 });
    log(`diskless: s3rver ${s3.endpoint}, proxy ${proxy.endpoint}, broker ${broker.bootstrap} (admin ${adminPort})`);
    const px = proxy;
    const bootstrap = broker.bootstrap;
    const pid = broker.pid;
    await createDisklessTopic(bootstrap, s3, px.endpoint);

    const throughput = await step('diskless produce 1 KiB acks=all (throughput)', '', async (): Promise<DisklessThroughput> => {
      execFileSync('sync');
      const before = await scrape(adminPort);
      px.resetCounters();
      const m = await measureCpu(s3.pid === undefined ? [pid] : [pid, s3.pid], () => produce(bootstrap, TOPIC, { size: 1024, acks: 'all', seconds: config.seconds }));
      const after = await scrape(adminPort);
      const r = m.result;
      return {
        MBps: r.bytes / MB / r.elapsedSeconds,
        recordsPerSecond: r.records / r.elapsedSeconds,
        failed: r.failed,
        errors: r.errors,
        brokerCores: (m.cpu[0] ?? NaN) / m.seconds,
        s3rverCores: (m.cpu[1] ?? NaN) / m.seconds,
        harnessCores: m.harnessCpu / m.seconds,
        otherCores: otherCores(m, r.processCpuSeconds),
        requests: r.requests,
        ingestedBytes: r.bytes + (r.warmupBytes ?? 0),
        flushObjects: total(after, 'oxbow_diskless_flush_objects_total') - total(before, 'oxbow_diskless_flush_objects_total'),
        flushBytes: total(after, 'oxbow_diskless_flush_bytes_total') - total(before, 'oxbow_diskless_flush_bytes_total'),
        proxyRequests: byMethod(px),
        upload: histogram(before, after, 'oxbow_diskless_upload_duration'),
        commit: histogram(before, after, 'oxbow_diskless_commit_duration'),
      };
    });
    if (throughput !== null) log(`diskless: throughput ${throughput.MBps.toFixed(1)} MB/s, ${Math.round(throughput.recordsPerSecond)} rec/s, ${throughput.flushObjects} objects of ${(throughput.flushBytes / Math.max(1, throughput.flushObjects) / MB).toFixed(2)} MB`);

    const standard = await step('standard-topic produce 1 KiB acks=all, same broker (for the ratio)', '', async () => {
      await createTopic(bootstrap, STANDARD_TOPIC, DISKLESS_PARTITIONS);
      execFileSync('sync');
      const r = await produce(bootstrap, STANDARD_TOPIC, { size: 1024, acks: 'all', seconds: config.seconds });
      return { MBps: r.bytes / MB / r.elapsedSeconds, recordsPerSecond: r.records / r.elapsedSeconds, failed: r.failed };
    });

    const latencyRate = throughput === null ? NaN : Math.max(100, Math.round(throughput.recordsPerSecond / 2));
    const latency = !Number.isFinite(latencyRate)
      ? null
      : await step(`diskless produce latency, 1 KiB acks=all, linger.ms=${LATENCY_LINGER_MS}`, '', async (): Promise<DisklessLatency> => {
          const before = await scrape(adminPort);
          const result = await producePaced(bootstrap, TOPIC, { size: 1024, acks: 'all', seconds: config.seconds, rate: latencyRate, lingerMs: LATENCY_LINGER_MS });
          const after = await scrape(adminPort);
          return {
            result,
            flushObjects: total(after, 'oxbow_diskless_flush_objects_total') - total(before, 'oxbow_diskless_flush_objects_total'),
            flushBytes: total(after, 'oxbow_diskless_flush_bytes_total') - total(before, 'oxbow_diskless_flush_bytes_total'),
            upload: histogram(before, after, 'oxbow_diskless_upload_duration'),
            commit: histogram(before, after, 'oxbow_diskless_commit_duration'),
            flush: histogram(before, after, 'oxbow_diskless_flush_duration'),
          };
        });
    if (latency !== null) log(`diskless: latency at ${latencyRate} rec/s: p50 ${latency.result.latencyMs.p50?.toFixed(1) ?? '-'} ms, p99 ${latency.result.latencyMs.p99?.toFixed(1) ?? '-'} ms`);

    const endToEnd = !Number.isFinite(latencyRate)
      ? null
      : await step('diskless end-to-end latency (CreateTime → librdkafka consumer receipt)', '', async () => {
          const r = await tailWhile(bootstrap, config.seconds + 4, () => producePaced(bootstrap, TOPIC, { size: 1024, acks: 'all', seconds: config.seconds, rate: latencyRate, lingerMs: LATENCY_LINGER_MS }));
          return { tail: r.tail, produce: r.load };
        });
    if (endToEnd !== null) log(`diskless: end-to-end p50 ${endToEnd.tail.latencyMs.p50?.toFixed(1) ?? '-'} ms, p99 ${endToEnd.tail.latencyMs.p99?.toFixed(1) ?? '-'} ms over ${endToEnd.tail.records} records`);

    const coldRead = await step('diskless cold read of the whole topic after a broker restart', '', async (): Promise<ColdRead> => {
      const b = broker as BrokerProcess;
      await b.stop();
      broker = await b.restart();
      px.resetCounters();
      const before = await scrape(adminPort);
      const t0 = performance.now();
      const result = await consumeAll(broker.bootstrap, TOPIC, COLD_READ_SECONDS);
      const seconds = (performance.now() - t0) / 1000;
      const after = await scrape(adminPort);
      return {
        result,
        seconds,
        requests: px.counters.requests,
        byMethod: byMethod(px),
        objects: new Set(px.log.filter((e) => e.method === 'GET').map((e) => e.url.split('?')[0])).size,
        cacheMisses: total(after, 'oxbow_diskless_read_cache_misses_total') - total(before, 'oxbow_diskless_read_cache_misses_total'),
        cacheHits: total(after, 'oxbow_diskless_read_cache_hits_total') - total(before, 'oxbow_diskless_read_cache_hits_total'),
        cacheEvictions: total(after, 'oxbow_diskless_read_cache_evictions_total') - total(before, 'oxbow_diskless_read_cache_evictions_total'),
      };
    });
    if (coldRead !== null) log(`diskless: cold read ${(coldRead.result.bytes / MB).toFixed(0)} MB in ${coldRead.seconds.toFixed(1)} s, ${coldRead.requests} S3 requests`);
    await broker?.stop();

    const objectBytes = (o: { flushObjects: number; flushBytes: number } | null): number => (o === null || o.flushObjects <= 0 ? NaN : Math.round(o.flushBytes / o.flushObjects));
    const bigObject = objectBytes(throughput);
    const smallObject = objectBytes(latency);
    const put = Number.isFinite(bigObject) ? await step('S3 PUT latency, throughput-run flush size, direct to s3rver', '', () => measurePuts(s3.settings(BUCKET), bigObject, PUT_SAMPLES.big, 40_000)) : null;
    const putProxied = Number.isFinite(bigObject) ? await step('S3 PUT latency, throughput-run flush size, through the proxy', '', () => measurePuts(s3.settings(BUCKET, { endpoint: px.endpoint }), bigObject, PUT_SAMPLES.big, 40_000)) : null;
    const putLatencySize = Number.isFinite(smallObject) ? await step('S3 PUT latency, latency-run flush size, direct to s3rver', '', () => measurePuts(s3.settings(BUCKET), smallObject, PUT_SAMPLES.small, 40_000)) : null;
    if (put !== null) log(`diskless: PUT ${(put.objectBytes / MB).toFixed(2)} MB p50 ${put.p50.toFixed(1)} ms, p99 ${put.p99.toFixed(1)} ms`);
    const commit = await step(`EmbeddedCoordinator commitObject, ${DISKLESS_PARTITIONS} partitions`, '', () => measureCommits(DISKLESS_PARTITIONS, 500, 30_000));
    if (commit !== null) log(`diskless: commit p50 ${commit.p50.toFixed(2)} ms, p99 ${commit.p99.toFixed(2)} ms`);
    const parquet = await step('Parquet encode, 1 worker thread', '< 20 ms event-loop p99', () => measureParquetEncode(64_000));
    if (parquet !== null) log(`diskless: parquet ${parquet.workerMBps.toFixed(1)} MB/s per worker, loop p99 ${parquet.loopDelayP99Ms.toFixed(1)} ms`);

    return {
      partitions: DISKLESS_PARTITIONS,
      seconds: config.seconds,
      flushIntervalMs: FLUSH_INTERVAL_MS,
      loadAverage: { start: loadStart, end: loadText() },
      throughput,
      standard,
      latencyRate,
      latency,
      endToEnd,
      coldRead,
      put,
      putProxied,
      putLatencySize,
      commit,
      parquet,
      failures,
    };
  } finally {
    await broker?.cleanup().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await s3.stop();
  }
}
