import { scanBatches, type RecordBatchView } from '@oxbow/protocol';
import { appendInfoOf } from './append-check.js';
import type { LogParts } from './log-parts.js';
import type { Segment } from './segment.js';
import { StorageError, type AppendBatchesInfo, type LogConfig } from './types.js';

/** Positions in a segment file and offsets relative to its base are int32. */
const INT32_MAX = 0x7fffffff;

/**
 * Appends checked batches (`views` of `batches`, starting at the log end) to the active segment,
 * rolling first when `mustRoll` says so, and moves the log end and max timestamp. Several batches
 * (a partition's queued appends stored together) that would pass segment.bytes are appended in
 * runs that each fit, rolling between them, as they would have been one by one.
 */
export async function appendBatches(log: LogParts, views: RecordBatchView[], batches: Buffer, info: AppendBatchesInfo, nowMs: number): Promise<void> {
  if (views.length > 1 && log.segments.active.size + batches.length > log.config().segmentBytes) {
    for (const run of segmentRuns(views, log.segments.active.size, log.config().segmentBytes)) {
      const bytes = batches.subarray(run.start, run.end);
      await appendRun(log, scanBatches(bytes), bytes, run.info, nowMs);
    }
    return;
  }
  await appendRun(log, views, batches, info, nowMs);
}

async function appendRun(log: LogParts, views: RecordBatchView[], batches: Buffer, info: AppendBatchesInfo, nowMs: number): Promise<void> {
  let active = log.segments.active;
  if (mustRoll(active, batches.length, info.lastOffset, nowMs, log.config())) active = await log.roll(nowMs);
  if (active.size + batches.length > INT32_MAX) throw new StorageError('invalid-append', `${batches.length} bytes do not fit in a segment`);
  const sync = log.flusher.mustSync(info.recordCount, log.config().flushMessages);
  await active.append(views, batches, {
    intervalBytes: log.config().indexIntervalBytes,
    sync,
    nowMs,
    maxTimestamp: info.maxTimestamp,
    offsetOfMaxTimestamp: info.offsetOfMaxTimestamp,
  });
  log.bounds.logEndOffset = info.lastOffset + 1n;
  log.maxTimestamp.appended(info);
  log.flusher.appended(info.recordCount, sync);
}

/** One run of consecutive batches that goes into one segment: bytes [start, end) of the append. */
interface SegmentRun {
  readonly start: number;
  readonly end: number;
  readonly info: AppendBatchesInfo;
}

/**
 * Whether appending `bytes` bytes ending at `lastOffset` must roll a new segment first: when the
 * active one would pass segment.bytes, is older than segment.ms, or the offsets would overflow its
 * int32 range. An empty active segment never rolls.
 */
function mustRoll(
  active: Pick<Segment, 'size' | 'baseOffset' | 'rollBaseMs'>,
  bytes: number,
  lastOffset: bigint,
  nowMs: number,
  config: Pick<LogConfig, 'segmentBytes' | 'segmentMs'>,
): boolean {
  const full = active.size + bytes > config.segmentBytes;
  const old = active.rollBaseMs !== null && nowMs - active.rollBaseMs >= config.segmentMs;
  return active.size > 0 && (full || old || lastOffset - active.baseOffset > BigInt(INT32_MAX));
}

/**
 * Splits consecutive batches into runs for segments of `segmentBytes`: the first run fills what the
 * active segment (`activeSize` bytes) has left, each later run a fresh segment; a batch larger than
 * a segment is a run of its own.
 */
function segmentRuns(views: readonly RecordBatchView[], activeSize: number, segmentBytes: number): SegmentRun[] {
  const runs: SegmentRun[] = [];
  let run: RecordBatchView[] = [];
  let used = activeSize;
  const close = (): void => {
    const first = run[0];
    const last = run[run.length - 1];
    if (first === undefined || last === undefined) return;
    runs.push({ start: first.start, end: last.start + last.size, info: appendInfoOf(run) });
    run = [];
  };
  for (const v of views) {
    if (run.length > 0 && used + v.size > segmentBytes) {
      close();
      used = 0;
    } else if (run.length === 0 && used > 0 && used + v.size > segmentBytes) {
      used = 0;
    }
    run.push(v);
    used += v.size;
  }
  close();
  return runs;
}
