import { mkdir, rm } from 'node:fs/promises';
import { scanBatches, type RecordBatchView } from '@oxbow/protocol';
import { AsyncMutex } from './async-mutex.js';
import { writeOffsetCheckpoint } from './checkpoint.js';
import { runCompaction } from './compactor.js';
import { validateLogConfig } from './config.js';
import { CLEANER_CHECKPOINT, LOG_START_CHECKPOINT } from './file-names.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { FlushScheduler } from './flush-scheduler.js';
import { ioError, openLogFile, toStorageError, type OpenLogFile } from './log-file.js';
import { recoverLog, type RecoveredLog } from './recovery.js';
import { selectSegmentsToDelete } from './retention.js';
import type { Segment, SegmentEnv } from './segment.js';
import { SegmentSet } from './segment-set.js';
import { appendInfoOf, checkAppendBatches } from './append-check.js';
import { findTimestampAcross, readAcross } from './log-read.js';
import { readBuffers } from './read-buffers.js';
import { StorageError, type AppendBatchesInfo, type LogLogger, type CompactionStats, type LogConfig, type ReadOptions, type ReadResult, type SegmentInfo, type TimestampOffset } from './types.js';

export interface PartitionLogOptions {
  /** Wall clock in ms (segment.ms rolls, retention and compaction defaults); Date.now by default. */
  readonly now?: () => number;
  /** Receives recovery warnings (bytes dropped) and background failures; silent by default. */
  readonly logger?: LogLogger;
  /** Opens segment and index files; node:fs/promises by default. Fault-injecting wrappers go here. */
  readonly openFile?: OpenLogFile;
}

const INT32_MAX = 0x7fffffff;
const EMPTY = Buffer.alloc(0);
const NO_COMPACTION: CompactionStats = { segmentsRewritten: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };
const SILENT: LogLogger = { warn: () => undefined, info: () => undefined };

/**
 * The local log of one partition (`storage.mode=standard`): a directory of segments with sparse
 * offset and time indexes, crash recovery, retention, compaction and the leader epoch history.
 *
 * Concurrency: mutations (append, roll, truncateTo, deleteRecordsBefore, applyRetention, the swap
 * step of compact, close) run one at a time; `append` callers are expected to serialize themselves
 * anyway (one writer). `read`, `offsetForTimestamp` and the getters may run at any time and only
 * ever observe complete batches. Compaction rewrites sealed segments off to the side and swaps them
 * in under the lock.
 *
 * Durability: an append returns once its bytes are written to the segment file (page cache). It is
 * fsynced before returning when `flushMessages` records have accumulated since the last fsync, and
 * a timer fsyncs pending data `flushMs` after it was written. Rolls, truncations, checkpoints and
 * compaction swaps are always fsynced. The active segment's index files are written in runs
 * (index-files.ts) and may trail its log by a few MiB after a crash; recovery re-indexes that tail.
 */
