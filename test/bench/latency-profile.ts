/**
 * Development helper: one broker from REPO_DIR (node flags from FP_NODE_ARGS, e.g. --cpu-prof),
 * paced 1 KiB acks=all produce at RATE records/s with linger.ms=LINGER for AB_SECONDS, then a
 * clean stop (so a --cpu-prof profile is written). Prints the latency figures and broker CPU.
 *   node --conditions=oxbow:source --import tsx bench/latency-profile.ts REPO_DIR RATE LINGER
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/broker-process.js';
import { createTopic, producePaced } from './load-generator.js';
import { coreSplit, measureCpu, type CpuSample } from './process-stats.js';

const [dir, rateText, lingerText] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: latency-profile.ts REPO_DIR RATE LINGER');
const seconds = Number(process.env.AB_SECONDS ?? 6);
const dataDir = mkdtempSync(join(tmpdir(), 'oxbow-lp-'));
const port = await freePort();
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OXBOW_')));
const nodeArgs = (process.env.FP_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const child = spawn(process.execPath, [...nodeArgs, '--conditions=oxbow:source', '--import', 'tsx', join(dir, 'packages/node/src/cli/main.ts'), 'start', '--node-id', '0', '--kafka', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0', '--data-dir', dataDir], { env: { ...env, OXBOW_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
await new Promise<void>((resolve) => {
  const on = (d: Buffer): void => {
    out += d.toString();
    if (out.includes('Oxbow is serving Kafka on')) resolve();
  };
  child.stdout.on('data', on);
  child.stderr.on('data', on);
});
const bootstrap = `127.0.0.1:${port}`;
await createTopic(bootstrap, 'lp', 4);
const m = await measureCpu([child.pid ?? 0], () => producePaced(bootstrap, 'lp', { size: 1024, acks: 'all', seconds, rate: Number(rateText ?? 80_000), lingerMs: Number(lingerText ?? 0) }));
const r = m.result;
process.stdout.write(`${JSON.stringify({ latencyMs: r.latencyMs, achieved: r.achievedRate, skipped: r.skipped, requests: r.requests, broker: coreSplit(m.samples[0] as CpuSample, m.seconds) })}\n`);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
