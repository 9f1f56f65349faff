/**
 * Development helper: starts one broker from REPO_DIR, produces AB_SECONDS of 1 KiB records, then
 * prints the broker pid and waits for a line on stdin before each bare-reader fetch, so a profiler
 * (perf record -p PID) can be attached around the fetch alone:
 *   node --conditions=oxbow:source --import tsx bench/fetch-profile.ts REPO_DIR [FETCHES]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../support/broker-process.js';
import { runJson, tsHelper } from './child.js';
import { createTopic, produce } from './load-generator.js';
import { measureCpu } from './process-stats.js';
import { MB } from './raw-limits.js';

const [dir, fetchesText] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: fetch-profile.ts REPO_DIR [FETCHES]');
const seconds = Number(process.env.AB_SECONDS ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'oxbow-fp-'));
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
await createTopic(bootstrap, 'fp', 4);
const p = await produce(bootstrap, 'fp', { size: 1024, acks: '1', seconds });
process.stderr.write(`produced ${(p.bytes / MB).toFixed(0)} MB; broker pid ${child.pid ?? '?'}\n`);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
for (let i = 0; i < Number(fetchesText ?? 1); i++) {
  process.stderr.write('press enter to fetch\n');
  await lines.next();
  const cmd = tsHelper('fetch-reader.ts', [String(port), 'fp', '4', '60']);
  const m = await measureCpu([child.pid ?? 0], () => runJson<{ bytes: number; seconds: number }>(cmd.command, cmd.args, 120_000));
  process.stderr.write(`fetch: ${(m.result.bytes / MB / m.result.seconds).toFixed(0)} MB/s, broker ${((m.cpu[0] ?? 0) / (m.result.bytes / 1e9)).toFixed(2)} CPU s/GB\n`);
}
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
