/**
 * Report rows of the diskless section (diskless-bench.ts): every figure with its context, the
 * goals judged PASS or MISS, and a NOT MEASURED row for each measurement that could not be taken.
 */
import type { DisklessResults, HistogramDelta } from './diskless-bench.js';
import type { PutLatency } from './diskless-micro.js';
import type { RequestStats } from './load-generator.js';
import { MB } from './raw-limits.js';
import type { Row } from './report.js';

const GiB = 2 ** 30;
const f1 = (n: number | null): string => (n !== null && Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number | null): string => (n !== null && Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a');
const perGiB = (count: number, bytes: number): number => (bytes > 0 ? count / (bytes / GiB) : NaN);
const ms = (seconds: number): string => (Number.isFinite(seconds) ? `${int(seconds * 1000)} ms` : '+Inf');
/**
 * "upload mean 42 ms over 31, p99 ≤ 5,000 ms": the mean from _sum/_count; the p99 only as the
 * bound of its bucket (the exporter's buckets are OTel's defaults, 0, 5, 10, 25 … read as seconds).
 */
function hist(name: string, h: HistogramDelta | null): string {
  if (h === null) return `${name}: no observations`;
  return `${name} mean ${f1((h.sumSeconds / h.count) * 1000)} ms over ${h.count}, p99 ≤ ${ms(h.p99Le)}`;
}
const methods = (m: Readonly<Record<string, number>>): string => {
  const e = Object.entries(m);
  return e.length === 0 ? 'n/a (proxy log overflowed)' : e.map(([k, n]) => `${k} ${n}`).join(', ');
};
const count = (m: Readonly<Record<string, number>>, ...keys: string[]): number => (Object.keys(m).length === 0 ? NaN : keys.reduce((a, k) => a + (m[k] ?? 0), 0));
function requestsText(q: RequestStats | null): string {
  if (q === null) return '';
  return `; ${int(q.requestsPerSecond)} req/s of ${q.meanRequestBytes === null ? 'n/a' : `${int(q.meanRequestBytes / 1000)} kB`}, broker rtt p50/p99 ${f1(q.rttMs.p50)}/${f1(q.rttMs.p99)} ms`;
}
const putText = (p: PutLatency | null, what: string): string => (p === null ? `${what}: not measured` : `${what} (${f2(p.objectBytes / MB)} MB) p50 ${f1(p.p50)} / p99 ${f1(p.p99)} ms`);

export function disklessRows(r: DisklessResults): Row[] {
  const rows: Row[] = [];
  const add = (measurement: string, value: string, unit: string, context = '', goal = '', result: Row['result'] = ''): void => {
    rows.push({ measurement, value, unit, context, goal, result });
  };
  const where = `1 broker, ${r.partitions} partitions, s3rver behind a no-fault counting proxy, flush ${r.flushIntervalMs} ms / 8 MiB (defaults), compaction off`;
  const t = r.throughput;
  const objectMB = (o: { flushObjects: number; flushBytes: number } | null): number => (o === null || o.flushObjects <= 0 ? NaN : o.flushBytes / o.flushObjects / MB);
  if (t !== null) {
    // One flush starts per interval (up to 4 in flight per store): objects grow to carry the load.
    const sequential = r.putProxied?.MBps ?? NaN;
    add(
      `diskless produce 1 KiB acks=all (librdkafka), ${r.partitions} partitions`,
      f1(t.MBps),
      'MB/s',
      `${int(t.recordsPerSecond)} rec/s; ${where}; ${t.flushObjects} objects of ${f2(objectMB(t))} MB mean; one flush starts per interval, up to 4 in flight per store (their uploads overlap); for scale, one-at-a-time PUTs of such objects through the proxy carry ${f1(sequential)} MB/s (this run is ${pct(t.MBps / sequential)} of it; direct to s3rver ${f1(r.put?.MBps ?? NaN)} MB/s); broker's own ${hist('upload', t.upload)}, ${hist('commit', t.commit)}; broker ${f2(t.brokerCores)} cores, s3rver ${f2(t.s3rverCores)}, harness with the proxy ${f2(t.harnessCores)}, other processes ${f2(t.otherCores)} cores${requestsText(t.requests)}${t.failed > 0 ? `; ${t.failed} FAILED (${t.errors[0] ?? ''})` : ''}`,
    );
    if (r.standard !== null) add('diskless / standard topic produce throughput, same broker and run', pct(t.MBps / r.standard.MBps), '', `standard topic ${f1(r.standard.MBps)} MB/s (${int(r.standard.recordsPerSecond)} rec/s, rf=1, page cache)${r.standard.failed > 0 ? `; ${r.standard.failed} FAILED` : ''}`);
  }
  const l = r.latency;
  if (l !== null) {
    const lat = l.result.latencyMs;
    const problems = `${l.result.skipped > 0 ? `; ${int(l.result.skipped)} sends skipped (producer queue full)` : ''}${l.result.failed > 0 ? `; ${l.result.failed} FAILED (${l.result.errors[0] ?? ''})` : ''}`;
    add(
      `diskless produce latency p50 / p99 / p999, 1 KiB acks=all, linger.ms=5`,
      `${f1(lat.p50)} / ${f1(lat.p99)} / ${f1(lat.p999)}`,
      'ms',
      `at ${int(l.result.targetRate)} rec/s (half of the peak; achieved ${int(l.result.achievedRate)}); max ${f1(lat.max)} ms; ${l.flushObjects} objects of ${f2(objectMB(l))} MB mean; broker's own: ${hist('flush', l.flush)}, ${hist('upload', l.upload)}, ${hist('commit', l.commit)}${requestsText(l.result.requests)}${problems}`,
    );
  }
  const e = r.endToEnd;
  if (e !== null) {
    const lat = e.tail.latencyMs;
    add(
      'diskless end-to-end latency p50 / p99 / p999 (CreateTime → consumer receipt)',
      `${f1(lat.p50)} / ${f1(lat.p99)} / ${f1(lat.p999)}`,
      'ms',
      `librdkafka consumer (another process) tailing all ${e.tail.partitions} partitions from the end, default fetch settings, while the same paced load runs (${int(e.produce.achievedRate)} rec/s); ${int(e.tail.records)} records, max ${f1(lat.max)} ms; produce p99 meanwhile ${f1(e.produce.latencyMs.p99)} ms; CreateTime is in ms${e.tail.errors.length > 0 ? `; consumer errors: ${e.tail.errors[0] ?? ''}` : ''}`,
    );
  }
  if (t !== null) {
    const putsPerSecond = t.flushObjects / (r.seconds + 0.5);
    add(
      'diskless PUTs (flush objects) per GiB ingested (throughput run)',
      f1(perGiB(t.flushObjects, t.ingestedBytes)),
      'PUT/GiB',
      `oxbow_diskless_flush_objects_total +${t.flushObjects} over ${f1(t.ingestedBytes / MB)} MB of record values (warm-up included; ${f1(t.flushBytes / MB)} MB uploaded); ≈ ${f1(putsPerSecond)} objects/s against 1000 / ${r.flushIntervalMs} ms = ${f1(1000 / r.flushIntervalMs)}/s (one flush start per interval; early flushes at 8 MiB would add more)`,
    );
    add(
      'diskless S3 write requests per GiB ingested (throughput run, as billed)',
      f1(perGiB(count(t.proxyRequests, 'PUT', 'POST'), t.ingestedBytes)),
      'req/GiB',
      `what the proxy saw: ${methods(t.proxyRequests)}; objects above 16 MiB go up as multipart (POST create, one PUT per 8 MiB part, POST complete)`,
    );
  }
  const c = r.coldRead;
  if (c !== null) {
    const res = c.result;
    const gets = count(c.byMethod, 'GET');
    const problem = res.complete ? '' : `; INCOMPLETE (${int(res.records)} of ${int(res.expectedRecords)} records${res.errors.length > 0 ? `, ${res.errors[0] ?? ''}` : ''})`;
    add(
      'diskless GETs per GiB read, cold (whole topic from offset 0 after a broker restart)',
      f1(perGiB(gets, res.bytes)),
      'GET/GiB',
      `broker restarted (empty read cache), librdkafka consumer from the beginning to the high watermarks: ${f1(res.bytes / MB)} MB of record values, ${int(res.records)} records; S3 requests ${c.requests} (${methods(c.byMethod)}) naming ${int(c.objects)} objects; read cache misses ${int(c.cacheMisses)}, hits ${int(c.cacheHits)}, evictions ${int(c.cacheEvictions)}${problem}`,
    );
    add('diskless cold read throughput', f1(res.bytes / MB / res.elapsedSeconds), 'MB/s', `${f1(res.elapsedSeconds)} s (bound ${f1(c.seconds)} s with the client's start-up); through the proxy to s3rver; flush objects up to 16 MiB are fetched whole, larger ones by one ranged GET per partition slice, through the 64 MiB read cache`);
  }
  if (r.put !== null) {
    add(
      'S3 PUT latency p50 / p99, flush-sized objects, direct to s3rver',
      `${f1(r.put.p50)} / ${f1(r.put.p99)}`,
      'ms',
      `${f2(r.put.objectBytes / MB)} MB objects (the throughput run's mean flush object; multipart above 16 MiB, as the broker uploads), ${r.put.samples} PUTs one at a time (nearest-rank p99), max ${f1(r.put.max)} ms, ${f1(r.put.MBps)} MB/s; ${putText(r.putProxied, 'through the proxy')}; ${putText(r.putLatencySize, "latency run's object size, direct")}; measured after the broker stopped`,
    );
  }
  if (r.commit !== null) {
    add(
      `coordinator commit latency p50 / p99 (EmbeddedCoordinator.commitObject, ${r.partitions} partitions)`,
      `${f2(r.commit.p50)} / ${f2(r.commit.p99)}`,
      'ms',
      `${r.commit.samples} commits one at a time into a fresh temp dir, max ${f2(r.commit.max)} ms; broker's own (same coordinator, under load): throughput run ${hist('commit', t?.commit ?? null)}; latency run ${hist('commit', l?.commit ?? null)}`,
    );
  }
  const p = r.parquet;
  if (p !== null) {
    add(
      'Parquet encode throughput per worker',
      f1(p.workerMBps),
      'MB/s',
      `ParquetWorkerPool, 1 thread, ${p.writer}/snappy (zstd's fallback on Node 20); ${int(p.records)} records of 1 KiB (half random, half text) in batches of 500 = ${f1(p.inputMB)} MB → ${f1(p.fileMB)} MB file; ${int(p.rowsPerSecond)} rows/s of worker time; ${f1(p.wallMBps)} MB/s wall clock`,
    );
    add('main event-loop delay p99 while a worker encodes', f1(p.loopDelayP99Ms), 'ms', `monitorEventLoopDelay at 1 ms resolution (subtracted), main thread otherwise idle; max ${f1(p.loopDelayMaxMs)} ms`, '< 20 ms', p.loopDelayP99Ms < 20 ? 'PASS' : 'MISS');
  }
  const goal = 'produce p99 ≤ flush interval + 2 × S3 PUT p99 + commit p99';
  const p99 = l?.result.latencyMs.p99 ?? null;
  if (p99 !== null && r.put !== null && r.commit !== null) {
    const budget = r.flushIntervalMs + 2 * r.put.p99 + r.commit.p99;
    const alt = r.putLatencySize === null ? NaN : r.flushIntervalMs + 2 * r.putLatencySize.p99 + r.commit.p99;
    add(
      'diskless produce p99 against its budget',
      `${f1(p99)} / ${f1(budget)}`,
      'ms',
      `budget = ${r.flushIntervalMs} + 2 × ${f1(r.put.p99)} (PUT p99, throughput-run object size, direct) + ${f2(r.commit.p99)} (commit p99, EmbeddedCoordinator); all from this run`,
      goal,
      p99 <= budget && (l?.result.failed ?? 1) === 0 ? 'PASS' : 'MISS',
    );
    if (r.putLatencySize !== null) {
      add(
        "diskless produce p99 against the same budget with the latency run's own object size",
        `${f1(p99)} / ${f1(alt)}`,
        'ms',
        `budget = ${r.flushIntervalMs} + 2 × ${f1(r.putLatencySize.p99)} (PUT p99 of ${f2(r.putLatencySize.objectBytes / MB)} MB objects, direct, broker stopped) + ${f2(r.commit.p99)}: the objects the flusher wrote while this p99 was measured`,
        `${goal} (diagnostic)`,
        p99 <= alt ? 'PASS' : 'MISS',
      );
    }
  } else {
    add('diskless produce p99 against its budget', 'n/a', 'ms', 'a term of the goal was not measured: see the rows below', goal, 'MISS');
  }
  add('load average (1, 5, 15 min) at the start / end of the diskless section', `${r.loadAverage.start} / ${r.loadAverage.end}`, '', '2 shared cores: other work on the machine competes with the broker, s3rver and clients');
  for (const f of r.failures) add(`NOT MEASURED: ${f.what}`, 'n/a', '', f.error.replaceAll(/\s+/g, ' ').slice(0, 600), f.goal, f.goal === '' ? '' : 'MISS');
  return rows;
}
