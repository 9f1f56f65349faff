import { mkdir, rm } from 'node:fs/promises';
import { AsyncMutex } from './async-mutex.js';
import { validateLogConfig } from './config.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { FlushScheduler } from './flush-scheduler.js';
import { appendBatches } from './log-append.js';
import { LogBounds } from './log-bounds.js';
import { compactOnce } from './log-compaction.js';
import type { LogParts } from './log-parts.js';
import { truncateLog } from './log-truncation.js';
import { ioError, openLogFile, toStorageError, type OpenLogFile } from './log-file.js';
import { MaxTimestamp } from './max-timestamp.js';
import { recoverLog, type RecoveredLog } from './recovery.js';
import type { Segment, SegmentEnv } from './segment.js';
import { SegmentSet } from './segment-set.js';
import { deleteOldSegments } from './segment-deletion.js';
import { checkAppendBatches } from './append-check.js';
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
  readonly #now: () => number;
  readonly #mutex = new AsyncMutex();
  #config: LogConfig;
  readonly #segments: SegmentSet;
  readonly #bounds: LogBounds;
  readonly #maxTimestamp = new MaxTimestamp();
  #epochs: LeaderEpochCache | null = null;
  readonly #flusher: FlushScheduler;
  readonly #parts: LogParts;
  #compaction: Promise<CompactionStats> | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(env: SegmentEnv, config: LogConfig, now: () => number, recovered: RecoveredLog) {
    this.dir = env.dir;
    this.#config = config;
    this.#now = now;
    this.#segments = new SegmentSet(env, recovered.segments, () => this.#config.fileDeleteDelayMs);
    this.#bounds = new LogBounds(env.dir, recovered);
    this.#flusher = new FlushScheduler(
      config.flushMs,
      () => this.#segments.active.flush(false),
      (err) => env.logger.warn({ dir: env.dir, err }, 'periodic flush failed'),
    );
    this.#parts = {
      env,
      config: () => this.#config,
      now: () => this.#now(),
      segments: this.#segments,
      bounds: this.#bounds,
      maxTimestamp: this.#maxTimestamp,
      epochs: () => this.epochs,
      flusher: this.#flusher,
      mutex: this.#mutex,
      isClosed: () => this.#closed,
      roll: (nowMs) => this.#roll(nowMs),
    };
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
      await log.#maxTimestamp.refresh(log.#segments.all);
      return log;
    } catch (err) {
      await log.#segments.close();
      throw toStorageError(`opening log ${dir}`, err);
    }
  }

  /** First offset readable; below it reads fail with `offset-out-of-range`. */
  get logStartOffset(): bigint {
    return this.#bounds.logStartOffset;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): bigint {
    return this.#bounds.logEndOffset;
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
    return segs.map((s, i) => s.info(i === segs.length - 1 ? this.#bounds.logEndOffset : (segs[i + 1]?.baseOffset ?? s.nextOffset)));
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
      if (info.firstOffset !== this.#bounds.logEndOffset) {
        throw new StorageError('invalid-append', `first offset ${info.firstOffset} is not the log end offset ${this.#bounds.logEndOffset}`);
      }
      const views = checkAppendBatches(batches, info);
      await appendBatches(this.#parts, views, batches, info, this.#now());
    });
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
    const { logStartOffset, logEndOffset } = this.#bounds;
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
      return await findTimestampAcross(this.#segments.all, timestamp, this.#bounds.logStartOffset);
    } catch (err) {
      throw this.#wrap(`looking up timestamp ${timestamp} in ${this.dir}`, err);
    }
  }

  /** ListOffsets MAX_TIMESTAMP: the largest timestamp and the offset of the first record with it; null for a log without timestamps. */
  maxTimestamp(): TimestampOffset | null {
    return this.#maxTimestamp.value;
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (checkpointed before returning) and
   * deletes the segments entirely below it. `offset` above the log end fails with
   * `offset-out-of-range`; at or below the current log start it is a no-op.
   */
  deleteRecordsBefore(offset: bigint): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      if (offset > this.#bounds.logEndOffset) throw new StorageError('offset-out-of-range', `cannot delete records before ${offset}: log end is ${this.#bounds.logEndOffset}`);
      if (offset <= this.#bounds.logStartOffset) return;
      await this.#wrapped('deleting records', async () => {
        await this.#bounds.advanceLogStart(offset, this.epochs);
        await deleteOldSegments(this.#parts, this.#now(), false);
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
      const segmentsDeleted = await this.#wrapped('applying retention', () => deleteOldSegments(this.#parts, nowMs, deletePolicy));
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
    try {
      return await compactOnce(this.#parts, nowMs);
    } catch (err) {
      throw this.#wrap(`compacting ${this.dir}`, err);
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
      if (offset >= this.#bounds.logEndOffset) return;
      await this.#wrapped('truncating', () => truncateLog(this.#parts, offset));
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
      await this.#roll(this.#now());
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

  /** Seals the active segment and starts a new one at the log end offset; a roll is fsynced, so nothing is pending. */
  async #roll(nowMs: number): Promise<Segment> {
    const active = await this.#segments.roll(this.#bounds.logEndOffset, nowMs);
    this.#flusher.flushed();
    return active;
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
