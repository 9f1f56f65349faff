import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchScanner } from './batch-scanner.js';
import {
  CLEANED_SUFFIX,
  CLEANER_CHECKPOINT,
  LOG_START_CHECKPOINT,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  parseSegmentFileName,
  segmentFileName,
  SWAP_SUFFIX,
  TEMP_SUFFIX,
  TIME_INDEX_SUFFIX,
} from './file-names.js';
import { readOffsetCheckpoint } from './checkpoint.js';
import { fsyncDir, isNotFound } from './log-file.js';
import { Segment, type SegmentEnv } from './segment.js';

/*
 * Bringing a partition directory back after a crash or a clean shutdown:
 * 1. leftovers go: `*.deleted` (their delay no longer matters), `*.cleaned` (unfinished compaction
 *    output), `*.tmp` (unfinished checkpoint or index rewrites);
 * 2. a `{base}.log.swap` is a finished compaction output whose swap was interrupted: it replaces
 *    every segment whose base offset lies in [base, its last offset], then takes its final name;
 * 3. index files without a log file go;
 * 4. segments load in offset order: sealed ones with a cheap index check, the last (active) one
 *    validated with CRCs from its last trustworthy index point and cut at the first invalid batch.
 *    Should a sealed segment turn out damaged, it is cut the same way and the segments after it are
 *    deleted (their offsets would no longer follow on), as Kafka does.
 */

/** A recovered (or new) log directory. */
export interface RecoveredLog {
  /** Oldest first; never empty (a new directory gets an empty segment). */
  readonly segments: Segment[];
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  /** The cleaner checkpoint, clamped into [log start, log end]. */
  readonly firstDirtyOffset: bigint;
}

/**
 * Recovers the segments, then reads the log start and cleaner checkpoints. The log start is the
 * checkpointed one when it lies inside the log, else the first segment's base offset.
 */
export async function recoverLog(env: SegmentEnv, intervalBytes: number, nowMs: number): Promise<RecoveredLog> {
  let segments = await recoverSegments(env, intervalBytes, nowMs);
  try {
    const checkpointed = await readOffsetCheckpoint(env.dir, LOG_START_CHECKPOINT);
    if (segments.length === 0) {
      segments = [await Segment.create(env, checkpointed ?? 0n, nowMs)];
      await fsyncDir(env.dir);
    }
    const base = (segments[0] as Segment).baseOffset;
    const end = (segments[segments.length - 1] as Segment).nextOffset;
    let logStartOffset = checkpointed !== null && checkpointed > base ? checkpointed : base;
    if (logStartOffset > end) logStartOffset = end;
    const cleaner = await readOffsetCheckpoint(env.dir, CLEANER_CHECKPOINT);
    const firstDirtyOffset = cleaner === null || cleaner < logStartOffset || cleaner > end ? logStartOffset : cleaner;
    return { segments, logStartOffset, logEndOffset: end, firstDirtyOffset };
  } catch (err) {
    for (const s of segments) await s.close();
    throw err;
  }
}

/** Recovers the directory and returns its segments in offset order (none for a new directory). */
export async function recoverSegments(env: SegmentEnv, intervalBytes: number, nowMs: number): Promise<Segment[]> {
  let names = await readdir(env.dir);
  for (const name of names) {
    if (name.endsWith(DELETED_SUFFIX) || name.endsWith(CLEANED_SUFFIX) || name.endsWith(TEMP_SUFFIX)) await removeFile(env.dir, name);
  }
  for (const name of names) {
    if (name.endsWith(LOG_SUFFIX + SWAP_SUFFIX)) await completeSwap(env, name, names);
  }
  names = await readdir(env.dir);
  const logBases = new Set<bigint>();
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed?.suffix === LOG_SUFFIX) logBases.add(parsed.baseOffset);
  }
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (name.endsWith(SWAP_SUFFIX) || (parsed !== null && parsed.suffix !== LOG_SUFFIX && !logBases.has(parsed.baseOffset))) {
      await removeFile(env.dir, name);
    }
  }
  const bases = [...logBases].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const segments: Segment[] = [];
  try {
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i] ?? 0n;
      const active = i === bases.length - 1;
      const { segment, droppedBytes } = await Segment.load(env, base, active, intervalBytes);
      segments.push(segment);
      if (!active && droppedBytes > 0) {
        const later = bases.slice(i + 1);
        env.logger.warn({ segment: segment.path, droppedBytes, deletedSegments: later.map(String) }, 'sealed segment was damaged; deleting the segments after it');
        for (const b of later) await removeSegmentFiles(env.dir, b);
        await fsyncDir(env.dir);
        await segment.reactivate(nowMs);
        break;
      }
    }
  } catch (err) {
    for (const s of segments) await s.close();
    throw err;
  }
  return segments;
}

async function completeSwap(env: SegmentEnv, name: string, names: readonly string[]): Promise<void> {
  const parsed = parseSegmentFileName(name.slice(0, -SWAP_SUFFIX.length));
  if (parsed === null) return removeFile(env.dir, name);
  const base = parsed.baseOffset;
  const file = await env.openFile(join(env.dir, name), 'existing');
  let last = base;
  try {
    const { size } = await file.stat();
    const scanner = new BatchScanner(file, 0, size, { wholeBatches: false, verifyCrc: false });
    for (let v = await scanner.next(); v !== null; v = await scanner.next()) last = v.lastOffset;
  } finally {
    await file.close();
  }
  for (const other of names) {
    const p = parseSegmentFileName(other);
    if (p?.suffix === LOG_SUFFIX && p.baseOffset >= base && p.baseOffset <= last) await removeSegmentFiles(env.dir, p.baseOffset);
  }
  await removeSegmentFiles(env.dir, base);
  await rename(join(env.dir, name), join(env.dir, segmentFileName(base, LOG_SUFFIX)));
  await fsyncDir(env.dir);
  env.logger.info({ segment: segmentFileName(base, LOG_SUFFIX), lastOffset: last.toString() }, 'completed interrupted compaction swap');
}

async function removeSegmentFiles(dir: string, base: bigint): Promise<void> {
  for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) await removeFile(dir, segmentFileName(base, suffix));
}

async function removeFile(dir: string, name: string): Promise<void> {
  await unlink(join(dir, name)).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
}
