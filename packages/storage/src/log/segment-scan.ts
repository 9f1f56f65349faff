import { BATCH_HEADER_SIZE, RecordBatchView } from '@oxbow/protocol';
import { BatchScanner, type ScanStop } from './batch-scanner.js';
import { applyIndexPlan, EMPTY_CURSOR, planIndexEntries, planSealEntry, type BatchMeta, type IndexCursor } from './index-planner.js';
import { readFully, type LogFile } from './log-file.js';
import { OffsetIndex } from './offset-index.js';
import { indexPath, readOptional, timeIndexPath } from './segment-files.js';
import { TimeIndex } from './time-index.js';
import { StorageError } from './types.js';

const INT32_MAX = 0x7fffffff;

/*
 * Rebuilding a segment's in-memory state from its file, used by recovery (the active segment, or a
 * sealed one whose indexes are missing or inconsistent) and by truncation.
 *
 * The scan starts from the latest point where the index state is known to be right: the last
 * offset entry whose batch header checks out, but no later than the batch of the last time entry
 * (the largest timestamp before that batch is only known to be below the entry's timestamp, so the
 * running maximum is recomputed from there). Batches from that point are validated and re-indexed
 * exactly as appends would have; the first invalid batch ends the valid data. When the last time
 * entry or the start point itself turn out to lie in the invalid tail, they are dropped and the
 * scan restarts earlier; each restart drops an entry, so this terminates.
 */

export interface SegmentScanResult {
  /** End of the last valid batch: the segment's size. */
  readonly validSize: number;
  /** Offset after the last valid batch; the base offset when there is none. */
  readonly nextOffset: bigint;
  readonly cursor: IndexCursor;
  /** Why the scan stopped (`end` when the whole range was valid). */
  readonly stop: ScanStop;
}

const PLAN_CHUNK = 1024;

/** Reads and structurally checks the header of the batch at `position`; null if there is none. */
export async function readBatchHeader(file: LogFile, position: number, end: number): Promise<RecordBatchView | null> {
  if (position < 0 || end - position < BATCH_HEADER_SIZE) return null;
  const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  if ((await readFully(file, buf, BATCH_HEADER_SIZE, position)) < BATCH_HEADER_SIZE) return null;
  const view = new RecordBatchView(buf, 0);
  if (view.magic !== 2 || view.batchLength < BATCH_HEADER_SIZE - 12 || position + view.size > end) return null;
  return view;
}

/** Position of the batch whose base offset is exactly `target`, walking from the offset index; null if none. */
async function locateBatch(file: LogFile, base: bigint, offsetIndex: OffsetIndex, target: bigint, end: number): Promise<number | null> {
  const i = offsetIndex.floor(Number(target - base));
  const scanner = new BatchScanner(file, i >= 0 ? offsetIndex.position(i) : 0, end, { wholeBatches: false, verifyCrc: false });
  for (let v = await scanner.next(); v !== null; v = await scanner.next()) {
    if (v.baseOffset === target) return scanner.position;
    if (v.baseOffset > target) return null;
  }
  return null;
}

/** Drops trailing offset entries whose batch header does not match the entry. */
async function verifyLastOffsetEntry(file: LogFile, base: bigint, offsetIndex: OffsetIndex, end: number): Promise<void> {
  while (offsetIndex.length > 0) {
    const i = offsetIndex.length - 1;
    const header = await readBatchHeader(file, offsetIndex.position(i), end);
    if (header !== null && header.baseOffset === base + BigInt(offsetIndex.relativeOffset(i))) return;
    offsetIndex.truncate(i);
  }
}

/**
 * Validates the segment's tail up to `end` and rebuilds the index entries for it (mutating the
 * given indexes). With `verifyCrc` every scanned batch's CRC is checked (recovery); without, only
 * structure (truncation of data already validated).
 */
