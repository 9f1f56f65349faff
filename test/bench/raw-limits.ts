/**
 * The machine's raw limits, measured in the same run as the broker so ratios are comparable:
 * one loopback TCP connection between two Node processes (1 MiB writes), and sequential 1 MiB
 * appends to a temp file, into the page cache and with an fsync after each append. Each is taken
 * three times and the median reported.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, tsHelper } from './child.js';
import type { BenchConfig } from './config.js';
import { median } from './stats.js';

const MiB = 1024 * 1024;
export const MB = 1_000_000;

export interface RawLimits {
  /** Single-connection loopback TCP, MB/s (10^6 bytes). */
  readonly tcpMBps: number;
  /** A minimal Node sender: a page-cached file read in 4 MiB preads, written to one loopback connection. */
  readonly fileToSocketMBps: number;
  readonly diskPageCacheMBps: number;
  readonly diskFsyncMBps: number;
  /** Appends for `diskSustainedSeconds` past the dirty-page budget, synced at the end (see {@link DiskSync}); measured once. */
  readonly diskSustainedMBps: number;
}

/** Starts the counting receiver (tcp-peer.ts receive) and a sender helper given its port; returns the MB/s received. */
async function intoReceiver(sender: string, args: (port: string) => string[], seconds: number): Promise<number> {
  const receiverCmd = tsHelper('tcp-peer.ts', ['receive']);
  const receiver = startChild(receiverCmd.command, receiverCmd.args);
  try {
    const port = (await receiver.nextLine(30_000)).trim();
    const senderCmd = tsHelper(sender, args(port));
    const child = startChild(senderCmd.command, senderCmd.args);
    const result = JSON.parse(await receiver.nextLine(seconds * 1000 + 30_000)) as { bytes: number; seconds: number };
    await child.exited(10_000);
    return result.bytes / MB / result.seconds;
  } finally {
    receiver.kill();
  }
}

export function loopbackTcp(seconds: number): Promise<number> {
  return intoReceiver('tcp-peer.ts', (port) => ['send', port, String(seconds), String(64 * 1024)], seconds);
}

/**
 * The bound of a Node server without sendfile: one process reads a page-cached file with preads
 * into reused buffers and writes the bytes to one loopback connection (fetch-file-peer.ts), the
 * same receiver as `loopbackTcp` counts them. A Fetch costs the broker that file read on top of
 * the socket copy, so this, not `loopbackTcp`, is the most a Node broker serving one connection
 * can reach here. `fileMiB` of data is written to a temp file first (and read once to warm it).
 */
export async function loopbackFromFile(seconds: number, fileMiB = 256): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'oxbow-bench-file-'));
  const path = join(dir, 'segment.bin');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < fileMiB; i++) writeSync(fd, block.fill(i & 0xff));
  closeSync(fd);
  try {
    return await intoReceiver('fetch-file-peer.ts', (port) => [port, String(seconds), path], seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How `diskAppend` syncs: never (the page cache), after every block, or once at the end, timed.
 * Past the kernel's dirty-page budget writers are held to what the disk writes back, so a long
 * enough run synced at the end gives the disk's sustained write rate: the bound for a broker that
 * produces for longer than the budget lasts.
 */
export type DiskSync = 'none' | 'each' | 'end';

/** Appends 1 MiB blocks for at most `seconds` and `maxMiB`; returns MB/s. */
export function diskAppend(seconds: number, maxMiB: number, sync: DiskSync): number {
  const dir = mkdtempSync(join(tmpdir(), 'oxbow-bench-disk-'));
  const fd = openSync(join(dir, 'append.bin'), 'a');
  const block = Buffer.alloc(MiB, 0xa5);
  try {
    let written = 0;
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    for (let i = 0; i < maxMiB && performance.now() < deadline; i++) {
      written += writeSync(fd, block);
      if (sync === 'each') fsyncSync(fd);
    }
    if (sync === 'end') fsyncSync(fd);
    return written / MB / ((performance.now() - t0) / 1000);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Repetitions of each raw measurement; the median is reported (the first write to fresh pages is often much slower). */
const REPEATS = 3;

export async function measureRawLimits(config: BenchConfig): Promise<RawLimits & { readonly samples: Record<string, number[]> }> {
  const tcp: number[] = [];
  const fileToSocket: number[] = [];
  const pageCache: number[] = [];
  const fsync: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    tcp.push(await loopbackTcp(config.rawSeconds));
    fileToSocket.push(await loopbackFromFile(config.rawSeconds));
    pageCache.push(diskAppend(config.rawSeconds, config.diskMiB, 'none'));
    fsync.push(diskAppend(config.rawSeconds, config.diskMiB, 'each'));
  }
  const diskSustainedMBps = diskAppend(config.diskSustainedSeconds, config.diskSustainedMiB, 'end');
  return {
    tcpMBps: median(tcp),
    fileToSocketMBps: median(fileToSocket),
    diskPageCacheMBps: median(pageCache),
    diskFsyncMBps: median(fsync),
    diskSustainedMBps,
    samples: { tcp, fileToSocket, pageCache, fsync },
  };
}
