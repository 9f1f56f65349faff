/**
 * Development helper: one broker from REPO_DIR (node flags from FP_NODE_ARGS, e.g. --cpu-prof),
 * paced 1 KiB acks=all produce at RATE records/s with linger.ms=LINGER for AB_SECONDS, then a
 * clean stop (so a --cpu-prof profile is written). Prints the latency figures and broker CPU.
 *   node --conditions=oxbow:source --import tsx bench/latency-profile.ts REPO_DIR RATE LINGER
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoCli, startRepoBroker } from './repo-broker.js';
import { createTopic, producePaced } from './load-generator.js';
import { coreSplit, measureCpu, type CpuSample } from './process-stats.js';

const [dir, rateText, lingerText] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: latency-profile.ts REPO_DIR RATE LINGER');
const seconds = Number(process.env.AB_SECONDS ?? 6);
const dataDir = mkdtempSync(join(tmpdir(), 'oxbow-lp-'));
const nodeArgs = (process.env.FP_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const broker = await startRepoBroker(repoCli(dir), dataDir, nodeArgs);
const bootstrap = broker.bootstrap;
await createTopic(bootstrap, 'lp', 4);
const m = await measureCpu([broker.pid], () => producePaced(bootstrap, 'lp', { size: 1024, acks: 'all', seconds, rate: Number(rateText ?? 80_000), lingerMs: Number(lingerText ?? 0) }));
const r = m.result;
process.stdout.write(`${JSON.stringify({ latencyMs: r.latencyMs, achieved: r.achievedRate, skipped: r.skipped, requests: r.requests, clientCores: r.clientCpuSeconds / r.elapsedSeconds, broker: coreSplit(m.samples[0] as CpuSample, m.seconds) })}\n`);
await broker.stop('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