export async function rescanSegmentTail(
  file: LogFile,
  base: bigint,
  end: number,
  offsetIndex: OffsetIndex,
  timeIndex: TimeIndex,
  intervalBytes: number,
  verifyCrc: boolean,
): Promise<SegmentScanResult> {
  for (;;) {
    await verifyLastOffsetEntry(file, base, offsetIndex, end);
    let start = offsetIndex.length > 0 ? offsetIndex.position(offsetIndex.length - 1) : 0;
    const keptTimeEntries = timeIndex.length;
    if (keptTimeEntries === 0) {
      // Without a time entry the largest timestamp before any point is unknown: scan it all.
      start = 0;
    } else {
      const target = base + BigInt(timeIndex.relativeOffset(keptTimeEntries - 1));
      const at = await locateBatch(file, base, offsetIndex, target, end);
      if (at === null) {
        timeIndex.truncate(keptTimeEntries - 1);
        continue;
      }
      start = Math.min(start, at);
    }
    offsetIndex.truncateToPosition(start);
    const entryAt = offsetIndex.length > 0 ? offsetIndex.position(offsetIndex.length - 1) : 0;
    let cursor: IndexCursor = { ...EMPTY_CURSOR, bytesSinceEntry: start - entryAt, lastIndexedTimestamp: timeIndex.lastTimestamp() };

    const scanner = new BatchScanner(file, start, end, { wholeBatches: verifyCrc, verifyCrc, segmentBase: base, chunkBytes: verifyCrc ? 1 << 20 : 1 << 16 });
    let nextOffset: bigint | null = null;
    let pending: BatchMeta[] = [];
    const flushPlan = (): void => {
      const plan = planIndexEntries(base, intervalBytes, cursor, pending);
      applyIndexPlan(plan, offsetIndex, timeIndex);
      cursor = plan.cursor;
      pending = [];
    };
    for (let v = await scanner.next(); v !== null; v = await scanner.next()) {
      pending.push({ position: scanner.position, baseOffset: v.baseOffset, maxTimestamp: v.maxTimestamp, size: v.size });
      nextOffset = v.lastOffset + 1n;
      if (pending.length >= PLAN_CHUNK) flushPlan();
    }
    flushPlan();

    if (nextOffset === null && start > 0) {
      // Nothing valid from `start`: the offset before it is unknown, so restart from an earlier point.
      timeIndex.truncate(keptTimeEntries - 1);
      offsetIndex.truncateToPosition(start);
      continue;
    }
    const next = nextOffset ?? base;
    if (keptTimeEntries > 0 && base + BigInt(timeIndex.relativeOffset(keptTimeEntries - 1)) >= next) {
      timeIndex.truncate(keptTimeEntries - 1);
      offsetIndex.truncateToPosition(start);
      continue;
    }
    return { validSize: scanner.validEnd, nextOffset: next, cursor, stop: scanner.stop ?? { reason: 'end' } };
  }
}

/**
 * Cheap consistency check of a sealed segment's loaded indexes: the last offset entry points at a
 * batch with that offset, the batches after it are well formed up to the end of the file, and the
 * last time entry lies inside the segment. Returns the segment's state, or null when the indexes
 * must be rebuilt (or the tail is damaged).
 */
export async function checkSealedSegment(
  file: LogFile,
  base: bigint,
  size: number,
  offsetIndex: OffsetIndex,
  timeIndex: TimeIndex,
): Promise<{ nextOffset: bigint; cursor: IndexCursor } | null> {
  const entries = offsetIndex.length;
  const entryAt = entries > 0 ? offsetIndex.position(entries - 1) : 0;
  if (entries > 0) {
    const header = await readBatchHeader(file, entryAt, size);
    if (header === null || header.baseOffset !== base + BigInt(offsetIndex.relativeOffset(entries - 1))) return null;
  }
  const scanner = new BatchScanner(file, entryAt, size, { wholeBatches: false, verifyCrc: false, segmentBase: base });
  let nextOffset = base;
  let maxTimestamp = timeIndex.lastTimestamp();
  let maxTimestampBatch = timeIndex.length > 0 ? base + BigInt(timeIndex.relativeOffset(timeIndex.length - 1)) : -1n;
  for (let v = await scanner.next(); v !== null; v = await scanner.next()) {
    nextOffset = v.lastOffset + 1n;
    if (v.maxTimestamp > maxTimestamp) {
      maxTimestamp = v.maxTimestamp;
      maxTimestampBatch = v.baseOffset;
    }
  }
  if (scanner.stop?.reason !== 'end') return null;
  if (timeIndex.length > 0 && base + BigInt(timeIndex.relativeOffset(timeIndex.length - 1)) >= nextOffset) return null;
  const cursor: IndexCursor = { bytesSinceEntry: size - entryAt, maxTimestamp, maxTimestampBatch, lastIndexedTimestamp: timeIndex.lastTimestamp() };
  return { nextOffset, cursor };
}

