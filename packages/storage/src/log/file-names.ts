/*
 * A partition directory:
 *   00000000000000000000.log        record batches exactly as appended
 *   00000000000000000000.index      sparse offset index (relative offset int32, position int32)
 *   00000000000000000000.timeindex  time index (timestamp int64, relative offset int32)
 *   log-start-offset-checkpoint     log start offset (DeleteRecords, retention)
 *   cleaner-offset-checkpoint       first offset the compactor has not cleaned yet
 *   leader-epoch-checkpoint         leader epoch → start offset
 *   00000000000000000042.snapshot   idempotent-producer state as of that offset, owned by
 *                                   @oxbow/partition-actor; recovery leaves it alone
 * Transient: *.deleted (awaiting file.delete.delay.ms), *.cleaned / *.swap (compaction output),
 * *.tmp (checkpoint and index rewrites).
 */
export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const TEMP_SUFFIX = '.tmp';

export const LOG_START_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

const OFFSET_DIGITS = 20;
const SEGMENT_NAME = /^(\d{20})(\.log|\.index|\.timeindex)$/;

/** `{baseOffset:020}{suffix}`, e.g. `00000000000000000042.log`. */
export function segmentFileName(baseOffset: bigint, suffix: string): string {
  return baseOffset.toString().padStart(OFFSET_DIGITS, '0') + suffix;
}

/** Parses a segment, index or time index file name; null for anything else. */
export function parseSegmentFileName(name: string): { baseOffset: bigint; suffix: string } | null {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return null;
  const [, digits, suffix] = m;
  if (digits === undefined || suffix === undefined) return null;
  return { baseOffset: BigInt(digits), suffix };
}
