import { runCompaction } from './compactor.js';
import type { LogParts } from './log-parts.js';
import type { CompactionStats } from './types.js';

/**
 * One compaction pass over the current segments: they are pinned so that retention cannot close
 * them while the compactor reads them off to the side; the cleaned segments are swapped in under
 * the lock, only if the segments are still the ones cleaned, and the cleaner checkpoint follows.
 */
export async function compactOnce(log: LogParts, nowMs: number): Promise<CompactionStats> {
  const { segments: set, bounds } = log;
  const segments = set.all;
  for (const s of segments) s.acquire();
  try {
    return await runCompaction({
      env: log.env,
      config: log.config(),
      nowMs,
      segments,
      firstDirtyOffset: bounds.firstDirtyOffset,
      commit: (plan, groups) =>
        log.mutex.run(async () => {
          if (log.isClosed() || !(await set.replace(plan.segments, groups))) return false;
          await bounds.setFirstDirtyOffset(plan.nextDirtyOffset);
          await log.maxTimestamp.refresh(set.all);
          return true;
        }),
    });
  } finally {
    for (const s of segments) s.release();
  }
}