/** A segment's in-memory state, as loaded or created. */
export interface SegmentState {
  size: number;
  nextOffset: bigint;
  cursor: IndexCursor;
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  lastModifiedMs: number;
}

/**
 * Loads a segment's state from its files. The active segment is validated from its last
 * trustworthy index point with CRC checks and a torn or corrupt tail is cut off the file; a sealed
 * one gets the cheap index check and a full validating rebuild only when its indexes are missing or
 * inconsistent. `rebuilt` says the index files must be rewritten; `droppedBytes` how much was cut.
 */
export async function loadSegmentState(
  env: { readonly dir: string; readonly logger: { warn(obj: object, msg: string): void } },
  log: LogFile,
  base: bigint,
  active: boolean,
  intervalBytes: number,
): Promise<{ state: SegmentState; droppedBytes: number; rebuilt: boolean }> {
  const stat = await log.stat();
  const fileSize = stat.size;
  if (fileSize > INT32_MAX) throw new StorageError('corrupt', `segment ${base} in ${env.dir} is ${fileSize} bytes, beyond int32 positions`);
  const indexBytes = await readOptional(indexPath(env.dir, base));
  const timeBytes = await readOptional(timeIndexPath(env.dir, base));
  const off = OffsetIndex.decode(indexBytes ?? Buffer.alloc(0), fileSize);
  const time = TimeIndex.decode(timeBytes ?? Buffer.alloc(0));
  const state: SegmentState = { size: fileSize, nextOffset: base, cursor: EMPTY_CURSOR, offsetIndex: off.index, timeIndex: time.index, lastModifiedMs: stat.mtimeMs };
  const intact = indexBytes !== null && timeBytes !== null && off.intact && time.intact;
  const quick = !active && intact ? await checkSealedSegment(log, base, fileSize, off.index, time.index) : null;
  if (quick !== null) {
    state.nextOffset = quick.nextOffset;
    state.cursor = quick.cursor;
    return { state, droppedBytes: 0, rebuilt: false };
  }
  if (!active) {
    // Sealed but inconsistent: rebuild from scratch, validating every batch.
    state.offsetIndex = new OffsetIndex();
    state.timeIndex = new TimeIndex();
  }
  const scan = await rescanSegmentTail(log, base, fileSize, state.offsetIndex, state.timeIndex, intervalBytes, true);
  state.size = scan.validSize;
  state.nextOffset = scan.nextOffset;
  state.cursor = scan.cursor;
  const seal = active ? null : planSealEntry(base, scan.cursor);
  if (seal !== null) {
    state.timeIndex.append(seal[0], seal[1]);
    state.cursor = { ...scan.cursor, lastIndexedTimestamp: seal[0] };
  }
  const droppedBytes = fileSize - scan.validSize;
  if (droppedBytes > 0) {
    env.logger.warn({ dir: env.dir, segment: base.toString(), droppedBytes, position: scan.validSize, stop: scan.stop }, 'truncating invalid tail of log segment');
    await log.truncate(scan.validSize);
    await log.sync();
  }
  return { state, droppedBytes, rebuilt: true };
}
