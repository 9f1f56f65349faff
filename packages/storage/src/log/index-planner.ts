import type { OffsetIndex } from './offset-index.js';
import type { TimeIndex } from './time-index.js';

/*
 * When index entries are made, shared by appends, recovery scans and compaction so that an index
 * rebuilt from a segment matches the one appends would have produced:
 * - an offset entry for a batch when at least indexIntervalBytes were appended since the last
 *   entry (the first batch of a segment needs none: position 0 is implicit);
 * - at such a point, a time entry (largest timestamp so far, batch that first reached it) when the
 *   largest timestamp grew since the last time entry;
 * - when the segment is sealed, a last time entry if the largest timestamp grew, so the last time
 *   entry of a sealed segment is its largest timestamp.
 */

/** Running state of a segment's indexing. */
export interface IndexCursor {
  /** Bytes appended since the last offset entry (or since the segment start). */
  readonly bytesSinceEntry: number;
  /** Largest batch max timestamp so far; -1 when none. */
  readonly maxTimestamp: bigint;
  /** Base offset of the first batch that reached maxTimestamp; -1 when none. */
  readonly maxTimestampBatch: bigint;
  /** Timestamp of the last time index entry; -1 when none. */
  readonly lastIndexedTimestamp: bigint;
}

export const EMPTY_CURSOR: IndexCursor = { bytesSinceEntry: 0, maxTimestamp: -1n, maxTimestampBatch: -1n, lastIndexedTimestamp: -1n };

/** What the planner needs from a batch. */
export interface BatchMeta {
  readonly position: number;
  readonly baseOffset: bigint;
  readonly maxTimestamp: bigint;
  readonly size: number;
}

export interface IndexPlan {
  /** New offset entries: relative offset, position. */
  readonly offsetEntries: readonly (readonly [number, number])[];
  /** New time entries: timestamp, relative offset. */
  readonly timeEntries: readonly (readonly [bigint, number])[];
  readonly cursor: IndexCursor;
}

/** Entries the batches add, in order, without touching the indexes (so a failed write can be abandoned). */
export function planIndexEntries(segmentBase: bigint, intervalBytes: number, cursor: IndexCursor, batches: readonly BatchMeta[]): IndexPlan {
  const offsetEntries: [number, number][] = [];
  const timeEntries: [bigint, number][] = [];
  let { bytesSinceEntry, maxTimestamp, maxTimestampBatch, lastIndexedTimestamp } = cursor;
  for (const b of batches) {
    let indexed = false;
    if (bytesSinceEntry >= intervalBytes) {
      offsetEntries.push([Number(b.baseOffset - segmentBase), b.position]);
      bytesSinceEntry = 0;
      indexed = true;
    }
    if (b.maxTimestamp > maxTimestamp) {
      maxTimestamp = b.maxTimestamp;
      maxTimestampBatch = b.baseOffset;
    }
    if (indexed && maxTimestamp > lastIndexedTimestamp) {
      timeEntries.push([maxTimestamp, Number(maxTimestampBatch - segmentBase)]);
      lastIndexedTimestamp = maxTimestamp;
    }
    bytesSinceEntry += b.size;
  }
  return { offsetEntries, timeEntries, cursor: { bytesSinceEntry, maxTimestamp, maxTimestampBatch, lastIndexedTimestamp } };
}

/** Adds a plan's entries to the in-memory indexes. */
export function applyIndexPlan(plan: IndexPlan, offsetIndex: OffsetIndex, timeIndex: TimeIndex): void {
  for (const [rel, pos] of plan.offsetEntries) offsetIndex.append(rel, pos);
  for (const [ts, rel] of plan.timeEntries) timeIndex.append(ts, rel);
}

/** The time entry a segment gets when sealed, if its largest timestamp is not indexed yet. */
export function planSealEntry(segmentBase: bigint, cursor: IndexCursor): readonly [bigint, number] | null {
  if (cursor.maxTimestamp <= cursor.lastIndexedTimestamp || cursor.maxTimestampBatch < 0n) return null;
  return [cursor.maxTimestamp, Number(cursor.maxTimestampBatch - segmentBase)];
}
