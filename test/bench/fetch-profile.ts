/**
 * Development helper: starts one broker from REPO_DIR, produces AB_SECONDS of 1 KiB records, then
 * prints the broker pid and waits for a line on stdin before each bare-reader fetch, so a profiler
 * (perf record -p PID) can be attached around the fetch alone:
 *   node --conditions=oxbow:source --import tsx bench/fetch-profile.ts REPO_DIR [FETCHES]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runJson, tsHelper } from './child.js';
import { repoCli, startRepoBroker } from './repo-broker.js';
import { createTopic, produce } from './load-generator.js';
import { measureCpu } from './process-stats.js';
import { MB } from './raw-limits.js';

const [dir, fetchesText] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: fetch-profile.ts REPO_DIR [FETCHES]');
const seconds = Number(process.env.AB_SECONDS ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'oxbow-fp-'));
const nodeArgs = (process.env.FP_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const broker = await startRepoBroker(repoCli(dir), dataDir, nodeArgs);
const bootstrap = broker.bootstrap;
await createTopic(bootstrap, 'fp', 4);
const p = await produce(bootstrap, 'fp', { size: 1024, acks: '1', seconds });
process.stderr.write(`produced ${(p.bytes / MB).toFixed(0)} MB; broker pid ${broker.pid}\n`);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
for (let i = 0; i < Number(fetchesText ?? 1); i++) {
  process.stderr.write('press enter to fetch\n');
  await lines.next();
  const cmd = tsHelper('fetch-reader.ts', [String(broker.port), 'fp', '4', '60']);
  const m = await measureCpu([broker.pid], () => runJson<{ bytes: number; seconds: number }>(cmd.command, cmd.args, 120_000));
  process.stderr.write(`fetch: ${(m.result.bytes / MB / m.result.seconds).toFixed(0)} MB/s, broker ${((m.cpu[0] ?? 0) / (m.result.bytes / 1e9)).toFixed(2)} CPU s/GB\n`);
}
await broker.stop('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
