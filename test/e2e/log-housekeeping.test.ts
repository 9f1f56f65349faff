/**
 * Segment rolling, retention and compaction through a real broker process, checked on the segment
 * files it leaves on disk and through what kcat reads back.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';

const run = promisify(execFile);

async function kcat(args: string[], input?: string): Promise<string> {
  const child = run('kcat', ['-X', 'socket.timeout.ms=10000', ...args], { timeout: 30_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return (await child).stdout;
}

async function segments(broker: BrokerProcess, topic: string, partition = 0): Promise<{ name: string; size: number }[]> {
  const dir = join(broker.dataDir, 'logs', `${topic}-${partition}`);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  return Promise.all(names.map(async (name) => ({ name, size: (await stat(join(dir, name))).size })));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('log housekeeping on a real broker', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    // Check retention every second instead of every 5 minutes.
    broker = await startBroker({ settings: { 'log.retention.check.interval.ms': '1000' } });
  });
  afterAll(async () => broker.cleanup());

  it('rolls segments at segment.bytes and deletes them past retention.bytes', async () => {
    const b = broker.bootstrap;
    await run('npx', ['oxbow', 'topics', 'create', 'rolling', '--partitions', '1', '--config', 'segment.bytes=4096', '--config', 'retention.bytes=20000', '--bootstrap', b]);
    const lines = Array.from({ length: 400 }, (_, i) => `key${i}:${'v'.repeat(200)}-${i}`).join('\n');
    await kcat(['-b', b, '-P', '-t', 'rolling', '-K:', '-X', 'batch.num.messages=5', '-X', 'linger.ms=0'], `${lines}\n`);
    // ~85 KB written in ~4 KiB segments: many segments, then retention trims to ≥ 20000 bytes.
    await waitFor(async () => {
      const segs = await segments(broker, 'rolling');
      const total = segs.reduce((n, s) => n + s.size, 0);
      return segs.length > 2 && total < 30_000;
    }, 20_000);
    const segs = await segments(broker, 'rolling');
    expect(segs.every((s) => s.size <= 4096 + 1500)).toBe(true);
    const first = BigInt(segs[0]?.name.replace('.log', '') ?? '0');
    expect(first).toBeGreaterThan(0n);
    // Reading from the beginning now starts at the new log start offset, and reaches the end.
    const out = await kcat(['-b', b, '-C', '-t', 'rolling', '-o', 'beginning', '-e', '-f', '%o\n']);
    const offsets = out.trim().split('\n').map(BigInt);
    expect(offsets[0]).toBe(first);
    expect(offsets.at(-1)).toBe(399n);
  });

  it('deletes segments past retention.ms', async () => {
    const b = broker.bootstrap;
    await run('npx', ['oxbow', 'topics', 'create', 'expiring', '--partitions', '1', '--config', 'segment.bytes=2048', '--config', 'retention.ms=2000', '--config', 'file.delete.delay.ms=0', '--bootstrap', b]);
    const lines = Array.from({ length: 60 }, (_, i) => `k${i}:${'x'.repeat(100)}`).join('\n');
    await kcat(['-b', b, '-P', '-t', 'expiring', '-K:', '-X', 'batch.num.messages=5', '-X', 'linger.ms=0'], `${lines}\n`);
    expect((await segments(broker, 'expiring')).length).toBeGreaterThan(1);
    // Everything is older than 2 s soon; the rolled segments go, the log start moves to the end.
    await waitFor(async () => (await segments(broker, 'expiring')).length === 1, 20_000);
    const out = await kcat(['-b', b, '-C', '-t', 'expiring', '-o', 'beginning', '-e', '-f', '%o\n']);
    expect(out.trim().split('\n').filter((l) => l !== '').length).toBeLessThan(60);
  });

  it('compacts to the latest value per key and drops tombstones', async () => {
    const b = broker.bootstrap;
    await run('npx', [
      'oxbow', 'topics', 'create', 'compacted', '--partitions', '1',
      '--config', 'cleanup.policy=compact', '--config', 'segment.bytes=1024', '--config', 'min.cleanable.dirty.ratio=0.01',
      '--config', 'delete.retention.ms=0', '--config', 'file.delete.delay.ms=0', '--bootstrap', b,
    ]);
    const writes: string[] = [];
    for (let round = 0; round < 10; round++) for (let k = 0; k < 8; k++) writes.push(`key${k}:round${round}`);
    await kcat(['-b', b, '-P', '-t', 'compacted', '-K:', '-X', 'batch.num.messages=4'], `${writes.join('\n')}\n`);
    // A tombstone for key0 (kcat -Z sends an empty value as null).
    await kcat(['-b', b, '-P', '-t', 'compacted', '-K:', '-Z'], 'key0:\n');
    // Push the data into non-active segments so the cleaner may take it.
    const filler = Array.from({ length: 20 }, (_, i) => `filler${i}:${'f'.repeat(100)}`).join('\n');
    await kcat(['-b', b, '-P', '-t', 'compacted', '-K:'], `${filler}\n`);
    // The cleaner runs every second and may first take only the segments sealed by then: wait until
    // it has been over all of them (round0 gone and no key repeated).
    await waitFor(async () => {
      const out = await kcat(['-b', b, '-C', '-t', 'compacted', '-o', 'beginning', '-e', '-f', '%k=%s\n']);
      return !out.includes('round0') && out.split('\n').filter((l) => l.startsWith('key3=')).length === 1;
    }, 30_000);
    const out = await kcat(['-b', b, '-C', '-t', 'compacted', '-o', 'beginning', '-e', '-f', '%k=%s\n']);
    const latest = new Map<string, string>();
    for (const line of out.trim().split('\n')) {
      const [k, v] = line.split('=');
      if (k !== undefined) latest.set(k, v ?? '');
    }
    for (let k = 1; k < 8; k++) expect(latest.get(`key${k}`)).toBe('round9');
    // key0's last write was a tombstone: it is either still there (null value) or gone, never a value.
    expect(['', undefined]).toContain(latest.get('key0'));
    // Each key appears once among the compacted records (the active segment may still hold repeats).
    const counts = out.split('\n').filter((l) => l.startsWith('key3=')).length;
    expect(counts).toBe(1);
  });
});
