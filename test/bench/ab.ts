/**
 * Interleaved A/B of broker builds, for judging one change on a shared, noisy machine:
 *   node --conditions=oxbow:source --import tsx bench/ab.ts NAME=REPO_DIR NAME=REPO_DIR ...
 * Each REPO_DIR is a checkout of this repository (e.g. the last commit unpacked with git archive,
 * and the working tree). Per round, every variant (order alternating between rounds) gets a fresh
 * broker with a fresh data dir and is measured on: the replay of captured Produce frames (broker CPU
 * per GB, as in `npm run bench`), librdkafka producing 1 KiB records (acks=1), the bare Fetch
 * reader and the librdkafka consumer reading that topic, and p99 produce latency (1 KiB, acks=all,
 * linger.ms=AB_LATENCY_LINGER, default 5) at AB_LATENCY_RATE records/s. Prints each round and the medians per variant.
 * AB_ROUNDS (5), AB_SECONDS (6), AB_PARTS (comma list of replay,produce,fetch,latency: all; add
 * raw for the machine's bounds each round, as a variant named "raw": single-connection loopback TCP
 * and a minimal Node file-to-socket sender, raw-limits.ts),
 * AB_REPLAY_LAST (1: replay after produce and fetch instead of first).
 * A diagnostic for development, not part of `npm run bench`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPLAY_TOPIC, startCeilingBench } from './ceiling.js';
import { runJson, tsHelper } from './child.js';
import { benchConfig } from './config.js';
import { consumeAll, createTopic, produce, producePaced } from './load-generator.js';
import { measureCpu } from './process-stats.js';
import { loopbackFromFile, loopbackTcp, MB } from './raw-limits.js';
import { replayIntoBroker } from './replay.js';
import { repoCli, startRepoBroker } from './repo-broker.js';
import { median } from './stats.js';

const variants = process.argv.slice(2).map((a) => {
  const [name, dir] = a.split('=');
  if (name === undefined || dir === undefined) throw new Error(`expected NAME=REPO_DIR, got ${a}`);
  return { name, cli: repoCli(dir) };
});
if (variants.length === 0) throw new Error('usage: ab.ts NAME=REPO_DIR ...');
const rounds = Number(process.env.AB_ROUNDS ?? 5);
const seconds = Number(process.env.AB_SECONDS ?? 6);
const parts = new Set((process.env.AB_PARTS ?? 'replay,produce,fetch,latency').split(','));
const latencyRate = Number(process.env.AB_LATENCY_RATE ?? 120_000);
const latencyLinger = Number(process.env.AB_LATENCY_LINGER ?? 5);
/** AB_REPLAY_LAST=1: the replay after produce and fetch, as in `npm run bench` (a broker that has written GBs). */
const replayLast = process.env.AB_REPLAY_LAST === '1';
const config = { ...benchConfig(), seconds };
const log = (line: string): void => void process.stderr.write(`[ab] ${line}\n`);

type Figures = Record<string, number>;

