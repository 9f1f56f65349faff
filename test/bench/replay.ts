/**
 * CPU per GB for the same bytes: Produce request frames captured once from the load generator
 * (through the null broker) are replayed into the broker and into a minimal Node TCP sink that
 * appends them to a file. Both receive exactly the same byte stream, so CPU seconds per GB of
 * the two are directly comparable.
 *
 * Both must run in the same memory state. On our VMs a page-cache write into memory the guest has
 * not used for a while costs about 3× the CPU (the kernel's copy into the new page is where the time
 * goes; a first 800 MB written by a plain `writeSync` loop measured 2.6 CPU s/GB, a second 0.2),
 * and dirty data awaiting writeback adds to it. The broker, measured after GBs of produce that stay
 * on disk, grows the page cache into such memory; a sink measured after the broker's data was
 * deleted reuses the pages just freed. Measured after 6 s of produce (broker alive, its data kept):
 * broker 2.8–3.5, sink 2.8–3.2 CPU s/GB (0.99–1.1×); with the page cache dropped first, both
 * 0.8–1.1. So broker-bench.ts replays into the sink right after the broker, with the broker's data
 * still there, and each replay starts after writing dirty pages back (`sync`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJson, startChild, tsHelper } from './child.js';
import { coreSplit, cpuDelta, cpuSample, totalCpu, type CoreSplit } from './process-stats.js';

/** CPU that arrives just after the last byte (a write finishing, a timer) still counts. */
const SETTLE_MS = 300;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes back the machine's dirty pages; returns how many MB there were. */
export function flushWriteback(): number {
  const dirty = /^Dirty:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  execFileSync('sync');
  return dirty === null ? 0 : Number(dirty[1]) / 1000;
}

export interface ReplayResult {
  readonly frames: number;
  readonly bytes: number;
  readonly seconds: number;
  /** CPU seconds the receiving process used for the replay. */
  readonly cpuSeconds: number;
  /** Cores the receiving process used meanwhile, by thread class. */
  readonly cores: CoreSplit;
  readonly errors: number;
  readonly firstError: string | null;
  /** Dirty page-cache MB written back before the replay started (see the module comment). */
  readonly dirtyMBBefore: number;
}

interface ReplayerOutput {
  frames: number;
  bytes: number;
  seconds: number;
  errors: number;
  firstError: string | null;
}

/** Replays `passes` times into a running broker (pid for /proc), `window` requests in flight. */
export async function replayIntoBroker(file: string, passes: number, port: number, pid: number, window: number): Promise<ReplayResult> {
  const cmd = tsHelper('frame-replayer.ts', [file, String(port), String(passes), 'request', String(window)]);
  const dirtyMBBefore = flushWriteback();
  const before = cpuSample(pid);
  const out = await runJson<ReplayerOutput>(cmd.command, cmd.args, 300_000);
  await sleep(SETTLE_MS);
  const d = cpuDelta(before, cpuSample(pid));
  return { ...out, cpuSeconds: totalCpu(d), cores: coreSplit(d, out.seconds), dirtyMBBefore };
}

/** Starts the sink, replays the same frames into it as one stream, and stops it. */
export async function replayIntoSink(file: string, passes: number): Promise<ReplayResult> {
  const dir = mkdtempSync(join(tmpdir(), 'oxbow-bench-sink-'));
  const sinkCmd = tsHelper('tcp-sink.ts', [join(dir, 'sink.bin')]);
  const sink = startChild(sinkCmd.command, sinkCmd.args);
  try {
    const port = (await sink.nextLine(30_000)).trim();
    const dirtyMBBefore = flushWriteback();
    const before = cpuSample(sink.pid);
    const cmd = tsHelper('frame-replayer.ts', [file, port, String(passes), 'stream']);
    const out = await runJson<ReplayerOutput>(cmd.command, cmd.args, 300_000);
    const received = JSON.parse(await sink.nextLine(60_000)) as { bytes: number };
    await sleep(SETTLE_MS);
    const d = cpuDelta(before, cpuSample(sink.pid));
    const lost = out.bytes - received.bytes;
    return { ...out, cpuSeconds: totalCpu(d), cores: coreSplit(d, out.seconds), errors: lost === 0 ? 0 : 1, firstError: lost === 0 ? null : `sink received ${received.bytes} of ${out.bytes} bytes`, dirtyMBBefore };
  } finally {
    sink.kill();
    await sink.exited(10_000).catch(() => sink.kill('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  }
}
