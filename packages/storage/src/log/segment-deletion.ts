import type { LogParts } from './log-parts.js';
import { selectSegmentsToDelete } from './retention.js';

/**
 * Deletes the oldest segments that retention selects at `nowMs` (retention.ts): under any policy
 * those entirely below the log start, with `deletePolicy` also those past retention.ms or
 * retention.bytes. Returns how many went.
 */
export async function deleteOldSegments(log: LogParts, nowMs: number, deletePolicy: boolean): Promise<number> {
  const { retentionMs, retentionBytes } = log.config();
  const offsets = { logStartOffset: log.bounds.logStartOffset, logEndOffset: log.bounds.logEndOffset };
  return deleteOldest(log, selectSegmentsToDelete(log.segments.all, { ...offsets, nowMs, retentionMs, retentionBytes, deletePolicy }));
}

/** Deletes the `count` oldest segments (rolling first if that includes the active one); moves the log start up to the new first segment. */
async function deleteOldest(log: LogParts, count: number): Promise<number> {
  if (count === 0) return 0;
  if (count >= log.segments.all.length) await log.roll(log.now());
  await log.segments.retireOldest(count);
  const first = log.segments.all[0];
  if (first !== undefined && first.baseOffset > log.bounds.logStartOffset) await log.bounds.advanceLogStart(first.baseOffset, log.epochs());
  if (first !== undefined && log.maxTimestamp.isBelow(first.baseOffset)) await log.maxTimestamp.refresh(log.segments.all);
  return count;
}
