import { BATCH_HEADER_SIZE, decodeRecordBatch, RecordBatchView } from '@oxbow/protocol';
import { BatchScanner } from './batch-scanner.js';
import { readFully, type LogFile } from './log-file.js';
import { readBuffers } from './read-buffers.js';
import { readBatchHeader } from './segment-scan.js';
import { StorageError, type TimestampOffset } from './types.js';

/** Read-side work on a segment's log file between a position and its published end. */

const EMPTY = Buffer.alloc(0);

/** What `readWholeBatches` returns; `nextOffset` is the offset after the last batch in `bytes` (null when empty). */
export interface WholeBatches {
  readonly bytes: Buffer;
  readonly complete: boolean;
  readonly nextOffset: bigint | null;
}

/**
 * Whole batches from `position`: at most `maxBytes` (but the first batch whole when
 * `minOneBatch`), none whose last offset is ≥ `maxOffset`. One read of up to `maxBytes`, then the
 * headers are walked in memory to cut at the last whole batch. `complete` says the end was reached,
 * so a caller with room left may continue in the next segment. The bytes may be a view of a pooled
 * buffer (`read-buffers.ts`) that a caller done with them can recycle.
 */
export async function readWholeBatches(
  file: LogFile,
  path: string,
  position: number,
  end: number,
  limits: { readonly maxBytes: number; readonly maxOffset: bigint | undefined; readonly minOneBatch: boolean },
): Promise<WholeBatches> {
  const { maxOffset } = limits;
  const available = end - position;
  if (available <= 0) return { bytes: EMPTY, complete: true, nextOffset: null };
  const want = Math.min(available, Math.max(0, limits.maxBytes));
  const buf = readBuffers.acquire(want);
  const got = want > 0 ? await readFully(file, buf, want, position) : 0;
  let p = 0;
  let blocked = false;
  let nextOffset: bigint | null = null;
  while (p + BATCH_HEADER_SIZE <= got) {
    const view = new RecordBatchView(buf, p);
    if (view.magic !== 2 || view.size < BATCH_HEADER_SIZE) throw new StorageError('corrupt', `${path} at ${position + p}: not a record batch`);
    if (maxOffset !== undefined && view.lastOffset >= maxOffset) {
      blocked = true;
      break;
    }
    if (p + view.size > got) break;
    p += view.size;
    nextOffset = view.lastOffset + 1n;
  }
  if (p === 0 && !blocked && limits.minOneBatch) {
    readBuffers.recycle(buf); // nothing of it is returned
    const header = await readBatchHeader(file, position, end);
    if (header === null) throw new StorageError('corrupt', `${path} at ${position}: not a record batch`);
    if (maxOffset !== undefined && header.lastOffset >= maxOffset) return { bytes: EMPTY, complete: false, nextOffset: null };
    const whole = await readBatchBytes(file, path, position, header.size);
    return { bytes: whole, complete: position + header.size >= end, nextOffset: header.lastOffset + 1n };
  }
  if (p === 0) readBuffers.recycle(buf);
  return { bytes: p === 0 ? EMPTY : buf.subarray(0, p), complete: !blocked && position + p >= end, nextOffset };
}

/** The `size` bytes of the batch at `position`. */
export async function readBatchBytes(file: LogFile, path: string, position: number, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  if ((await readFully(file, buf, size, position)) < size) throw new StorageError('corrupt', `${path} at ${position}: batch cut short`);
  return buf;
}

/**
 * From the batch at `position`, the earliest record at or after `minOffset` with timestamp ≥
 * `target`: batch headers are walked and only batches whose max timestamp reaches `target` decoded.
 */
export async function firstRecordAtOrAfter(file: LogFile, path: string, position: number, end: number, target: bigint, minOffset: bigint): Promise<TimestampOffset | null> {
  const scanner = new BatchScanner(file, position, end, { wholeBatches: false, verifyCrc: false });
  for (let v = await scanner.next(); v !== null; v = await scanner.next()) {
    if (v.maxTimestamp < target || v.lastOffset < minOffset) continue;
    const batch = await decodeRecordBatch(await readBatchBytes(file, path, scanner.position, v.size));
    for (const r of batch.records) {
      if (r.offset >= minOffset && r.timestamp >= target) return { offset: r.offset, timestamp: r.timestamp };
    }
  }
  return null;
}

/** Offset of the first record with exactly `timestamp` in the batch at `position` (its last offset if none). */
export async function offsetOfTimestampInBatch(file: LogFile, path: string, position: number, end: number, timestamp: bigint): Promise<bigint | null> {
  const header = await readBatchHeader(file, position, end);
  if (header === null) return null;
  const batch = await decodeRecordBatch(await readBatchBytes(file, path, position, header.size));
  return batch.records.find((r) => r.timestamp === timestamp)?.offset ?? header.lastOffset;
}
