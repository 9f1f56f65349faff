import { mkdir, rm } from 'node:fs/promises';
import { ProtocolError, scanBatches, type RecordBatchView } from '@oxbow/protocol';
import { AsyncMutex } from './async-mutex.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from './checkpoint.js';
import { planCleaning } from './compaction-plan.js';
import { cleanSegments, swapCleanedGroup } from './compactor.js';
import { validateLogConfig } from './config.js';
import { CLEANER_CHECKPOINT, LOG_START_CHECKPOINT } from './file-names.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { fsyncDir, ioError, openLogFile, type OpenLogFile } from './log-file.js';
import { recoverSegments } from './recovery.js';
import { selectSegmentsToDelete } from './retention.js';
import { Segment, type LogLogger, type SegmentEnv } from './segment.js';
import { StorageError, type AppendBatchesInfo, type CompactionStats, type LogConfig, type ReadOptions, type ReadResult, type SegmentInfo, type TimestampOffset } from './types.js';

export interface PartitionLogOptions {
  /** Wall clock in ms (segment.ms rolls, retention and compaction defaults); Date.now by default. */
  readonly now?: () => number;
  /** Receives recovery warnings (bytes dropped) and background failures; silent by default. */
  readonly logger?: LogLogger;
  /** Opens segment and index files; node:fs/promises by default. Fault-injecting wrappers go here. */
  readonly openFile?: OpenLogFile;
}

const INT32_MAX = 0x7fffffff;
const MAX_TIMER_MS = 2 ** 31 - 1;
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
 * compaction swaps are always fsynced.
 */
export class PartitionLog {
  /** The partition directory. */
  readonly dir: string;
  readonly #env: SegmentEnv;
  readonly #now: () => number;
  readonly #mutex = new AsyncMutex();
  readonly #doomed = new Set<Segment>();
  #config: LogConfig;
  #segments: Segment[];
  #logStartOffset: bigint;
  #logEndOffset: bigint;
  #firstDirtyOffset: bigint;
  #maxTimestamp: TimestampOffset | null = null;
  #epochs: LeaderEpochCache | null = null;
  #unflushedRecords = 0;
  #flushTimer: NodeJS.Timeout | null = null;
  #timerFlush: Promise<void> | null = null;
  #compaction: Promise<CompactionStats> | null = null;
  #closed = false;

