/**
 * Report rows of the cluster section (cluster-bench.ts): throughput and latency of rf=1 and rf=3
 * with their ratios, failover times, what the nodes logged under load, and a "not measured" row
 * for each measurement that could not be taken.
 */
import { LATENCY_LINGER_MS, type ClusterResults } from './cluster-bench.js';
import { median } from './stats.js';
import type { RequestStats } from './load-generator.js';
import type { Row } from './report.js';

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
