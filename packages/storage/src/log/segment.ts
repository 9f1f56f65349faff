import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordBatchView } from '@oxbow/protocol';
import { BatchScanner } from './batch-scanner.js';
import { LOG_SUFFIX, segmentFileName } from './file-names.js';
import { applyIndexPlan, EMPTY_CURSOR, planIndexEntries, planSealEntry, type IndexCursor } from './index-planner.js';
import { IndexFiles } from './index-files.js';
import { ioError, isNotFound, writeFully, type LogFile, type OpenLogFile } from './log-file.js';
import { indexPath, renameToDeleted, timeIndexPath, unlinkDeleted, writeIndexFiles } from './segment-files.js';
import { OffsetIndex } from './offset-index.js';
import { firstRecordAtOrAfter, offsetOfTimestampInBatch, readBatchBytes, readWholeBatches, type WholeBatches } from './segment-read.js';
import { loadSegmentState, readBatchHeader, rescanSegmentTail, type SegmentState } from './segment-scan.js';
import { TimeIndex } from './time-index.js';
import { StorageError, type LogLogger, type SegmentInfo, type TimestampOffset } from './types.js';

const INT32_MAX = 0x7fffffff;

/** Where a segment's files live and how they are opened. */
export interface SegmentEnv {
  readonly dir: string;
  readonly openFile: OpenLogFile;
  readonly logger: LogLogger;
}

/** Per-append facts the segment needs besides the batches. */
export interface SegmentAppend {
  readonly intervalBytes: number;
  /** fsync the log file before the append counts as done. */
  readonly sync: boolean;
  readonly nowMs: number;
  readonly maxTimestamp: bigint;
  readonly offsetOfMaxTimestamp: bigint;
}

/**
 * One segment: a log file of batches starting at `baseOffset`, with its offset and time indexes
 * held in memory. Only the active (last) segment is appended to and keeps its index files open;
 * sealed segments keep just the log file handle. `size` only ever covers complete, published
 * batches, so readers never see a partial append.
 */
export class Segment {
  readonly baseOffset: bigint;
  readonly #env: SegmentEnv;
  readonly #log: LogFile;
  #logName: string;
  /** Open only while the segment is active (and not a compaction scratch segment). */
  #indexFiles: IndexFiles | null = null;
  #offsetIndex: OffsetIndex;
  #timeIndex: TimeIndex;
  #cursor: IndexCursor;
  #size: number;
  #nextOffset: bigint;
  #largestTimestampOffset: bigint | null = null;
  #lastModifiedMs: number;
  #rollBaseMs: number | null = null;
  #dirtyTail = false;
  #refs = 0;
  #deleted = false;
  #deleteDue = false;
  #destroyed: Promise<void> | null = null;
  #onGone: () => void = () => undefined;
  /** Bumped whenever bytes below the published size may change (a truncation): read hints before it are void. */
  #generation = 0;
  /**
   * Where the batch after the last read's bytes starts: the next read of a consumer that keeps up
   * with its reads starts there, and `findPosition` answers it without an index lookup and scan
   * (a thread-pool round trip per partition per Fetch).
   */
  #nextRead: { readonly offset: bigint; readonly position: number; readonly generation: number } | null = null;

  private constructor(env: SegmentEnv, baseOffset: bigint, log: LogFile, logName: string, state: SegmentState) {
    this.#env = env;
    this.baseOffset = baseOffset;
    this.#log = log;
    this.#logName = logName;
    this.#size = state.size;
    this.#nextOffset = state.nextOffset;
    this.#cursor = state.cursor;
    this.#offsetIndex = state.offsetIndex;
    this.#timeIndex = state.timeIndex;
    this.#lastModifiedMs = state.lastModifiedMs;
  }

