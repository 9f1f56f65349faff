/**
 * The bench report: one Markdown table (printed and written to bench-results/broker.md) and the
 * full figures as JSON (bench-results/broker.json). Goals are printed next to the figure they
 * judge, each as PASS or MISS; a missing figure is a MISS with the reason, never left out.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { GOAL_LATENCY_RUNS, type BrokerResults, type Failure, type LatencyRun } from './broker-bench.js';
import type { CeilingRun } from './ceiling.js';
import { SYSTEM_PYTHON } from './child.js';
import type { BenchConfig } from './config.js';
import type { CoordinationResults } from './coordination-bench.js';
import type { ClusterResults } from './cluster-bench.js';
import { clusterRows } from './cluster-rows.js';
import { disklessRows, type DisklessResults } from './diskless-bench.js';
import type { RequestStats } from './load-generator.js';
import type { CoreSplit } from './process-stats.js';
import type { RawLimits } from './raw-limits.js';
import type { ReplayResult } from './replay.js';
import { median } from './stats.js';

export interface BenchResults {
  readonly config: BenchConfig;
  readonly raw: RawLimits;
  readonly capture: { readonly frames: number; readonly bytes: number };
  readonly broker: BrokerResults;
  readonly sink: (ReplayResult & { readonly cpuPerGB: number }) | null;
  readonly coordination: CoordinationResults | null;
  readonly cluster: ClusterResults | null;
  readonly diskless?: DisklessResults | null;
  /** Measurements that could not be taken: each becomes a MISS row with its reason. */
  readonly failures: readonly Failure[];
  readonly seconds: number;
}

export interface Row {
  readonly measurement: string;
  readonly value: string;
  readonly unit: string;
  readonly context: string;
  readonly goal: string;
  readonly result: '' | 'PASS' | 'MISS';
}

