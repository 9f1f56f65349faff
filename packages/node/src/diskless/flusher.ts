import { randomUUID } from 'node:crypto';
import { SpanStatusCode, trace, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { MAX_MANIFEST_APPENDS, type ManifestAppend, type ManifestEntry, type ManifestStore } from '@oxbow/controller';
import { MailboxFullError } from '@oxbow/partition-actor';
import { KafkaApiError, KafkaErrorCode } from '@oxbow/protocol';
import type { Logger } from '../observability/logger.js';
import type { BufferedSlice, DisklessBackend, DisklessHost } from './diskless-backend.js';
import { flushObjectKey, type EntryReader } from './entry-reader.js';

const tracer = trace.getTracer('oxbow.diskless');

/** Metric names of the flusher (the PUT rate is `oxbow_diskless_flush_objects`). */
export const FLUSH_METRICS = {
  objects: 'oxbow_diskless_flush_objects',
  bytes: 'oxbow_diskless_flush_bytes',
  duration: 'oxbow_diskless_flush_duration',
  upload: 'oxbow_diskless_upload_duration',
  commit: 'oxbow_diskless_commit_duration',
  bufferedBytes: 'oxbow_diskless_buffered_bytes',
} as const;

export interface DisklessFlusherOptions {
  readonly nodeId: number;
  readonly manifests: ManifestStore;
  readonly reader: EntryReader;
  readonly logger: Logger;
  readonly meter?: Meter;
  /** Bytes all diskless partitions of the node may hold unflushed (backpressure past it). */
  readonly maxBufferedBytes: number;
  /** How long an append waits for buffer room before failing with a retriable error. */
  readonly bufferWaitMs: number;
  /** First retry delay after a failed PUT or commit (doubles, with jitter, up to 5 s). */
  readonly retryBackoffMs?: number;
  /**
   * An object whose commit is still being retried this long after its upload is uploaded again
   * under a new key before the next attempt: garbage collection deletes unreferenced flush objects
   * after its grace period, so this must be well below that grace (default 5 minutes).
   */
  readonly reuploadAfterMs?: number;
  /** Partitions per manifest commit (default MAX_MANIFEST_APPENDS). */
  readonly maxAppendsPerCommit?: number | undefined;
  /** A partition's buffered appends were lost to another writer (its actor is fenced and must be reopened). */
  readonly onLost?: (backend: DisklessBackend) => void;
}

/** The partitions sharing one object store: flushed together into one object. */
interface Group {
  readonly key: string;
  readonly members: Set<DisklessBackend>;
  timer: NodeJS.Timeout | null;
  /** When the oldest unflushed byte of the group arrived. */
  since: number;
  /** When the last flush started (0 = never): flushes start at most once per interval. */
  lastStart: number;
  /** Flushes uploading or committing now (at most MAX_FLUSHES_IN_FLIGHT). */
  inFlight: number;
  /** Resolves when the latest flush's commits are done: the next flush commits after it. */
  commitTail: Promise<void>;
  again: boolean;
}

/** Histogram bounds (seconds) for upload and commit times: 1 ms to 30 s. */
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Flushes of one store in flight at once. Their uploads overlap; their commits run in the order
 * the flushes started, so each partition's slices commit in offset order.
 */
export const MAX_FLUSHES_IN_FLIGHT = 4;

/**
 * The node's diskless flusher (BRIEF §5): every diskless partition sharing an object store is
 * flushed into one object per flush, so PUTs per second do not grow with the partition count.
 * A group flushes on a steady cadence, one `diskless.flush.interval.ms` after its previous flush
 * started (at once when data arrives after a quiet spell), so no byte waits longer than the
 * interval; and early when its buffered bytes or records reach a member's `diskless.flush.bytes` /
 * `.records` (the smallest member threshold wins). A flush uploads the object, then commits every member's slice to the
 * coordinator in one transaction that compares each partition's next offset; only then are the
 * slices durable (acks answered, high watermarks moved). One flush per group is in flight at a
 * time, which keeps each partition's commits in offset order. PUT and commit failures are retried
 * with backoff until they succeed; meanwhile appends buffer until the node's buffer bound, then
 * wait, then fail with a retriable error.
 */
export class DisklessFlusher implements DisklessHost {
  readonly reader: EntryReader;
  readonly #options: DisklessFlusherOptions;
  readonly #groups = new Map<string, Group>();
  #buffered = 0;
  readonly #waiters: { bytes: number; resolve: () => void; timer: NodeJS.Timeout }[] = [];
  #closed = false;
  readonly #objects: Counter | null;
  readonly #bytes: Counter | null;
  readonly #duration: Histogram | null;
  readonly #upload: Histogram | null;
  readonly #commit: Histogram | null;

  constructor(options: DisklessFlusherOptions) {
    this.#options = options;
    this.reader = options.reader;
    const m = options.meter;
    this.#objects = m?.createCounter(FLUSH_METRICS.objects, { description: 'Objects uploaded by the diskless flusher (PUTs)' }) ?? null;
    this.#bytes = m?.createCounter(FLUSH_METRICS.bytes, { description: 'Bytes uploaded by the diskless flusher', unit: 'By' }) ?? null;
    const advice = { explicitBucketBoundaries: SECONDS_BUCKETS };
    this.#duration = m?.createHistogram(FLUSH_METRICS.duration, { description: 'Diskless flush time: upload and manifest commit', unit: 's', advice }) ?? null;
    this.#upload = m?.createHistogram(FLUSH_METRICS.upload, { description: 'Diskless object upload time, retries included', unit: 's', advice }) ?? null;
    this.#commit = m?.createHistogram(FLUSH_METRICS.commit, { description: 'Diskless manifest commit time, retries included', unit: 's', advice }) ?? null;
    m?.createObservableGauge(FLUSH_METRICS.bufferedBytes, { description: 'Bytes buffered by diskless partitions, not yet committed', unit: 'By' }).addCallback((r) => r.observe(this.#buffered));
  }

  get bufferedBytes(): number {
    return this.#buffered;
  }

  reserve(bytes: number): Promise<void> {
    if (this.#buffered + bytes <= this.#options.maxBufferedBytes || this.#buffered === 0) {
      this.#buffered += bytes;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        bytes,
        resolve,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new MailboxFullError(`diskless write buffer full (${this.#buffered} bytes buffered, the object store is slow or down)`));
        }, this.#options.bufferWaitMs),
      };
      this.#waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.#buffered -= bytes;
    for (let next = this.#waiters[0]; next !== undefined; next = this.#waiters[0]) {
      if (this.#buffered + next.bytes > this.#options.maxBufferedBytes && this.#buffered > 0) break;
      this.#waiters.shift();
      clearTimeout(next.timer);
      this.#buffered += next.bytes;
      next.resolve();
    }
  }

  buffered(backend: DisklessBackend): void {
    if (this.#closed) return;
    const key = backend.location.storeKey;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { key, members: new Set(), timer: null, since: 0, lastStart: 0, inFlight: 0, commitTail: Promise.resolve(), again: false };
      this.#groups.set(key, group);
    }
    if (group.since === 0) group.since = Date.now();
    group.members.add(backend);
    let bytes = 0;
    let records = 0;
    let interval = Number.MAX_SAFE_INTEGER;
    let byteLimit = Number.MAX_SAFE_INTEGER;
    let recordLimit = Number.MAX_SAFE_INTEGER;
    for (const m of group.members) {
      bytes += m.pendingBytes;
      records += m.pendingRecords;
      interval = Math.min(interval, m.config.flushIntervalMs);
      byteLimit = Math.min(byteLimit, m.config.flushBytes);
      if (m.config.flushRecords > 0) recordLimit = Math.min(recordLimit, m.config.flushRecords);
    }
    if (bytes >= byteLimit || records >= recordLimit) {
      this.#flushSoon(group, 0);
      return;
    }
    // On a steady cadence: one interval after the previous flush started, or at once when that is
    // past (data arriving after a quiet spell). Either way no byte waits longer than the interval
    // and a store gets at most one object per interval from the time trigger.
    if (group.timer === null) this.#flushSoon(group, Math.max(0, Math.max(group.lastStart + interval, group.since) - Date.now()));
  }

  forget(backend: DisklessBackend): void {
    this.#groups.get(backend.location.storeKey)?.members.delete(backend);
  }

  /** Flushes what is buffered now and waits for it (tests, shutdown). */
  async flushAll(): Promise<void> {
    // A few rounds: a flush started while the store had MAX_FLUSHES_IN_FLIGHT going waits for the next.
    for (let round = 0; round < 3; round++) {
      const groups = [...this.#groups.values()];
      await Promise.all(groups.map((g) => this.#flush(g)));
      await Promise.all(groups.map((g) => g.commitTail));
    }
  }

  /** Flushes what is buffered (waiting at most `graceMs` for the object store), then stops. */
  async close(graceMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flushAll().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.#closed = true;
    for (const g of this.#groups.values()) if (g.timer !== null) clearTimeout(g.timer);
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  #flushSoon(group: Group, delayMs: number): void {
    if (group.timer !== null) {
      if (delayMs > 0) return;
      clearTimeout(group.timer);
    }
    group.timer = setTimeout(() => {
      group.timer = null;
      void this.#flush(group);
    }, delayMs);
  }

  #flush(group: Group): Promise<void> {
    if (group.inFlight >= MAX_FLUSHES_IN_FLIGHT) {
      group.again = true;
      return group.commitTail;
    }
    group.since = 0;
    group.lastStart = Date.now();
    if (group.timer !== null) {
      clearTimeout(group.timer);
      group.timer = null;
    }
    const parts: { backend: DisklessBackend; slice: BufferedSlice }[] = [];
    for (const backend of group.members) {
      const slice = backend.takeForFlush();
      if (slice !== null) parts.push({ backend, slice });
    }
    group.members.clear();
    if (parts.length === 0) return Promise.resolve();
    group.inFlight++;
    const previous = group.commitTail;
    let committed = (): void => undefined;
    group.commitTail = new Promise<void>((resolve) => (committed = resolve));
    return this.#write(parts, previous)
      .catch((err: unknown) => this.#options.logger.error({ err }, 'diskless flush failed'))
      .finally(() => {
        committed();
        group.inFlight--;
        const again = group.again;
        group.again = false;
        // Partitions that buffered meanwhile registered again (buffered()); re-evaluate the triggers.
        if (again || group.members.size > 0) for (const m of [...group.members]) this.buffered(m);
      });
  }

  async #write(parts: { backend: DisklessBackend; slice: BufferedSlice }[], previous: Promise<void>): Promise<void> {
    const first = parts[0];
    if (first === undefined) return;
    const started = performance.now();
    const store = first.backend.location.store;
    const chunks: Buffer[] = [];
    let placed: { backend: DisklessBackend; entry: ManifestEntry }[] = [];
    let position = 0;
    for (const { backend, slice } of parts) {
      const bytes = slice.chunks.length === 1 && slice.chunks[0] !== undefined ? slice.chunks[0] : Buffer.concat(slice.chunks);
      chunks.push(bytes);
      placed.push({
        backend,
        entry: {
          baseOffset: slice.firstOffset,
          lastOffset: slice.lastOffset,
          objectKey: '',
          format: 'batches',
          position,
          size: bytes.length,
          records: slice.records,
          maxTimestamp: slice.maxTimestamp,
          leaderEpoch: Math.max(0, backend.latestEpoch()),
        },
      });
      position += bytes.length;
    }
    const body = Buffer.concat(chunks, position);
    const newKey = (): string => flushObjectKey(this.#options.nodeId, Date.now(), body.length, randomUUID());
    let objectKey = newKey();
    placed = placed.map((p) => ({ ...p, entry: { ...p.entry, objectKey } }));
    await tracer.startActiveSpan('diskless flush', { attributes: { 'oxbow.diskless.partitions': parts.length, 'oxbow.diskless.bytes': body.length, 'oxbow.object.key': objectKey } }, async (span) => {
      try {
        const upload = async (): Promise<void> => {
          const t = performance.now();
          await this.#retry('upload', () => store.put(objectKey, body, { contentType: 'application/vnd.oxbow.batches' }));
          this.#upload?.record((performance.now() - t) / 1000);
          this.#objects?.add(1);
          this.#bytes?.add(body.length);
        };
        await upload();
        // Commits in flush order: the previous flush may hold earlier slices of the same partitions.
        await previous;
        let uploadedAt = Date.now();
        let remaining = placed;
        while (remaining.length > 0) {
          if (Date.now() - uploadedAt > (this.#options.reuploadAfterMs ?? 300_000)) {
            // The commit took so long that garbage collection may delete the unreferenced object: upload a fresh copy.
            objectKey = newKey();
            await upload();
            uploadedAt = Date.now();
            remaining = remaining.map((p) => ({ ...p, entry: { ...p.entry, objectKey } }));
          }
          const chunk = remaining.slice(0, Math.max(1, Math.min(MAX_MANIFEST_APPENDS, this.#options.maxAppendsPerCommit ?? MAX_MANIFEST_APPENDS)));
          const appends: ManifestAppend[] = chunk.map((p) => ({ topicId: p.backend.topicId, partition: p.backend.partition, expectedNextOffset: p.entry.baseOffset, entry: p.entry }));
          let result: Awaited<ReturnType<ManifestStore['commitObject']>> | null;
          const t = performance.now();
          try {
            result = await this.#retry('commit', () => this.#options.manifests.commitObject(appends), uploadedAt + (this.#options.reuploadAfterMs ?? 300_000));
          } catch (err) {
            if (!isPermanent(err)) throw err;
            // The coordinator refuses this commit outright: these appends can never become durable.
            this.#options.logger.error({ err, partitions: chunk.length }, 'diskless manifest commit refused; buffered appends dropped');
            for (const p of chunk) {
              p.backend.lost(KafkaErrorCode.KAFKA_STORAGE_ERROR, `manifest commit refused: ${(err as Error).message}`);
              this.#options.onLost?.(p.backend);
            }
            remaining = remaining.slice(chunk.length);
            continue;
          }
          this.#commit?.record((performance.now() - t) / 1000);
          if (result === null) continue;
          if (result.ok) {
            this.reader.remember(first.backend.location, objectKey, body, chunk.map((p) => p.entry));
            for (const p of chunk) p.backend.committed(p.entry);
            remaining = remaining.slice(chunk.length);
            continue;
          }
          const conflicted = new Set(result.conflicts.map((c) => `${c.topicId}/${c.partition}`));
          for (const p of chunk) {
            if (!conflicted.has(`${p.backend.topicId}/${p.backend.partition}`)) continue;
            // An earlier attempt that seemed to fail (a timeout) may have committed: then the entry is ours.
            const mine = this.#options.manifests.manifest(p.backend.topicId, p.backend.partition).entries.find((e) => e.baseOffset === p.entry.baseOffset);
            if (mine?.objectKey === p.entry.objectKey && mine.lastOffset === p.entry.lastOffset) {
              p.backend.committed(mine);
              continue;
            }
            this.#options.logger.warn({ topic: p.backend.topic, partition: p.backend.partition }, 'diskless commit conflict: another node took the partition over; buffered appends dropped');
            p.backend.lost(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, 'the partition was taken over by another node before this flush committed');
            this.#options.onLost?.(p.backend);
          }
          remaining = remaining.filter((p) => !conflicted.has(`${p.backend.topicId}/${p.backend.partition}`));
        }
        span.setStatus({ code: SpanStatusCode.OK });
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
        this.#duration?.record((performance.now() - started) / 1000);
      }
    });
  }

  /**
   * Runs `op` until it succeeds (the data must not be dropped), backing off with jitter; stops only
   * at close, or answers null once `giveUpAt` (epoch ms) has passed.
   */
  async #retry<T>(what: string, op: () => Promise<T>): Promise<T>;
  async #retry<T>(what: string, op: () => Promise<T>, giveUpAt: number): Promise<T | null>;
  async #retry<T>(what: string, op: () => Promise<T>, giveUpAt = Number.POSITIVE_INFINITY): Promise<T | null> {
    let delay = this.#options.retryBackoffMs ?? 50;
    let failures = 0;
    for (;;) {
      try {
        const result = await op();
        if (failures > 0) this.#options.logger.info({ what, failures }, 'diskless flush recovered');
        return result;
      } catch (err) {
        if (this.#closed || isPermanent(err)) throw err;
        if (Date.now() >= giveUpAt) return null;
        failures++;
        if (failures === 1 || failures % 20 === 0) this.#options.logger.warn({ err, what, failures }, 'diskless flush step failed; retrying');
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
        delay = Math.min(5000, delay * 2);
      }
    }
  }
}

/** A refusal that retrying cannot change (a malformed or oversized commit). */
function isPermanent(err: unknown): boolean {
  return err instanceof KafkaApiError && err.errorName === 'INVALID_REQUEST';
}
