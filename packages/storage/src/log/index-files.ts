import type { IndexPlan } from './index-planner.js';
import { writeFully, type LogFile } from './log-file.js';
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from './offset-index.js';
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time-index.js';

/**
 * Index entries reach their files once they cover this many bytes of log (and at every full flush,
 * seal and close). Each small index write costs a thread-pool round trip as dear as the log write it
 * follows; held back, the files trail the in-memory indexes by at most this much log, which
 * recovery re-indexes by scanning (it validates the active segment from its last index point).
 */
export const INDEX_WRITE_BYTES = 4 << 20;

/**
 * The active segment's open offset and time index files and how many entries each holds. Reads
 * use the in-memory indexes; the files only need to be right enough for recovery, so entries are
 * written in runs ({@link INDEX_WRITE_BYTES}) rather than with every append.
 */
export class IndexFiles {
  readonly #offsetFile: LogFile;
  readonly #timeFile: LogFile;
  /** Entries in the files (a prefix of the in-memory indexes). */
  #offsetWritten: number;
  #timeWritten: number;
  /** Log bytes appended since the files last caught up with memory. */
  #unindexedBytes = 0;

  constructor(offsetFile: LogFile, timeFile: LogFile, offsetEntries: number, timeEntries: number) {
    this.#offsetFile = offsetFile;
    this.#timeFile = timeFile;
    this.#offsetWritten = offsetEntries;
    this.#timeWritten = timeEntries;
  }

  /** Whether an append of `bytes` should bring the files up to date. */
  due(bytes: number): boolean {
    return this.#unindexedBytes + bytes >= INDEX_WRITE_BYTES;
  }

  /**
   * Writes the entries the files lack: those of the in-memory indexes past what was written, then
   * `plan`'s (an append not yet published). Counts change only in {@link committed}.
   */
  async write(offsetIndex: OffsetIndex, timeIndex: TimeIndex, plan: IndexPlan | null): Promise<void> {
    // After a failed truncation the memory may hold fewer entries than counted: rewrite from there.
    this.#offsetWritten = Math.min(this.#offsetWritten, offsetIndex.length);
    this.#timeWritten = Math.min(this.#timeWritten, timeIndex.length);
    const offsets = pending(offsetIndex.length - this.#offsetWritten, plan?.offsetEntries.length ?? 0, (n) => new OffsetIndex(n));
    if (offsets !== null) {
      for (let i = this.#offsetWritten; i < offsetIndex.length; i++) offsets.append(offsetIndex.relativeOffset(i), offsetIndex.position(i));
      for (const [rel, pos] of plan?.offsetEntries ?? []) offsets.append(rel, pos);
      await writeFully(this.#offsetFile, offsets.encode(), this.#offsetWritten * OFFSET_INDEX_ENTRY_BYTES);
    }
    const times = pending(timeIndex.length - this.#timeWritten, plan?.timeEntries.length ?? 0, (n) => new TimeIndex(n));
    if (times !== null) {
      for (let i = this.#timeWritten; i < timeIndex.length; i++) times.append(timeIndex.timestamp(i), timeIndex.relativeOffset(i));
      for (const [ts, rel] of plan?.timeEntries ?? []) times.append(ts, rel);
      await writeFully(this.#timeFile, times.encode(), this.#timeWritten * TIME_INDEX_ENTRY_BYTES);
    }
  }

  /** An append of `bytes` was published; `written` says whether its `write` ran (the files now hold every entry). */
  committed(bytes: number, written: boolean, offsetEntries: number, timeEntries: number): void {
    if (!written) {
      this.#unindexedBytes += bytes;
      return;
    }
    this.#offsetWritten = offsetEntries;
    this.#timeWritten = timeEntries;
    this.#unindexedBytes = 0;
  }

  /** Brings the files up to date with the in-memory indexes and fsyncs them. */
  async flush(offsetIndex: OffsetIndex, timeIndex: TimeIndex): Promise<void> {
    await this.write(offsetIndex, timeIndex, null);
    this.committed(0, true, offsetIndex.length, timeIndex.length);
    await this.#offsetFile.sync();
    await this.#timeFile.sync();
  }

  /** Cuts the files back to the entries counted as written (after a failed append). */
  async cut(): Promise<void> {
    await this.#offsetFile.truncate(this.#offsetWritten * OFFSET_INDEX_ENTRY_BYTES);
    await this.#timeFile.truncate(this.#timeWritten * TIME_INDEX_ENTRY_BYTES);
  }

  async close(): Promise<void> {
    await this.#offsetFile.close();
    await this.#timeFile.close();
  }
}

function pending<T>(fromMemory: number, fromPlan: number, make: (n: number) => T): T | null {
  const n = fromMemory + fromPlan;
  return n > 0 ? make(n) : null;
}