  private constructor(env: SegmentEnv, config: LogConfig, now: () => number, segments: Segment[], logStart: bigint, firstDirty: bigint) {
    this.dir = env.dir;
    this.#env = env;
    this.#config = config;
    this.#now = now;
    this.#segments = segments;
    this.#logStartOffset = logStart;
    this.#logEndOffset = segments[segments.length - 1]?.nextOffset ?? logStart;
    this.#firstDirtyOffset = firstDirty;
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
    let segments: Segment[] = [];
    try {
      await mkdir(dir, { recursive: true });
      segments = await recoverSegments(env, config.indexIntervalBytes, now());
      const checkpointed = await readOffsetCheckpoint(dir, LOG_START_CHECKPOINT);
      if (segments.length === 0) {
        segments = [await Segment.create(env, checkpointed ?? 0n, now())];
        await fsyncDir(dir);
      }
      const first = segments[0] as Segment;
      const end = (segments[segments.length - 1] as Segment).nextOffset;
      let logStart = checkpointed !== null && checkpointed > first.baseOffset ? checkpointed : first.baseOffset;
      if (logStart > end) logStart = end;
      const cleanerCheckpoint = await readOffsetCheckpoint(dir, CLEANER_CHECKPOINT);
      const firstDirty = cleanerCheckpoint === null || cleanerCheckpoint < logStart || cleanerCheckpoint > end ? logStart : cleanerCheckpoint;
      const log = new PartitionLog(env, config, now, segments, logStart, firstDirty);
      const epochs = await LeaderEpochCache.load(dir, () => log.logEndOffset);
      await epochs.truncateFromEnd(end);
      await epochs.truncateFromStart(logStart);
      log.#epochs = epochs;
      await log.#refreshMaxTimestamp();
      return log;
    } catch (err) {
      for (const s of segments) await s.close();
      throw wrapError(`opening log ${dir}`, err);
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
    return this.#segments.reduce((n, s) => n + s.size, 0);
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
    const segs = this.#segments;
    return segs.map((s, i) => s.info(i === segs.length - 1 ? this.#logEndOffset : (segs[i + 1]?.baseOffset ?? s.nextOffset)));
  }

  /**
   * Appends `batches` (record batches v2 whose offsets the caller assigned) byte for byte.
   * `info.firstOffset` MUST equal the log end offset and the batches' offsets must match `info` and
   * increase, else StorageError `invalid-append`. Rolls a new segment first when the active one would
   * pass segment.bytes, is older than segment.ms, or the offsets would overflow its int32 range.
   * On an `io` failure nothing becomes visible and the log end offset stays where it was.
   */
  append(batches: Buffer, info: AppendBatchesInfo): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      if (info.firstOffset !== this.#logEndOffset) {
        throw new StorageError('invalid-append', `first offset ${info.firstOffset} is not the log end offset ${this.#logEndOffset}`);
      }
      const views = checkBatches(batches, info);
      const now = this.#now();
      let active = this.#active();
      const full = active.size + batches.length > this.#config.segmentBytes;
      const old = active.rollBaseMs !== null && now - active.rollBaseMs >= this.#config.segmentMs;
      if (active.size > 0 && (full || old || info.lastOffset - active.baseOffset > BigInt(INT32_MAX))) active = await this.#rollLocked(now);
      if (active.size + batches.length > INT32_MAX) throw new StorageError('invalid-append', `${batches.length} bytes do not fit in a segment`);
      const sync = this.#unflushedRecords + info.recordCount >= this.#config.flushMessages;
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
      if (sync) {
        this.#unflushedRecords = 0;
      } else {
        this.#unflushedRecords += info.recordCount;
        this.#scheduleFlush();
      }
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
    const segments = this.#segments;
    const logStartOffset = this.#logStartOffset;
    const logEndOffset = this.#logEndOffset;
    if (offset < logStartOffset || offset > logEndOffset) {
      throw new StorageError('offset-out-of-range', `offset ${offset} is outside [${logStartOffset}, ${logEndOffset}] of ${this.dir}`);
    }
    if (offset === logEndOffset) return { records: EMPTY, logStartOffset, logEndOffset };
    const used = segments.slice(floorSegment(segments, offset));
    for (const s of used) s.acquire();
    try {
      const parts: Buffer[] = [];
      let remaining = options.maxBytes;
      for (const [i, seg] of used.entries()) {
        const position = i === 0 ? await seg.findPosition(offset) : 0;
        if (position === null) continue;
        const r = await seg.read(position, remaining, options.maxOffset, options.minOneBatch && parts.length === 0);
        if (r.bytes.length > 0) parts.push(r.bytes);
        remaining -= r.bytes.length;
        if (!r.complete || remaining <= 0) break;
      }
      return { records: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), logStartOffset, logEndOffset };
    } catch (err) {
      throw this.#wrap(`reading ${this.dir} at ${offset}`, err);
    } finally {
      for (const s of used) s.release();
    }
  }

  /**
   * ListOffsets by timestamp: the earliest record at or after the log start whose timestamp is ≥
   * `timestamp`, with that record's offset and timestamp; null when there is none.
   */
  async offsetForTimestamp(timestamp: bigint): Promise<TimestampOffset | null> {
    this.#ensureOpen();
    const segments = [...this.#segments];
    const logStart = this.#logStartOffset;
    for (const s of segments) s.acquire();
    try {
      for (const seg of segments) {
        const found = await seg.findTimestamp(timestamp, logStart);
        if (found !== null) return found;
      }
      return null;
    } catch (err) {
      throw this.#wrap(`looking up timestamp ${timestamp} in ${this.dir}`, err);
    } finally {
      for (const s of segments) s.release();
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
    const segments = [...this.#segments];
    for (const s of segments) s.acquire();
    try {
      const plan = await planCleaning(segments, this.#firstDirtyOffset, nowMs, this.#config);
      if (plan === null) return NO_COMPACTION;
      const { groups, stats } = await cleanSegments(plan, this.#env, this.#config, nowMs);
      const swapped = await this.#mutex.run(async () => {
        const start = this.#segments.indexOf(plan.segments[0] as Segment);
        const intact = !this.#closed && start >= 0 && plan.segments.every((s, i) => this.#segments[start + i] === s && !s.deleted);
        if (!intact) return false;
        const replacement = groups.map((g) => g.cleaned);
        for (const group of groups) await swapCleanedGroup(this.#env, group, (s) => this.#dispose(s));
        this.#segments = [...this.#segments.slice(0, start), ...replacement, ...this.#segments.slice(start + plan.segments.length)];
        await writeOffsetCheckpoint(this.dir, CLEANER_CHECKPOINT, plan.nextDirtyOffset);
        this.#firstDirtyOffset = plan.nextDirtyOffset;
        await this.#refreshMaxTimestamp();
        return true;
      });
      if (!swapped) for (const g of groups) await g.cleaned.discard();
      return swapped ? stats : NO_COMPACTION;
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
          // Everything goes; the old segments are retired first since one may sit at `offset`.
          const old = this.#segments;
          for (const s of old) await this.#dispose(s);
          this.#segments = [await Segment.create(this.#env, offset, now)];
          await fsyncDir(this.dir);
          await this.#advanceLogStart(offset, true);
          this.#logEndOffset = offset;
        } else {
          const keep = this.#segments.filter((s) => s.baseOffset <= offset);
          const drop = this.#segments.filter((s) => s.baseOffset > offset);
          this.#segments = keep;
          for (const s of drop) await this.#dispose(s);
          const last = this.#active();
          await last.reactivate(now);
          this.#logEndOffset = await last.truncateTo(offset, this.#config.indexIntervalBytes);
        }
        this.#unflushedRecords = 0;
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
      await this.#wrapped('flushing', () => this.#active().flush(true));
      this.#unflushedRecords = 0;
    });
  }

  /** Seals the active segment and starts a new one at the log end offset (no-op while it is empty). */
  roll(): Promise<void> {
    return this.#mutex.run(async () => {
      this.#ensureOpen();
      await this.#rollLocked(this.#now());
    });
  }

  /** Applies new topic configs to later operations; throws StorageError `invalid-argument` for bad values. */
  updateConfig(config: LogConfig): void {
    validateLogConfig(config);
    const flushMsChanged = config.flushMs !== this.#config.flushMs;
    this.#config = config;
    if (flushMsChanged && this.#flushTimer !== null) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = null;
      this.#scheduleFlush();
    }
  }

  /**
   * Flushes, closes every file and removes segments awaiting deletion. Later calls fail with
   * StorageError `closed`; a running compaction is abandoned.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    await this.#compaction?.catch(() => undefined);
    await this.#mutex.run(async () => {
      await this.#timerFlush;
      let failure: unknown = null;
      try {
        await this.#active().flush(true);
      } catch (err) {
        failure = err;
      }
      for (const s of this.#segments) await s.close();
      for (const s of [...this.#doomed]) await s.destroy();
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

  #active(): Segment {
    const last = this.#segments[this.#segments.length - 1];
    if (last === undefined) throw new StorageError('corrupt', `log ${this.dir} has no segment`);
    return last;
  }

  async #rollLocked(now: number): Promise<Segment> {
    const active = this.#active();
    if (active.size === 0) return active;
    try {
      await active.seal();
      let next: Segment;
      try {
        next = await Segment.create(this.#env, this.#logEndOffset, now);
        await fsyncDir(this.dir);
      } catch (err) {
        await active.reactivate(now).catch(() => undefined);
        throw err;
      }
      this.#segments = [...this.#segments, next];
      this.#unflushedRecords = 0;
      return next;
    } catch (err) {
      throw ioError(`rolling a segment in ${this.dir}`, err);
    }
  }

  #selectForDeletion(nowMs: number, deletePolicy: boolean): number {
    const segments = this.#segments.map((s) => ({ baseOffset: s.baseOffset, sizeBytes: s.size, largestTimestamp: s.largestTimestamp, lastModifiedMs: s.lastModifiedMs }));
    const c = this.#config;
    return selectSegmentsToDelete(segments, {
      logStartOffset: this.#logStartOffset,
      logEndOffset: this.#logEndOffset,
      nowMs,
      retentionMs: c.retentionMs,
      retentionBytes: c.retentionBytes,
      deletePolicy,
    });
  }

  /** Deletes the `count` oldest segments (rolling first if that includes the active one); moves the log start up to the new first segment. */
  async #deleteOldest(count: number): Promise<number> {
    if (count === 0) return 0;
    if (count >= this.#segments.length) await this.#rollLocked(this.#now());
    const doomed = this.#segments.slice(0, count);
    this.#segments = this.#segments.slice(count);
    for (const s of doomed) await this.#dispose(s);
    const first = this.#segments[0];
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

  /** Schedules a segment's files for deletion after file.delete.delay.ms. */
  async #dispose(segment: Segment): Promise<void> {
    this.#doomed.add(segment);
    await segment.markDeleted(this.#config.fileDeleteDelayMs, () => this.#doomed.delete(segment));
  }

  async #refreshMaxTimestamp(): Promise<void> {
    let best: Segment | null = null;
    for (const s of this.#segments) if (s.largestTimestamp >= 0n && (best === null || s.largestTimestamp > best.largestTimestamp)) best = s;
    this.#maxTimestamp = best === null ? null : await best.largestTimestampRecord();
  }

  #scheduleFlush(): void {
    const ms = this.#config.flushMs;
    if (this.#flushTimer !== null || this.#closed || ms >= MAX_TIMER_MS) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      this.#timerFlush = this.#flushPending().finally(() => {
        this.#timerFlush = null;
      });
    }, ms);
    this.#flushTimer.unref();
  }

  async #flushPending(): Promise<void> {
    const pending = this.#unflushedRecords;
    if (pending === 0 || this.#closed) return;
    this.#unflushedRecords = 0;
    try {
      await this.#active().flush(false);
    } catch (err) {
      this.#unflushedRecords += pending;
      this.#env.logger.warn({ dir: this.dir, err }, 'periodic flush failed');
    }
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
    return wrapError(action, err);
  }
}

