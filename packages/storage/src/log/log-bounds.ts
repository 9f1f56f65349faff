import { writeOffsetCheckpoint } from './checkpoint.js';
import { CLEANER_CHECKPOINT, LOG_START_CHECKPOINT } from './file-names.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import type { RecoveredLog } from './recovery.js';

/**
 * The offsets that frame one log: the log start (log-start-offset-checkpoint), the log end, and the
 * first dirty offset (compaction's progress, cleaner-offset-checkpoint). A checkpoint is written
 * before the value moves in memory, so a failed write leaves the log as it was.
 */
export class LogBounds {
  readonly #dir: string;
  #logStartOffset: bigint;
  #firstDirtyOffset: bigint;
  /** The offset the next appended record gets; moved by appends and truncation. */
  logEndOffset: bigint;

  constructor(dir: string, recovered: Pick<RecoveredLog, 'logStartOffset' | 'logEndOffset' | 'firstDirtyOffset'>) {
    this.#dir = dir;
    this.#logStartOffset = recovered.logStartOffset;
    this.logEndOffset = recovered.logEndOffset;
    this.#firstDirtyOffset = recovered.firstDirtyOffset;
  }

  get logStartOffset(): bigint {
    return this.#logStartOffset;
  }

  /** Below it the log is clean (compacted); compaction starts there. */
  get firstDirtyOffset(): bigint {
    return this.#firstDirtyOffset;
  }

  /**
   * Checkpoints a new log start, then truncates the epoch cache and the cleaner checkpoint to it.
   * Without `force` an offset at or below the current log start is ignored; with it (a truncation
   * below the log start restarting the log) the log start and the first dirty offset are set as given.
   */
  async advanceLogStart(offset: bigint, epochs: LeaderEpochCache, force = false): Promise<void> {
    if (!force && offset <= this.#logStartOffset) return;
    await writeOffsetCheckpoint(this.#dir, LOG_START_CHECKPOINT, offset);
    this.#logStartOffset = offset;
    await epochs.truncateFromStart(offset);
    if (this.#firstDirtyOffset < offset || force) this.#firstDirtyOffset = offset;
  }

  /** Checkpoints, then sets the first dirty offset (compaction's progress, or clamped by a truncation). */
  async setFirstDirtyOffset(offset: bigint): Promise<void> {
    await writeOffsetCheckpoint(this.#dir, CLEANER_CHECKPOINT, offset);
    this.#firstDirtyOffset = offset;
  }
}