async function measure(cli: string, captureFile: string): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oxbow-ab-'));
  const b = await startRepoBroker(cli, dataDir);
  const bootstrap = `127.0.0.1:${b.port}`;
  const f: Figures = {};
  try {
    const replay = async (): Promise<void> => {
      if (!parts.has('replay')) return;
      await createTopic(bootstrap, REPLAY_TOPIC, config.partitions);
      const r = await replayIntoBroker(captureFile, config.replayPasses, b.port, b.pid, config.replayWindow);
      f['replay CPU s/GB'] = r.cpuSeconds / (r.bytes / 1e9);
      f['replay MB/s'] = r.bytes / MB / r.seconds;
    };
    if (!replayLast) await replay();
    const topic = 'ab-1024b';
    if (parts.has('produce') || parts.has('fetch')) {
      await createTopic(bootstrap, topic, config.partitions);
      const m = await measureCpu([b.pid], () => produce(bootstrap, topic, { size: 1024, acks: '1', seconds }));
      f['produce MB/s'] = m.result.bytes / MB / m.result.elapsedSeconds;
      f['produce CPU s/GB'] = (m.cpu[0] ?? 0) / ((m.result.bytes + (m.result.warmupBytes ?? 0)) / 1e9);
    }
    if (parts.has('fetch')) {
      const cmd = tsHelper('fetch-reader.ts', [String(b.port), topic, String(config.partitions), '60']);
      const m = await measureCpu([b.pid], () => runJson<{ bytes: number; seconds: number; complete: boolean }>(cmd.command, cmd.args, 120_000));
      f['reader MB/s'] = m.result.bytes / MB / m.result.seconds;
      f['reader CPU s/GB'] = (m.cpu[0] ?? 0) / (m.result.bytes / 1e9);
      if (!m.result.complete) f['reader incomplete'] = 1;
      const c = await measureCpu([b.pid], () => consumeAll(bootstrap, topic, 60));
      f['consumer MB/s'] = c.result.bytes / MB / c.result.elapsedSeconds;
      if (!c.result.complete) f['consumer incomplete'] = 1;
    }
    if (replayLast) await replay();
    if (parts.has('latency')) {
      await createTopic(bootstrap, 'ab-latency', config.partitions);
      const m = await measureCpu([b.pid], () => producePaced(bootstrap, 'ab-latency', { size: 1024, acks: 'all', seconds, rate: latencyRate, lingerMs: latencyLinger }));
      const r = m.result;
      f['latency p50 ms'] = r.latencyMs.p50 ?? NaN;
      f['latency p99 ms'] = r.latencyMs.p99 ?? NaN;
      f['latency broker cores'] = (m.cpu[0] ?? 0) / m.seconds;
      f['latency requests/s'] = r.requests?.requestsPerSecond ?? NaN;
    }
  } finally {
    await b.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return f;
}

const captureFile = process.env.AB_CAPTURE ?? join(tmpdir(), 'oxbow-ab-frames.bin');
if (parts.has('replay') && !existsSync(captureFile)) {
  const ceiling = await startCeilingBench(config);
  try {
    const c = await ceiling.capture(captureFile);
    log(`captured ${c.frames} frames (${(c.bytes / MB).toFixed(0)} MB) in ${captureFile}`);
  } finally {
    await ceiling.close();
  }
}
const results = new Map<string, Figures[]>(variants.map((v) => [v.name, []]));
if (parts.has('raw')) results.set('raw', []);
for (let round = 0; round < rounds; round++) {
  if (parts.has('raw')) {
    const f = { 'loopback TCP MB/s': await loopbackTcp(seconds), 'file to socket MB/s': await loopbackFromFile(seconds) };
    results.get('raw')?.push(f);
    log(`round ${round + 1} raw: ${Object.entries(f).map(([k, x]) => `${k} ${x.toFixed(2)}`).join(', ')}`);
  }
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const v of order) {
    const f = await measure(v.cli, captureFile);
    results.get(v.name)?.push(f);
    log(`round ${round + 1} ${v.name}: ${Object.entries(f).map(([k, x]) => `${k} ${x.toFixed(2)}`).join(', ')}`);
  }
}
const keys = [...new Set([...results.values()].flatMap((rs) => rs.flatMap((r) => Object.keys(r))))];
const columns = [...results.keys()];
process.stdout.write(`| figure | ${columns.map((v) => `${v} (median of ${rounds})`).join(' | ')} |\n|---|${columns.map(() => '---:').join('|')}|\n`);
for (const k of keys) {
  const cells = columns.map((v) => median((results.get(v) ?? []).map((r) => r[k] ?? NaN).filter((x) => !Number.isNaN(x))).toFixed(2));
  process.stdout.write(`| ${k} | ${cells.join(' | ')} |\n`);
}
