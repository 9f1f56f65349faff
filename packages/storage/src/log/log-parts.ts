import type { AsyncMutex } from './async-mutex.js';
import type { FlushScheduler } from './flush-scheduler.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogBounds } from './log-bounds.js';
import type { MaxTimestamp } from './max-timestamp.js';
import type { Segment, SegmentEnv } from './segment.js';
import type { SegmentSet } from './segment-set.js';
import type { LogConfig } from './types.js';

/**
 * The state of one PartitionLog that its operations (log-append.ts, segment-deletion.ts,
 * log-truncation.ts, log-compaction.ts) work on. The log owns it; mutations run under `mutex`.
 * Values that change over the log's life (config, epochs) are read through functions, at the
 * moment an operation needs them.
 */
export interface LogParts {
  readonly env: SegmentEnv;
  readonly config: () => LogConfig;
  readonly now: () => number;
  readonly segments: SegmentSet;
  readonly bounds: LogBounds;
  readonly maxTimestamp: MaxTimestamp;
  readonly epochs: () => LeaderEpochCache;
  readonly flusher: FlushScheduler;
  /** The log's lock: mutations run one at a time under it. */
  readonly mutex: AsyncMutex;
  /** True once the log is closing. */
  readonly isClosed: () => boolean;
  /** Seals the active segment and starts a new one at the log end (fsynced, so nothing is pending); returns the new one. */
  readonly roll: (nowMs: number) => Promise<Segment>;
}