export class PartitionLog {
  /** The partition directory. */
  readonly dir: string;
  readonly #env: SegmentEnv;
  readonly #now: () => number;
  readonly #mutex = new AsyncMutex();
  #config: LogConfig;
  readonly #segments: SegmentSet;
  #logStartOffset: bigint;
  #logEndOffset: bigint;
  #firstDirtyOffset: bigint;
  #maxTimestamp: TimestampOffset | null = null;
  #epochs: LeaderEpochCache | null = null;
  readonly #flusher: FlushScheduler;
  #compaction: Promise<CompactionStats> | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(env: SegmentEnv, config: LogConfig, now: () => number, recovered: RecoveredLog) {
    this.dir = env.dir;
    this.#env = env;
    this.#config = config;
    this.#now = now;
    this.#segments = new SegmentSet(env, recovered.segments, () => this.#config.fileDeleteDelayMs);
    this.#logStartOffset = recovered.logStartOffset;
    this.#logEndOffset = recovered.logEndOffset;
    this.#firstDirtyOffset = recovered.firstDirtyOffset;
    this.#flusher = new FlushScheduler(
      config.flushMs,
      () => this.#segments.active.flush(false),
      (err) => env.logger.warn({ dir: env.dir, err }, 'periodic flush failed'),
    );
  }

  /**
   * Opens the log in `dir`, creating the directory when new. An existing directory is recovered:
   * leftovers of interrupted deletions, compactions and checkpoint writes are cleared, the active
   * segment is validated batch by batch (structure and CRC) from its last verified index point and
   * a torn or corrupt tail cut off (logged with the number of bytes dropped), missing or
   * inconsistent indexes are rebuilt. The log start offset comes from its checkpoint, or else the
   * first segment. Fails with StorageError `invalid-argument` for a bad config, `io` or `corrupt`.
   */
  static async open(dir: string, config: LogConfig, options: PartitionLogOptions = {}): Promise<PartitionLog> {
    validateLogConfig(config);
    const now = options.now ?? Date.now;
    const env: SegmentEnv = { dir, openFile: options.openFile ?? openLogFile, logger: options.logger ?? SILENT };
    let recovered: RecoveredLog;
    try {
      await mkdir(dir, { recursive: true });
      recovered = await recoverLog(env, config.indexIntervalBytes, now());
    } catch (err) {
      throw toStorageError(`opening log ${dir}`, err);
    }
    const log = new PartitionLog(env, config, now, recovered);
    try {
      const epochs = await LeaderEpochCache.load(dir, () => log.logEndOffset);
      await epochs.truncateFromEnd(recovered.logEndOffset);
      await epochs.truncateFromStart(recovered.logStartOffset);
      log.#epochs = epochs;
      await log.#refreshMaxTimestamp();
      return log;
    } catch (err) {
      await log.#segments.close();
      throw toStorageError(`opening log ${dir}`, err);
    }
  }

  /** First offset readable; below it reads fail with `offset-out-of-range`. */
  get logStartOffset(): bigint {
    return this.#logStartOffset;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): bigint {
    return this.#logEndOffset;
  }

  /** Bytes of all segment files. */
  get size(): number {
    return this.#segments.size;
  }

  get config(): LogConfig {
    return this.#config;
  }

  /** Leader epoch → start offset history, truncated along with the log. */
  get epochs(): LeaderEpochCache {
    if (this.#epochs === null) throw new StorageError('closed', `log ${this.dir} is not open`);
    return this.#epochs;
  }

  /** The segments, oldest first; the last is the active one. */
  segments(): SegmentInfo[] {
    const segs = this.#segments.all;
    return segs.map((s, i) => s.info(i === segs.length - 1 ? this.#logEndOffset : (segs[i + 1]?.baseOffset ?? s.nextOffset)));
  }

  /**
   * Appends `batches` (record batches v2 whose offsets the caller assigned) byte for byte.
   * `info.firstOffset` MUST equal the log end offset and the batches' offsets must match `info` and
   * increase, else StorageError `invalid-append`. Rolls a new segment first when the active one would
   * pass segment.bytes, is older than segment.ms, or the offsets would overflow its int32 range.
   * On an `io` failure nothing becomes visible and the log end offset stays where it was, except
   * that batches that would pass segment.bytes together are appended in runs (rolling between
   * them), and the runs before a failing one stay.
   */
  append(batches: Buffer, info: AppendBatchesInfo): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      if (info.firstOffset !== this.#logEndOffset) {
        throw new StorageError('invalid-append', `first offset ${info.firstOffset} is not the log end offset ${this.#logEndOffset}`);
      }
      const views = checkAppendBatches(batches, info);
      const now = this.#now();
      // Several batches (a partition's queued appends stored together) that would pass segment.bytes
      // are appended in runs that each fit, rolling between them, as they would have been one by one.
      if (views.length > 1 && this.#segments.active.size + batches.length > this.#config.segmentBytes) {
        for (const run of segmentRuns(views, this.#segments.active.size, this.#config.segmentBytes)) {
          const bytes = batches.subarray(run.start, run.end);
          await this.#appendRun(scanBatches(bytes), bytes, run.info, now);
        }
        return;
      }
      await this.#appendRun(views, batches, info, now);
    });
  }

  async #appendRun(views: RecordBatchView[], batches: Buffer, info: AppendBatchesInfo, now: number): Promise<void> {
    let active = this.#segments.active;
    const full = active.size + batches.length > this.#config.segmentBytes;
    const old = active.rollBaseMs !== null && now - active.rollBaseMs >= this.#config.segmentMs;
    if (active.size > 0 && (full || old || info.lastOffset - active.baseOffset > BigInt(INT32_MAX))) {
      active = await this.#segments.roll(this.#logEndOffset, now);
      this.#flusher.flushed();
    }
    if (active.size + batches.length > INT32_MAX) throw new StorageError('invalid-append', `${batches.length} bytes do not fit in a segment`);
    const sync = this.#flusher.mustSync(info.recordCount, this.#config.flushMessages);
    await active.append(views, batches, {
      intervalBytes: this.#config.indexIntervalBytes,
      sync,
      nowMs: now,
      maxTimestamp: info.maxTimestamp,
      offsetOfMaxTimestamp: info.offsetOfMaxTimestamp,
    });
    this.#logEndOffset = info.lastOffset + 1n;
    if (info.maxTimestamp >= 0n && (this.#maxTimestamp === null || info.maxTimestamp > this.#maxTimestamp.timestamp)) {
      this.#maxTimestamp = { timestamp: info.maxTimestamp, offset: info.offsetOfMaxTimestamp };
    }
    this.#flusher.appended(info.recordCount, sync);
  }

  /**
   * Bytes straight from the segment files: whole batches starting with the one containing `offset`
   * (or the first after it), continuing across segments, at most `maxBytes` except that the first
   * batch comes whole when `minOneBatch`, and no batch whose last offset reaches `maxOffset`.
   * `offset` equal to the log end offset gives no records; outside [log start, log end] fails with
   * `offset-out-of-range`.
   */
  async read(offset: bigint, options: ReadOptions): Promise<ReadResult> {
    this.#ensureOpen();
    const segments = this.#segments.all;
    const logStartOffset = this.#logStartOffset;
    const logEndOffset = this.#logEndOffset;
    if (offset < logStartOffset || offset > logEndOffset) {
      throw new StorageError('offset-out-of-range', `offset ${offset} is outside [${logStartOffset}, ${logEndOffset}] of ${this.dir}`);
    }
    if (offset === logEndOffset) return { records: EMPTY, logStartOffset, logEndOffset };
    try {
      return { records: await readAcross(segments, offset, options), logStartOffset, logEndOffset };
    } catch (err) {
      throw this.#wrap(`reading ${this.dir} at ${offset}`, err);
    }
  }

  /**
   * Gives the memory of `records` returned by `read` back for later reads (any PartitionLog's), to
   * spare the garbage collector. The caller MUST NOT use `records`, or any view of the same memory,
   * afterwards (a Kafka connection calls this once a Fetch response is written to the socket).
   * Optional: bytes that are never recycled are collected as usual. Unknown buffers are ignored.
   */
  static recycleReadBuffer(records: Buffer): void {
    readBuffers.recycle(records);
  }

  /**
   * ListOffsets by timestamp: the earliest record at or after the log start whose timestamp is ≥
   * `timestamp`, with that record's offset and timestamp; null when there is none.
   */
  async offsetForTimestamp(timestamp: bigint): Promise<TimestampOffset | null> {
    this.#ensureOpen();
    try {
      return await findTimestampAcross(this.#segments.all, timestamp, this.#logStartOffset);
    } catch (err) {
      throw this.#wrap(`looking up timestamp ${timestamp} in ${this.dir}`, err);
    }
  }

  /** ListOffsets MAX_TIMESTAMP: the largest timestamp and the offset of the first record with it; null for a log without timestamps. */
  maxTimestamp(): TimestampOffset | null {
    return this.#maxTimestamp;
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (checkpointed before returning) and
   * deletes the segments entirely below it. `offset` above the log end fails with
   * `offset-out-of-range`; at or below the current log start it is a no-op.
   */
  deleteRecordsBefore(offset: bigint): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      if (offset > this.#logEndOffset) throw new StorageError('offset-out-of-range', `cannot delete records before ${offset}: log end is ${this.#logEndOffset}`);
      if (offset <= this.#logStartOffset) return;
      await this.#wrapped('deleting records', async () => {
        await this.#advanceLogStart(offset);
        await this.#deleteOldest(this.#selectForDeletion(this.#now(), false));
      });
    });
  }

  /**
   * Retention (cleanup.policy with `delete`): deletes the oldest segments older than retention.ms
   * (by largest timestamp) and, while the log exceeds retention.bytes, those whose removal keeps it
   * at or above retention.bytes; under any policy, segments entirely below the log start. The
   * active segment is rolled first when it goes too. Files are renamed `.deleted` and unlinked
   * after file.delete.delay.ms, once no read holds them.
   */
  applyRetention(nowMs: number = this.#now()): Promise<{ segmentsDeleted: number }> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      const deletePolicy = this.#config.cleanupPolicy.includes('delete');
      const segmentsDeleted = await this.#wrapped('applying retention', () => this.#deleteOldest(this.#selectForDeletion(nowMs, deletePolicy)));
      return { segmentsDeleted };
    });
  }

  /**
   * Compaction (cleanup.policy with `compact`), Kafka's log cleaner on the sealed segments: see
   * compactor.ts for the record rules. Runs only when the dirty ratio reaches
   * min.cleanable.dirty.ratio; the cleaner checkpoint records how far the log is clean. One
   * compaction at a time (a second call joins the running one).
   */
  async compact(nowMs: number = this.#now()): Promise<CompactionStats> {
    this.#ensureOpen();
    if (!this.#config.cleanupPolicy.includes('compact')) return NO_COMPACTION;
    this.#compaction ??= this.#compactOnce(nowMs).finally(() => {
      this.#compaction = null;
    });
    return this.#compaction;
  }

  async #compactOnce(nowMs: number): Promise<CompactionStats> {
    const segments = this.#segments.all;
    for (const s of segments) s.acquire();
    try {
      return await runCompaction({
        env: this.#env,
        config: this.#config,
        nowMs,
        segments,
        firstDirtyOffset: this.#firstDirtyOffset,
        commit: (plan, groups) =>
          this.#mutex.run(async () => {
            if (this.#closed || !(await this.#segments.replace(plan.segments, groups))) return false;
            await writeOffsetCheckpoint(this.dir, CLEANER_CHECKPOINT, plan.nextDirtyOffset);
            this.#firstDirtyOffset = plan.nextDirtyOffset;
            await this.#refreshMaxTimestamp();
            return true;
          }),
      });
    } catch (err) {
      throw this.#wrap(`compacting ${this.dir}`, err);
    } finally {
      for (const s of segments) s.release();
    }
  }

  /**
   * Drops every record at or after `offset` (a follower truncating to the leader's log). A batch
   * straddling `offset` goes whole. Below the log start, the log restarts empty at `offset`. The
   * leader epoch cache and the cleaner checkpoint follow.
   */
  truncateTo(offset: bigint): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      if (offset < 0n) throw new StorageError('invalid-argument', `cannot truncate to ${offset}`);
      if (offset >= this.#logEndOffset) return;
      await this.#wrapped('truncating', async () => {
        const now = this.#now();
        if (offset < this.#logStartOffset) {
          await this.#segments.resetAt(offset, now);
          await this.#advanceLogStart(offset, true);
          this.#logEndOffset = offset;
        } else {
          const last = await this.#segments.retireAfter(offset, now);
          this.#logEndOffset = await last.truncateTo(offset, this.#config.indexIntervalBytes);
        }
        this.#flusher.flushed();
        await this.epochs.truncateFromEnd(this.#logEndOffset);
        if (this.#firstDirtyOffset > this.#logEndOffset) {
          await writeOffsetCheckpoint(this.dir, CLEANER_CHECKPOINT, this.#logEndOffset);
          this.#firstDirtyOffset = this.#logEndOffset;
        }
        await this.#refreshMaxTimestamp();
      });
    });
  }

  /** fsyncs the active segment and its indexes (sealed segments were fsynced when rolled). */
  flush(): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      await this.#wrapped('flushing', () => this.#segments.active.flush(true));
      this.#flusher.flushed();
    });
  }

  /** Seals the active segment and starts a new one at the log end offset (no-op while it is empty). */
  roll(): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      await this.#segments.roll(this.#logEndOffset, this.#now());
      this.#flusher.flushed();
    });
  }

  /** Applies new topic configs to later operations; throws StorageError `invalid-argument` for bad values. */
  updateConfig(config: LogConfig): void {
    validateLogConfig(config);
    this.#config = config;
    this.#flusher.setFlushMs(config.flushMs);
  }

  /**
   * Flushes, closes every file and removes segments awaiting deletion. Later calls fail with
   * StorageError `closed`; a running compaction is abandoned.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await this.#compaction?.catch(() => undefined);
    await this.#mutex.run(async () => {
      await this.#flusher.stop();
      let failure: unknown = null;
      try {
        await this.#segments.active.flush(true);
      } catch (err) {
        failure = err;
      }
      await this.#segments.close();
      if (failure !== null) throw ioError(`flushing ${this.dir} at close`, failure);
    });
  }

  /** Closes the log and removes its directory. */
  async deleteLog(): Promise<void> {
    await this.close();
    await rm(this.dir, { recursive: true, force: true }).catch((err: unknown) => {
      throw ioError(`removing ${this.dir}`, err);
    });
  }

  #selectForDeletion(nowMs: number, deletePolicy: boolean): number {
    const { retentionMs, retentionBytes } = this.#config;
    const offsets = { logStartOffset: this.#logStartOffset, logEndOffset: this.#logEndOffset };
    return selectSegmentsToDelete(this.#segments.all, { ...offsets, nowMs, retentionMs, retentionBytes, deletePolicy });
  }

  /** Deletes the `count` oldest segments (rolling first if that includes the active one); moves the log start up to the new first segment. */
  async #deleteOldest(count: number): Promise<number> {
    if (count === 0) return 0;
    if (count >= this.#segments.all.length) {
      await this.#segments.roll(this.#logEndOffset, this.#now());
      this.#flusher.flushed();
    }
    await this.#segments.retireOldest(count);
    const first = this.#segments.all[0];
    if (first !== undefined && first.baseOffset > this.#logStartOffset) await this.#advanceLogStart(first.baseOffset);
    if (this.#maxTimestamp !== null && first !== undefined && this.#maxTimestamp.offset < first.baseOffset) await this.#refreshMaxTimestamp();
    return count;
  }

  /** Checkpoints a new log start, then truncates the epoch cache and the cleaner checkpoint to it. */
  async #advanceLogStart(offset: bigint, force = false): Promise<void> {
    if (!force && offset <= this.#logStartOffset) return;
    await writeOffsetCheckpoint(this.dir, LOG_START_CHECKPOINT, offset);
    this.#logStartOffset = offset;
    await this.epochs.truncateFromStart(offset);
    if (this.#firstDirtyOffset < offset || force) this.#firstDirtyOffset = offset;
  }

  async #refreshMaxTimestamp(): Promise<void> {
    let best: Segment | null = null;
    for (const s of this.#segments.all) if (s.largestTimestamp >= 0n && (best === null || s.largestTimestamp > best.largestTimestamp)) best = s;
    this.#maxTimestamp = best === null ? null : await best.largestTimestampRecord();
  }

  #ensureOpen(): void {
    if (this.#closed) throw new StorageError('closed', `log ${this.dir} is closed`);
  }

  async #wrapped<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#wrap(`${action} in ${this.dir}`, err);
    }
  }

  #wrap(action: string, err: unknown): StorageError {
    if (this.#closed && !(err instanceof StorageError)) return new StorageError('closed', `log ${this.dir} closed while ${action}`, { cause: err });
    return toStorageError(action, err);
  }
}

/**
 * Splits consecutive batches into runs for segments of `segmentBytes`: the first run fills what the
 * active segment (`activeSize` bytes) has left, each later run a fresh segment; a batch larger than
 * a segment is a run of its own.
 */
function segmentRuns(views: readonly RecordBatchView[], activeSize: number, segmentBytes: number): { start: number; end: number; info: AppendBatchesInfo }[] {
  const runs: { start: number; end: number; info: AppendBatchesInfo }[] = [];
  let run: RecordBatchView[] = [];
  let used = activeSize;
  const close = (): void => {
    const first = run[0];
    const last = run[run.length - 1];
    if (first === undefined || last === undefined) return;
    runs.push({ start: first.start, end: last.start + last.size, info: appendInfoOf(run) });
    run = [];
  };
  for (const v of views) {
    if (run.length > 0 && used + v.size > segmentBytes) {
      close();
      used = 0;
    } else if (run.length === 0 && used > 0 && used + v.size > segmentBytes) {
      used = 0;
    }
    run.push(v);
    used += v.size;
  }
  close();
  return runs;
}
