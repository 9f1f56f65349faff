import type { Segment } from './segment.js';
import type { AppendBatchesInfo, TimestampOffset } from './types.js';

/**
 * ListOffsets MAX_TIMESTAMP of one log: the largest timestamp and the offset of the first record
 * with it. Appends move it forward cheaply; anything that removes records (retention, truncation,
 * compaction) recomputes it from the segments, since the record it pointed at may be gone.
 */
export class MaxTimestamp {
  #value: TimestampOffset | null = null;

  /** Null for a log without timestamps. */
  get value(): TimestampOffset | null {
    return this.#value;
  }

  /** Takes in appended batches (a negative max timestamp means none). */
  appended(info: AppendBatchesInfo): void {
    if (info.maxTimestamp >= 0n && (this.#value === null || info.maxTimestamp > this.#value.timestamp)) {
      this.#value = { timestamp: info.maxTimestamp, offset: info.offsetOfMaxTimestamp };
    }
  }

  /** Whether the record it points at lies below `offset` (so deleting up to there removed it). */
  isBelow(offset: bigint): boolean {
    return this.#value !== null && this.#value.offset < offset;
  }

  /** Recomputes it from the segments: the record of the segment with the largest timestamp. */
  async refresh(segments: readonly Segment[]): Promise<void> {
    let best: Segment | null = null;
    for (const s of segments) if (s.largestTimestamp >= 0n && (best === null || s.largestTimestamp > best.largestTimestamp)) best = s;
    this.#value = best === null ? null : await best.largestTimestampRecord();
  }
}