function wrapError(action: string, err: unknown): StorageError {
  if (err instanceof ProtocolError) return new StorageError('corrupt', `${action}: ${err.message}`, { cause: err });
  return ioError(action, err);
}

/** Structure check of appended batches against what the caller says about them. */
function checkBatches(batches: Buffer, info: AppendBatchesInfo): RecordBatchView[] {
  let views: RecordBatchView[];
  try {
    views = scanBatches(batches);
  } catch (err) {
    throw new StorageError('invalid-append', `batches are malformed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const first = views[0];
  const last = views[views.length - 1];
  if (first === undefined || last === undefined) throw new StorageError('invalid-append', 'no batches to append');
  if (first.baseOffset !== info.firstOffset || last.lastOffset !== info.lastOffset) {
    throw new StorageError('invalid-append', `batches span ${first.baseOffset}..${last.lastOffset}, info says ${info.firstOffset}..${info.lastOffset}`);
  }
  for (let i = 1; i < views.length; i++) {
    const prev = views[i - 1] as RecordBatchView;
    const cur = views[i] as RecordBatchView;
    if (cur.baseOffset <= prev.lastOffset) throw new StorageError('invalid-append', `batch at ${cur.baseOffset} does not follow ${prev.lastOffset}`);
  }
  return views;
}

/** Index of the last segment whose base offset is ≤ `offset` (0 when none). */
function floorSegment(segments: readonly Segment[], offset: bigint): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((segments[mid]?.baseOffset ?? 0n) <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
