import { readBuffers } from './read-buffers.js';
import type { Segment } from './segment.js';
import type { ReadOptions, TimestampOffset } from './types.js';

/** The read paths that cross segments, over a snapshot of the segment list. */

/**
 * Whole batches from the one containing `offset` (or the first after it), continuing into later
 * segments while `maxBytes` allows; see PartitionLog.read. The segments involved are pinned first
 * (synchronously) so a concurrent deletion cannot close them under the read.
 */
export async function readAcross(segments: readonly Segment[], offset: bigint, options: ReadOptions): Promise<Buffer> {
  const used = reachableSegments(segments, floorSegment(segments, offset), options.maxBytes);
  for (const s of used) s.acquire();
  try {
    const parts: Buffer[] = [];
    let remaining = options.maxBytes;
    for (const [i, seg] of used.entries()) {
      const position = i === 0 ? await seg.findPosition(offset) : 0;
      if (position === null) continue;
      const r = await seg.read(position, remaining, options.maxOffset, options.minOneBatch && parts.length === 0);
      if (r.bytes.length > 0) parts.push(r.bytes);
      remaining -= r.bytes.length;
      if (!r.complete || remaining <= 0) break;
    }
    if (parts.length === 1) return parts[0] as Buffer;
    const whole = Buffer.concat(parts);
    for (const part of parts) readBuffers.recycle(part);
    return whole;
  } finally {
    for (const s of used) s.release();
  }
}

/** The earliest record at or after `minOffset` with timestamp ≥ `timestamp`, segment by segment. */
export async function findTimestampAcross(segments: readonly Segment[], timestamp: bigint, minOffset: bigint): Promise<TimestampOffset | null> {
  for (const s of segments) s.acquire();
  try {
    for (const seg of segments) {
      const found = await seg.findTimestamp(timestamp, minOffset);
      if (found !== null) return found;
    }
    return null;
  } finally {
    for (const s of segments) s.release();
  }
}

/** Index of the last segment whose base offset is ≤ `offset` (0 when none). */
export function floorSegment(segments: readonly Segment[], offset: bigint): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((segments[mid]?.baseOffset ?? 0n) <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * The segments a read starting in `segments[first]` can touch: it moves on only after a whole
 * segment, so the ones after the first are needed while their sizes have not used up `maxBytes`,
 * plus one more (the first may hold nothing at or after the offset once compacted). The caller pins
 * them synchronously, so a concurrent deletion cannot close them under the read.
 */
export function reachableSegments(segments: readonly Segment[], first: number, maxBytes: number): Segment[] {
  const out = segments.slice(first, first + 2);
  let budget = maxBytes - (out[1]?.size ?? 0);
  for (let i = first + 2; i < segments.length && budget > 0; i++) {
    const s = segments[i] as Segment;
    out.push(s);
    budget -= s.size;
  }
  return out;
}

