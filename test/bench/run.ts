/**
 * `npm run bench` in test/: raw limits, the load generator's ceiling against a null broker, the
 * real broker, and the TCP sink yardstick, all in one run; prints a Markdown table and writes
 * bench-results/broker.{json,md} at the repo root. A report, never a timed test: goals that are
 * missed, and measurements that could not be taken, are MISS rows; it exits non-zero only when
 * there is nothing to report (the broker did not start, the harness itself failed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBroker, type Failure } from './broker-bench.js';
import { startCeilingBench } from './ceiling.js';
import { benchConfig } from './config.js';
import { measureCoordination, type CoordinationResults } from './coordination-bench.js';
import { measureCluster, type ClusterResults } from './cluster-bench.js';
import { measureDiskless, type DisklessResults } from './diskless-bench.js';
import { MB, measureRawLimits } from './raw-limits.js';
import { writeReport } from './report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
};
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const config = benchConfig();
/** BENCH_SECTIONS: which sections follow the broker's, a comma list of coordination, cluster, diskless (default: all); for development runs. */
const sections = new Set((process.env.BENCH_SECTIONS ?? 'coordination,cluster,diskless').split(','));
const work = mkdtempSync(join(tmpdir(), 'oxbow-bench-'));
try {
  log(`config ${JSON.stringify(config)}`);
  const raw = await measureRawLimits(config);
  log(`raw limits: TCP ${raw.tcpMBps.toFixed(0)} MB/s, disk ${raw.diskPageCacheMBps.toFixed(0)} MB/s (page cache), ${raw.diskFsyncMBps.toFixed(0)} MB/s (fsync each), ${raw.diskSustainedMBps.toFixed(0)} MB/s (sustained)`);

  const failures: Failure[] = [];
  const ceilingBench = await startCeilingBench(config);
  let captureFile: string | null = join(work, 'produce-frames.bin');
  let capture = { frames: 0, bytes: 0 };
  let broker;
  try {
    try {
      capture = await ceilingBench.capture(captureFile);
      log(`captured ${capture.frames} Produce frames (${(capture.bytes / MB).toFixed(0)} MB) through the null broker`);
    } catch (err) {
      failures.push({ what: 'capture of Produce frames through the null broker', goal: '', error: message(err) });
      captureFile = null;
    }
    broker = await measureBroker(config, ceilingBench, captureFile, log);
  } finally {
    await ceilingBench.close();
  }

  const sink = broker.sink;
  let coordination: CoordinationResults | null = null;
  try {
    if (sections.has('coordination')) coordination = await measureCoordination(config, log);
  } catch (err) {
    failures.push({ what: 'group and transaction coordination figures', goal: '', error: message(err) });
  }
  let cluster: ClusterResults | null = null;
  try {
    if (sections.has('cluster')) cluster = await measureCluster(config, log);
  } catch (err) {
    failures.push({ what: '3-node cluster figures (rf=3 vs rf=1, failover)', goal: '', error: message(err) });
  }
  let diskless: DisklessResults | null = null;
  try {
    if (sections.has('diskless')) diskless = await measureDiskless(config, log);
  } catch (err) {
    failures.push({ what: 'diskless topic figures', goal: 'produce p99 ≤ flush interval + 2 × S3 PUT p99 + commit p99', error: message(err) });
  }
  const md = writeReport(ROOT, { config, raw, capture, broker, sink, coordination, cluster, diskless, failures: [...failures, ...broker.failures], seconds: (performance.now() - started) / 1000 });
  process.stdout.write(`${md}\nWritten to bench-results/broker.md and bench-results/broker.json\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
