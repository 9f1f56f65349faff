/** What retention looks at per segment, oldest first; the last one is the active segment. */
export interface RetentionSegment {
  readonly baseOffset: bigint;
  readonly size: number;
  /** Largest record timestamp; -1 when the segment has none (then lastModifiedMs counts). */
  readonly largestTimestamp: bigint;
  readonly lastModifiedMs: number;
}

export interface RetentionRules {
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  readonly nowMs: number;
  /** retention.ms, or -1; ignored unless `deletePolicy`. */
  readonly retentionMs: number;
  /** retention.bytes, or -1; ignored unless `deletePolicy`. */
  readonly retentionBytes: number;
  /** cleanup.policy includes `delete`. */
  readonly deletePolicy: boolean;
}

/**
 * How many of the oldest segments retention deletes, applying Kafka's three passes in turn, each
 * extending the deleted prefix and stopping at the first segment it keeps:
 * 1. segments entirely below the log start offset (any cleanup policy);
 * 2. retention.ms: segments whose largest timestamp is older than now - retention.ms;
 * 3. retention.bytes: oldest segments while the rest still holds at least retention.bytes.
 * The active segment counts too unless it is empty: when the result includes it, the caller rolls
 * first so that a fresh active segment remains.
 */
export function selectSegmentsToDelete(segments: readonly RetentionSegment[], rules: RetentionRules): number {
  const last = segments.length - 1;
  const deletable = (i: number): boolean => i < segments.length && !(i === last && segments[i]?.size === 0);
  const endOf = (i: number): bigint => segments[i + 1]?.baseOffset ?? rules.logEndOffset;
  let n = 0;
  while (deletable(n) && endOf(n) <= rules.logStartOffset) n++;
  if (rules.deletePolicy && rules.retentionMs >= 0) {
    const horizon = rules.nowMs - rules.retentionMs;
    const timeOf = (s: RetentionSegment): number => (s.largestTimestamp >= 0n ? Number(s.largestTimestamp) : s.lastModifiedMs);
    while (deletable(n) && timeOf(segments[n] as RetentionSegment) < horizon) n++;
  }
  if (rules.deletePolicy && rules.retentionBytes >= 0) {
    let excess = segments.slice(n).reduce((sum, s) => sum + s.size, 0) - rules.retentionBytes;
    while (deletable(n) && excess - (segments[n]?.size ?? 0) >= 0) {
      excess -= segments[n]?.size ?? 0;
      n++;
    }
  }
  return n;
}
