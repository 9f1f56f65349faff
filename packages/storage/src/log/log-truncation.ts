import type { LogParts } from './log-parts.js';

/**
 * Drops every record at or after `offset` (≥ 0 and below the log end; see PartitionLog.truncateTo).
 * Below the log start the log restarts empty at `offset`. The leader epoch cache, the cleaner
 * checkpoint and the max timestamp follow.
 */
export async function truncateLog(log: LogParts, offset: bigint): Promise<void> {
  const { bounds, segments } = log;
  const now = log.now();
  if (offset < bounds.logStartOffset) {
    await segments.resetAt(offset, now);
    await bounds.advanceLogStart(offset, log.epochs(), true);
    bounds.logEndOffset = offset;
  } else {
    const last = await segments.retireAfter(offset, now);
    bounds.logEndOffset = await last.truncateTo(offset, log.config().indexIntervalBytes);
  }
  log.flusher.flushed();
  await log.epochs().truncateFromEnd(bounds.logEndOffset);
  if (bounds.firstDirtyOffset > bounds.logEndOffset) await bounds.setFirstDirtyOffset(bounds.logEndOffset);
  await log.maxTimestamp.refresh(segments.all);
}