export function machineInfo(): Record<string, string | number> {
  let librdkafka = 'unknown';
  try {
    librdkafka = execFileSync(SYSTEM_PYTHON, ['-c', 'import confluent_kafka as c; print(c.version()[0], c.libversion()[0])'], { encoding: 'utf8' }).trim().replace(' ', ' / librdkafka ');
  } catch {
    // reported as unknown
  }
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadGenerator: `python3-confluent-kafka ${librdkafka}`,
    loadAverageAtEnd: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a');
const verdict = (ok: boolean): 'PASS' | 'MISS' => (ok ? 'PASS' : 'MISS');
const share = (fraction: number): string => (fraction === 0.5 ? 'half' : `1/${Math.round(1 / fraction)}`);
const sizeName = (size: number): string => (size === 1024 ? '1 KiB' : `${size} B`);
const others = (cores: number): string => `other processes ${f2(cores)} cores`;
/** "1.20 cores (main thread 0.40, other threads 0.35 user + 0.45 system)" */
const split = (c: CoreSplit): string =>
  `${f2(c.cores)} cores (main thread ${f2(c.mainThread)}, other threads ${f2(c.otherThreadsUser)} user + ${f2(c.otherThreadsSystem)} system)`;
function requestsText(q: RequestStats | null): string {
  if (q === null) return '';
  const size = q.meanRequestBytes === null ? 'n/a' : `${int(q.meanRequestBytes / 1000)} kB`;
  return `; ${int(q.requestsPerSecond)} req/s of ${size}, broker rtt p50/p99 ${f2(q.rttMs.p50)}/${f2(q.rttMs.p99)} ms, client queue p99 ${f2(q.queueMs.p99)} ms`;
}

export function buildRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const add = (measurement: string, value: string, unit: string, context = '', goal = '', result: Row['result'] = ''): void => {
    rows.push({ measurement, value, unit, context, goal, result });
  };
  add('loopback TCP, 1 connection, 1 MiB writes (2 Node processes)', f1(r.raw.tcpMBps), 'MB/s');
  add(
    'file to socket: page-cached file, 4 MiB preads, 1 loopback connection (2 Node processes)',
    f1(r.raw.fileToSocketMBps),
    'MB/s',
    `${pct(r.raw.fileToSocketMBps / r.raw.tcpMBps)} of loopback TCP: the most a Node broker without sendfile can serve to one connection`,
  );
  add('disk append, 1 MiB writes, page cache', f1(r.raw.diskPageCacheMBps), 'MB/s');
  add('disk append, 1 MiB writes, fsync each', f1(r.raw.diskFsyncMBps), 'MB/s');
  add(
    `disk append sustained: 1 MiB writes for ${r.config.diskSustainedSeconds} s, one fsync at the end, timed`,
    f1(r.raw.diskSustainedMBps),
    'MB/s',
    'past the dirty-page budget the kernel holds writers to what the disk writes back: the bound for produce runs longer than that budget lasts',
  );

  for (const p of r.broker.produce) {
    const [c, c2] = p.ceilings as [CeilingRun, CeilingRun | undefined];
    const ceilingRuns = p.ceilings.map((x) => f1(x.MBps)).join(' (before) and ');
    add(
      `ceiling: librdkafka → null broker, ${sizeName(c.size)} records (runs before and after the next row's)`,
      f1(p.ceilingMBps),
      'MB/s',
      `mean of ${ceilingRuns}${c2 === undefined ? '' : ' (after)'} MB/s; first run ${int(c.recordsPerSecond)} rec/s, client ${f2(c.clientCores)} cores, null broker ${f2(c.nullBrokerCores)} cores (${f2(c.nullBrokerCpuPerGB)} CPU s/GB), ${others(c.otherCores)}${requestsText(c.requests)}${p.ceilings.some((x) => x.failed > 0 || x.errors.length > 0) ? `; FAILED ${p.ceilings.flatMap((x) => x.errors)[0] ?? ''}` : ''}`,
    );
    const ratio = p.MBps / p.ceilingMBps;
    const failed = p.failed > 0 ? `; ${p.failed} FAILED (${p.errors[0] ?? ''})` : '';
    add(
      `produce ${sizeName(p.size)} records, acks=${p.acks}`,
      f1(p.MBps),
      'MB/s',
      `mean of ${p.MBpsRuns.map(f1).join(', ')} MB/s, ${int(p.recordsPerSecond)} rec/s = ${pct(ratio)} of the ceiling's mean, ${pct(p.MBps / r.raw.diskSustainedMBps)} of sustained disk append; broker ${f2(p.brokerCpuPerGB)} CPU s/GB; first run: broker ${split(p.broker)}, client ${f2(p.clientCores)} cores, ${others(p.otherCores)}${requestsText(p.requests)}${failed}`,
      '≥ 70% of ceiling',
      verdict(ratio >= 0.7 && p.failed === 0),
    );
  }

  const isGoalRun = (l: LatencyRun): boolean => l.lingerMs === 0 && l.fraction === 0.5;
  const goalRuns = r.broker.latency.filter(isGoalRun);
  for (const l of r.broker.latency) {
    const lat = l.result.latencyMs;
    const p99 = lat.p99 ?? NaN;
    const goalRun = isGoalRun(l);
    const runOf = goalRun ? ` (run ${goalRuns.indexOf(l) + 1} of ${goalRuns.length})` : '';
    const skipped = l.result.skipped > 0 ? `; ${int(l.result.skipped)} sends skipped: the producer's queue was full (the broker fell behind the pace)` : '';
    const failed = `${skipped}${l.result.failed > 0 ? `; ${l.result.failed} FAILED (${l.result.errors[0] ?? ''})` : ''}`;
    add(
      `produce latency p50 / p99 / p999, 1 KiB acks=all, linger.ms=${l.lingerMs}, ${share(l.fraction)} of peak${runOf}`,
      `${f2(lat.p50 ?? NaN)} / ${f2(p99)} / ${f2(lat.p999 ?? NaN)}`,
      'ms',
      `at ${int(l.result.targetRate)} rec/s (${share(l.fraction)} of the 1 KiB acks=all peak; achieved ${int(l.result.achievedRate)}), ${f1(l.dirtyMBBefore)} MB dirty written back first; broker ${split(l.broker)}, ${others(l.otherCores)}${requestsText(l.result.requests)}${failed}`,
      // The goal's runs are judged together below; linger.ms=5 holds records up to 5 ms in the producer by design, and the lower rates show where the goal is met.
      goalRun ? '(the goal: median below)' : '(diagnostic)',
    );
  }
  if (goalRuns.length > 0) {
    const p99s = goalRuns.map((l) => l.result.latencyMs.p99 ?? NaN);
    const clean = goalRuns.every((l) => l.result.failed === 0 && l.result.skipped === 0);
    add(
      `produce latency p99, 1 KiB acks=all, linger.ms=0, half of peak: median of ${goalRuns.length} runs`,
      f2(median(p99s)),
      'ms',
      `runs: ${p99s.map(f2).join(', ')} ms${clean ? '' : '; a run skipped sends or FAILED (see its row)'}`,
      'p99 ≤ 5 ms',
      verdict(median(p99s) <= 5 && clean),
    );
  }

  r.broker.fetch.forEach((f, i) => {
    const ratio = f.MBps / r.raw.tcpMBps;
    const problem = f.complete ? '' : `; INCOMPLETE: ${f.error ?? 'unknown'}`;
    const c = f.ceiling;
    if (c !== null) {
      add(
        'ceiling: librdkafka consumer ← null broker, 1 KiB records from memory (before the next row)',
        f1(c.MBps),
        'MB/s',
        `${f1(c.bytes / 1e6)} MB in ${f2(c.seconds)} s; client ${f2(c.clientCores)} cores, ${others(c.otherCores)}${c.complete ? '' : '; INCOMPLETE'}${c.errors.length > 0 ? `; ${c.errors[0] ?? ''}` : ''}`,
      );
    }
    const ofCeiling = c === null ? '' : `, ${pct(f.MBps / c.MBps)} of the consumer's ceiling`;
    add(
      `fetch whole topic (${f.topic}), ${f.client}`,
      f1(f.MBps),
      'MB/s',
      `${pct(ratio)} of loopback TCP${ofCeiling}, ${pct(f.MBps / r.raw.fileToSocketMBps)} of file to socket; ${f1(f.bytes / 1e6)} MB in ${f2(f.seconds)} s; broker ${f2(f.brokerCpuPerGB)} CPU s/GB, ${split(f.broker)}, client ${f2(f.clientCores)} cores, ${others(f.otherCores)}${problem}`,
      i === 0 ? '≥ 50% of loopback TCP' : '(diagnostic)',
      i === 0 ? verdict(ratio >= 0.5 && f.complete) : '',
    );
  });

  const b = r.broker.replay;
  const s = r.sink;
  if (b !== null) {
    add(
      'broker CPU per GB, replay of captured Produce frames',
      f2(b.cpuPerGB),
      'CPU s/GB',
      `${f1(b.bytes / 1e6)} MB (${r.config.replayPasses} passes over ${f1(r.capture.bytes / 1e6)} MB captured), ${b.frames} frames, ${r.config.replayWindow} in flight, ${f2(b.seconds)} s, ${f1(b.dirtyMBBefore)} MB dirty written back first; broker ${split(b.cores)}${b.errors > 0 ? `; ${b.errors} partition ERRORS (${b.firstError ?? ''})` : ''}`,
    );
  }
  if (s !== null) add('Node TCP sink CPU per GB, same frames appended to a file', f2(s.cpuPerGB), 'CPU s/GB', `${f2(s.seconds)} s, ${f1(s.dirtyMBBefore)} MB dirty written back first; sink ${split(s.cores)}${s.errors > 0 ? `; ${s.firstError ?? ''}` : ''}`);
  if (b !== null && s !== null) {
    const ratio = b.cpuPerGB / s.cpuPerGB;
    add('broker / sink CPU per GB', f2(ratio), '×', '', '≤ 2×', verdict(ratio <= 2 && b.errors === 0 && s.errors === 0));
  } else {
    add('broker / sink CPU per GB', 'n/a', '×', 'not measured: see the failures below', '≤ 2×', 'MISS');
  }
  if (r.broker.peakRssBytes !== null) add('broker peak RSS (VmHWM)', f1(r.broker.peakRssBytes / 2 ** 20), 'MiB', 'whole run');
  const co = r.coordination;
  if (co !== null) {
    const runs = (xs: readonly number[]): string => xs.map(f1).join(', ');
    add(
      'produce throughput cost of idempotence, 1 KiB records, acks=all',
      pct(co.idempotenceCost),
      '',
      `median of alternating runs at 5 requests in flight: plain ${runs(co.plainMBps)} MB/s, idempotent ${runs(co.idempotentMBps)} MB/s; plain with librdkafka's default in-flight limit ${f1(co.uncappedMBps)} MB/s`,
      '< 10%',
      verdict(co.idempotenceCost < 0.1),
    );
    add('3-member group formation (first JoinGroup to last SyncGroup answer)', f1(co.rebalanceMs.p50), 'ms p50', `p99 ${f1(co.rebalanceMs.p99)} ms over ${co.rebalanceMs.trials} trials, group.initial.rebalance.delay.ms=0`);
    add('OffsetCommit rate, 16 in flight on one connection', int(co.offsetCommitsPerSecond), 'req/s', 'one partition per request, acks=all into __consumer_offsets');
    add('transactions, sequential: AddPartitionsToTxn + Produce 10 × 1 KiB + EndTxn', f1(co.transactionsPerSecond), 'txn/s', `EndTxn p50 ${f2(co.endTxnMs.p50)} ms, p99 ${f2(co.endTxnMs.p99)} ms`);
  }
  if (r.cluster !== null) rows.push(...clusterRows(r.cluster));
  if (r.diskless != null) rows.push(...disklessRows(r.diskless));
  for (const failure of r.failures) {
    const oneLine = failure.error.replaceAll(/\s+/g, ' ').slice(0, 600);
    add(`NOT MEASURED: ${failure.what}`, 'n/a', '', oneLine, failure.goal, failure.goal === '' || failure.goal === '(diagnostic)' ? '' : 'MISS');
  }
  return rows;
}