  /** A new empty segment; `logSuffix` other than `.log` makes a scratch segment (compaction output). */
  static async create(env: SegmentEnv, baseOffset: bigint, nowMs: number, logSuffix = LOG_SUFFIX): Promise<Segment> {
    const logName = segmentFileName(baseOffset, logSuffix);
    if (logSuffix !== LOG_SUFFIX) {
      // A scratch file left by an abandoned run is stale.
      await unlink(join(env.dir, logName)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    const log = await env.openFile(join(env.dir, logName), 'create');
    const seg = new Segment(env, baseOffset, log, logName, { size: 0, nextOffset: baseOffset, cursor: EMPTY_CURSOR, offsetIndex: new OffsetIndex(), timeIndex: new TimeIndex(), lastModifiedMs: nowMs });
    if (logSuffix === LOG_SUFFIX) {
      try {
        await seg.#openIndexFiles('create');
      } catch (err) {
        // Leave nothing behind: a stray file would make the next attempt fail on "exists".
        await seg.close();
        for (const path of [seg.path, seg.#indexPath(), seg.#timePath()]) await unlink(path).catch(() => undefined);
        throw err;
      }
    }
    return seg;
  }

  /**
   * Opens an existing segment. The active one is validated from its last trustworthy index point
   * with CRC checks and a torn or corrupt tail is cut off; a sealed one gets a cheap index check
   * and a full validating rebuild only when its indexes are missing or inconsistent.
   * `droppedBytes` is how much was cut off the end of the log file.
   */
  static async load(env: SegmentEnv, baseOffset: bigint, active: boolean, intervalBytes: number): Promise<{ segment: Segment; droppedBytes: number }> {
    const logName = segmentFileName(baseOffset, LOG_SUFFIX);
    const log = await env.openFile(join(env.dir, logName), 'existing');
    try {
      const { state, droppedBytes, rebuilt } = await loadSegmentState(env, log, baseOffset, active, intervalBytes);
      const seg = new Segment(env, baseOffset, log, logName, state);
      if (rebuilt) await seg.#persistIndexes();
      if (active) {
        seg.#rollBaseMs = state.size > 0 ? await seg.#firstBatchTimestamp() : null;
        await seg.#openIndexFiles('existing');
      }
      return { segment: seg, droppedBytes };
    } catch (err) {
      await log.close().catch(() => undefined);
      throw err;
    }
  }

  get size(): number {
    return this.#size;
  }
  /** Offset after the last batch (for the active segment the caller's log end offset may be ahead after a truncation). */
  get nextOffset(): bigint {
    return this.#nextOffset;
  }
  /** Largest batch max timestamp in the segment; -1 when it has none. */
  get largestTimestamp(): bigint {
    return this.#cursor.maxTimestamp;
  }
  get lastModifiedMs(): number {
    return this.#lastModifiedMs;
  }
  /** When the segment.ms clock started (first append, or the first batch's timestamp after recovery); null while empty. */
  get rollBaseMs(): number | null {
    return this.#rollBaseMs;
  }
  get path(): string {
    return join(this.#env.dir, this.#logName);
  }

  info(endOffset = this.#nextOffset): SegmentInfo {
    return { baseOffset: this.baseOffset, endOffset, sizeBytes: this.#size, largestTimestamp: this.largestTimestamp, path: this.path };
  }

  /**
   * Writes `bytes` (the batches `views` were scanned from) at the end of the log, and the index
   * entries not yet in the index files when they are due (see IndexFiles), fsyncs when asked, and
   * only then publishes the new size and entries. On an I/O error nothing is published and the
   * files are cut back to their previous length (best effort; a failed cut is retried before the
   * next append).
   */
  async append(views: readonly RecordBatchView[], bytes: Buffer, a: SegmentAppend): Promise<void> {
    const start = this.#size;
    const last = views[views.length - 1];
    if (last === undefined) return;
    const plan = planIndexEntries(
      this.baseOffset,
      a.intervalBytes,
      this.#cursor,
      views.map((v) => ({ position: start + v.start, baseOffset: v.baseOffset, maxTimestamp: v.maxTimestamp, size: v.size })),
    );
    const indexFiles = this.#indexFiles;
    const writeIndexes = indexFiles?.due(bytes.length) ?? false;
    try {
      if (this.#dirtyTail) await this.#cutFiles(start);
      await writeFully(this.#log, bytes, start);
      if (writeIndexes) await indexFiles?.write(this.#offsetIndex, this.#timeIndex, plan);
      if (a.sync) await this.#log.sync();
    } catch (err) {
      try {
        await this.#cutFiles(start);
      } catch {
        this.#dirtyTail = true;
      }
      throw ioError(`appending to ${this.path}`, err);
    }
    const previousMax = this.#cursor.maxTimestamp;
    applyIndexPlan(plan, this.#offsetIndex, this.#timeIndex);
    indexFiles?.committed(bytes.length, writeIndexes, this.#offsetIndex.length, this.#timeIndex.length);
    this.#cursor = plan.cursor;
    this.#size = start + bytes.length;
    this.#nextOffset = last.lastOffset + 1n;
    if (plan.cursor.maxTimestamp > previousMax) {
      this.#largestTimestampOffset = a.maxTimestamp === plan.cursor.maxTimestamp ? a.offsetOfMaxTimestamp : null;
    }
    this.#lastModifiedMs = a.nowMs;
    this.#rollBaseMs ??= a.nowMs;
  }

  async #cutFiles(size: number): Promise<void> {
    this.#truncating();
    await this.#log.truncate(size);
    await this.#indexFiles?.cut();
    this.#dirtyTail = false;
  }

  /** Position of the first batch whose last offset is ≥ `offset`, or null if the segment has none. */
  async findPosition(offset: bigint, end = this.#size): Promise<number | null> {
    const hint = this.#nextRead;
    // The batch there starts after the one ending at offset - 1: it is the first whose last offset is ≥ offset.
    if (hint !== null && hint.offset === offset && hint.generation === this.#generation && hint.position < end) return hint.position;
    const rel = offset <= this.baseOffset ? 0 : offset - this.baseOffset > BigInt(INT32_MAX) ? INT32_MAX : Number(offset - this.baseOffset);
    let i = this.#offsetIndex.floor(rel);
    while (i >= 0 && this.#offsetIndex.position(i) >= end) i--;
    const scanner = new BatchScanner(this.#log, i >= 0 ? this.#offsetIndex.position(i) : 0, end, { wholeBatches: false, verifyCrc: false, chunkBytes: 16 * 1024 });
    for (let v = await scanner.next(); v !== null; v = await scanner.next()) {
      if (v.lastOffset >= offset) return scanner.position;
    }
    const stop = scanner.stop;
    if (stop !== null && stop.reason === 'corrupt') throw new StorageError('corrupt', `${this.path} at ${stop.position}: ${stop.detail}`);
    return null;
  }

  /**
   * Whole batches from `position`: at most `maxBytes` (but the first batch whole when
   * `minOneBatch`), none whose last offset is ≥ `maxOffset`. `complete` says the segment's end was
   * reached, so a caller with room left may continue in the next segment.
   */
  async read(position: number, maxBytes: number, maxOffset: bigint | undefined, minOneBatch: boolean): Promise<WholeBatches> {
    const generation = this.#generation;
    const r = await readWholeBatches(this.#log, this.path, position, this.#size, { maxBytes, maxOffset, minOneBatch });
    if (r.nextOffset !== null && generation === this.#generation) this.#nextRead = { offset: r.nextOffset, position: position + r.bytes.length, generation };
    return r;
  }

  /** A scanner over this segment's published batches from `start`. */
  scanner(start: number, wholeBatches: boolean, verifyCrc = false): BatchScanner {
    return new BatchScanner(this.#log, start, this.#size, { wholeBatches, verifyCrc, chunkBytes: wholeBatches ? 1 << 20 : 1 << 16 });
  }

  /** Earliest record at or after `minOffset` with timestamp ≥ `target` (ListOffsets by timestamp), or null. */
  async findTimestamp(target: bigint, minOffset: bigint): Promise<TimestampOffset | null> {
    if (this.largestTimestamp < target) return null;
    const end = this.#size;
    // Every record before the batch of the last time entry ≤ target is older than target.
    const i = this.#timeIndex.floor(target);
    let from = i >= 0 ? this.baseOffset + BigInt(this.#timeIndex.relativeOffset(i)) : this.baseOffset;
    if (from < minOffset) from = minOffset;
    const position = await this.findPosition(from, end);
    return position === null ? null : firstRecordAtOrAfter(this.#log, this.path, position, end, target, minOffset);
  }

  /** The segment's largest timestamp and the offset of the first record carrying it; null when none. */
  async largestTimestampRecord(): Promise<TimestampOffset | null> {
    const timestamp = this.largestTimestamp;
    if (timestamp < 0n) return null;
    if (this.#largestTimestampOffset === null) {
      const position = await this.findPosition(this.#cursor.maxTimestampBatch);
      if (position === null) return null;
      this.#largestTimestampOffset = await offsetOfTimestampInBatch(this.#log, this.path, position, this.#size, timestamp);
    }
    return this.#largestTimestampOffset === null ? null : { timestamp, offset: this.#largestTimestampOffset };
  }

  /** The `size` bytes of the batch at `position`. */
  readBatch(position: number, size: number): Promise<Buffer> {
    return readBatchBytes(this.#log, this.path, position, size);
  }

  async #firstBatchTimestamp(): Promise<number | null> {
    const header = await readBatchHeader(this.#log, 0, this.#size);
    return header === null || header.maxTimestamp < 0n ? null : Number(header.maxTimestamp);
  }

  /**
   * Drops every batch whose last offset is ≥ `offset` and rebuilds the tail of the indexes.
   * Returns the new end offset: `offset`, or the base offset of a batch that straddled it.
   */
  async truncateTo(offset: bigint, intervalBytes: number): Promise<bigint> {
    const position = await this.findPosition(offset);
    if (position === null) return offset;
    const header = await readBatchHeader(this.#log, position, this.#size);
    const newEnd = header !== null && header.baseOffset < offset ? header.baseOffset : offset;
    this.#truncating();
    await this.#log.truncate(position);
    const scan = await rescanSegmentTail(this.#log, this.baseOffset, position, this.#offsetIndex, this.#timeIndex, intervalBytes, false);
    this.#size = scan.validSize;
    this.#nextOffset = scan.nextOffset;
    this.#cursor = scan.cursor;
    this.#largestTimestampOffset = null;
    await this.#log.sync();
    await this.#persistIndexes();
    return newEnd;
  }

  /** Final time entry, indexes written atomically, everything fsynced; the index files are closed. */
  async seal(): Promise<void> {
    const entry = planSealEntry(this.baseOffset, this.#cursor);
    const timeCount = this.#timeIndex.length;
    if (entry !== null) this.#timeIndex.append(entry[0], entry[1]);
    try {
      await this.#log.sync();
      await this.#closeIndexFiles();
      await this.#persistIndexes();
    } catch (err) {
      this.#timeIndex.truncate(timeCount);
      throw err;
    }
    if (entry !== null) this.#cursor = { ...this.#cursor, lastIndexedTimestamp: entry[0] };
  }

  /** Seals a scratch segment (compaction output): final time entry and fsync, index files written later by persistIndexes. */
  async sealScratch(): Promise<void> {
    const entry = planSealEntry(this.baseOffset, this.#cursor);
    if (entry !== null) {
      this.#timeIndex.append(entry[0], entry[1]);
      this.#cursor = { ...this.#cursor, lastIndexedTimestamp: entry[0] };
    }
    await this.#log.sync();
  }

  /** Makes a sealed segment appendable again (it became the last after a truncation). */
  async reactivate(nowMs: number): Promise<void> {
    if (this.#indexFiles !== null) return;
    await this.#persistIndexes();
    await this.#openIndexFiles('existing');
    this.#rollBaseMs = nowMs;
  }

  /** fsync the log file (and, when `all`, the index files brought up to date first). */
  async flush(all: boolean): Promise<void> {
    await this.#log.sync();
    if (all) await this.#indexFiles?.flush(this.#offsetIndex, this.#timeIndex);
  }

  /** Renames the log file within the directory (compaction's .cleaned → .swap → .log). */
  async renameLog(newSuffix: string): Promise<void> {
    const name = segmentFileName(this.baseOffset, newSuffix);
    await rename(this.path, join(this.#env.dir, name));
    this.#logName = name;
  }

  /**
   * Writes both index files from memory: temp file, fsync, rename, then the directory fsync.
   * Open index handles (active segment) are switched to the new files.
   */
  async persistIndexes(): Promise<void> {
    await this.#persistIndexes();
  }

  async #persistIndexes(): Promise<void> {
    await writeIndexFiles(this.#env.dir, this.baseOffset, this.#offsetIndex, this.#timeIndex);
    if (this.#indexFiles !== null) {
      await this.#closeIndexFiles();
      await this.#openIndexFiles('existing');
    }
  }

  /** Opens the index files for appends; they hold every in-memory entry (new, or just persisted). */
  async #openIndexFiles(mode: 'create' | 'existing'): Promise<void> {
    const offsetFile = await this.#env.openFile(this.#indexPath(), mode);
    let timeFile: LogFile;
    try {
      timeFile = await this.#env.openFile(this.#timePath(), mode);
    } catch (err) {
      await offsetFile.close().catch(() => undefined);
      throw err;
    }
    this.#indexFiles = new IndexFiles(offsetFile, timeFile, this.#offsetIndex.length, this.#timeIndex.length);
  }

  async #closeIndexFiles(): Promise<void> {
    const files = this.#indexFiles;
    this.#indexFiles = null;
    await files?.close();
  }

  #indexPath(): string {
    return indexPath(this.#env.dir, this.baseOffset);
  }
  #timePath(): string {
    return timeIndexPath(this.#env.dir, this.baseOffset);
  }

  /** Bytes below the published size are about to change: read hints are void. */
  #truncating(): void {
    this.#generation++;
  }

  /** Pins the segment's file handle while a reader uses it (see markDeleted). */
  acquire(): void {
    this.#refs++;
  }

  release(): void {
    this.#refs--;
    if (this.#refs === 0 && this.#deleteDue) void this.destroy();
  }

  /**
   * Renames the segment's files to `*.deleted`; after `delayMs`, once no reader holds the segment,
   * the handle is closed and the files unlinked, then `onGone` runs. `destroy` does it at once.
   */
  async markDeleted(delayMs: number, onGone: () => void): Promise<void> {
    if (this.#deleted) return;
    this.#deleted = true;
    this.#onGone = onGone;
    await this.#closeIndexFiles();
    this.#logName = await renameToDeleted(this.#env.dir, this.baseOffset, this.#logName);
    setTimeout(() => {
      this.#deleteDue = true;
      if (this.#refs === 0) void this.destroy();
    }, delayMs).unref();
  }

  /** Closes the handle and unlinks the `.deleted` files; idempotent. */
  destroy(): Promise<void> {
    this.#destroyed ??= (async () => {
      await this.close();
      for (const { name, err } of await unlinkDeleted(this.#env.dir, this.baseOffset)) {
        this.#env.logger.warn({ file: name, err }, 'could not remove deleted segment file');
      }
      this.#onGone();
    })();
    return this.#destroyed;
  }

  get deleted(): boolean {
    return this.#deleted;
  }

  /** Closes and removes a scratch segment (abandoned compaction output). */
  async discard(): Promise<void> {
    await this.close();
    await unlink(this.path).catch((err: unknown) => {
      if (!isNotFound(err)) this.#env.logger.warn({ file: this.path, err }, 'could not remove compaction scratch file');
    });
  }

  async close(): Promise<void> {
    await this.#closeIndexFiles().catch(() => undefined);
    await this.#log.close().catch(() => undefined);
  }
}