function table(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const lines = ['| measurement | value | unit | context | goal | result |', '|---|---:|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${esc(r.measurement)} | ${r.value} | ${r.unit} | ${esc(r.context)} | ${r.goal} | ${r.result} |`);
  return lines.join('\n');
}

const METHOD = `## Method

- One run, one machine; compare ratios within the run. MB = 10^6 bytes: of record values for
  produce and the librdkafka consumer, of record batches for the bare Fetch reader, of request
  frames for the replay. Raw limits are the median of three.
- Load generator: librdkafka (Debian's python3-confluent-kafka) in its own process; linger.ms=5
  unless stated, batch.size=1000000, no compression, no idempotence, keyless records (sticky
  partitioner), a 0.5 s warm-up before each timed run. Topics have the configured partition count.
- Ceiling: the same producer against a null broker (in the harness) that decodes each Produce
  request and CRC-checks every batch but stores nothing, answering at once (so acks does not
  change it). For each record size and acks: ceiling, broker, broker, ceiling, and the ratio of
  the two sides' means, so that both sides see the same background load as far as one can.
- Consumer ceiling: the same librdkafka consumer the fetch row uses, reading 1 KiB records that the
  null broker keeps in memory and answers every Fetch from at once (no copy on its side); taken
  right before the broker's fetch. File to socket: a minimal Node sender that reads a page-cached
  file with 4 MiB preads into two reused buffers and writes it to one loopback connection
  (fetch-file-peer.ts), the bound for a Node broker without sendfile.
- Latency: delivery-callback time minus produce() call time, paced at a share of the 1 KiB
  acks=all peak of this run (half for the goal, run ${GOAL_LATENCY_RUNS} times and judged on the
  median p99: single runs there vary several-fold within minutes). With linger.ms=0 librdkafka
  sends a request for every few records unless requests queue up, several times the work per
  record of the batched peak, hence the runs at lower rates. Each latency run starts after dirty
  pages are written back (\`sync\`): the throughput runs before leave GBs dirty, and past the
  kernel's dirty threshold every writer is paused for up to 200 ms at a time (p99 of 245-378 ms at
  the lowest rates in a run without this). "rtt" is librdkafka's broker round trip (request written
  to response read), "client queue" the time records wait in the producer before being sent
  (linger, backpressure): medians of per-second p50s and worst per-second p99, from librdkafka's
  statistics.
- CPU: utime+stime from /proc/<pid>/stat (all threads), split into the main (JavaScript) thread
  and the other threads' user time (in Node mostly V8's GC helper threads) and system time (in
  Node mostly libuv's thread pool doing file I/O), from /proc/<pid>/task. "other processes" =
  the machine's busy cores (/proc/stat) minus the bench's own processes: the share of the 2
  cores that work outside the bench used.
- Broker vs sink CPU: Produce request frames captured once from the load generator (through the
  null broker) are replayed byte for byte into the broker (responses decoded and checked) and into
  a minimal Node TCP sink that appends every byte to a file with synchronous writes (page cache,
  no fsync, as the broker's default). The sink's replay runs right after the broker's, with the
  broker's data still on disk, and each starts after dirty pages are written back (\`sync\`): on
  these VMs a page-cache write into memory the guest has not used lately costs about 3× the CPU,
  so both must grow the page cache in the same state (test/bench/replay.ts).`;

export function writeReport(root: string, results: BenchResults): string {
  const machine = machineInfo();
  const rows = buildRows(results);
  const md = [
    '# Broker benchmark',
    '',
    `${machine.date as string} · ${machine.cores as number} cores (${machine.cpuModel as string}) · ${machine.memoryGiB as number} GiB · Node ${machine.node as string} · ${machine.loadGenerator as string} · load average at end ${machine.loadAverageAtEnd as string} · run took ${Math.round(results.seconds)} s`,
    '',
    table(rows),
    '',
    METHOD,
    '',
  ].join('\n');
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'broker.md'), md);
  writeFileSync(join(dir, 'broker.json'), `${JSON.stringify({ machine, ...results, rows }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  return md;
}
