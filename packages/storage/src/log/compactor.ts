import { decodeRecordBatch, encodeRecordBatch, scanBatches, type KafkaRecord, type RecordBatch, type RecordBatchView } from '@oxbow/protocol';
import { forEachBatch, keyOf, planCleaning, type CleaningPlan } from './compaction-plan.js';
import { CLEANED_SUFFIX, LOG_SUFFIX, SWAP_SUFFIX } from './file-names.js';
import { fsyncDir } from './log-file.js';
import { Segment, type SegmentEnv } from './segment.js';
import type { CompactionStats, LogConfig } from './types.js';

/*
 * Rewrites the segments of a CleaningPlan (Kafka's log cleaner semantics):
 * - a record survives unless a later record with the same key exists in the dirty part; records
 *   with a null key always survive;
 * - a surviving tombstone (null value) is dropped once its timestamp is older than
 *   delete.retention.ms;
 * - aborted transactional batches are dropped whole; control batches (transaction markers) are
 *   copied unchanged;
 * - a batch that loses no record is copied byte for byte; one that loses some is re-encoded with its
 *   original base offset, offset deltas, timestamps, last offset delta, producer id/epoch/sequence,
 *   partition leader epoch, attributes and compression; one that loses all is dropped, unless it is
 *   its producer's last batch, which is kept empty so the producer's sequence survives;
 * - consecutive segments are merged while the result fits segment.bytes.
 * Output goes to `{base}.log.cleaned` scratch files; swapCleanedGroup puts one in place.
 */

/** Originals (consecutive segments) and the scratch segment that replaces them. */
export interface CleanedGroup {
  readonly originals: readonly Segment[];
  readonly cleaned: Segment;
}

const INT32_MAX = 0x7fffffff;
const WRITE_CHUNK = 1 << 20;
const NOTHING: CompactionStats = { segmentsRewritten: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };

/** One compaction pass over a snapshot of the log's segments. */
export interface CompactionRun {
  readonly env: SegmentEnv;
  readonly config: LogConfig;
  readonly nowMs: number;
  /** All segments, oldest first; the last (active) one is never cleaned. */
  readonly segments: readonly Segment[];
  readonly firstDirtyOffset: bigint;
  /**
   * Puts the cleaned groups in place (under the log's lock); false when the log changed meanwhile
   * (then the output is discarded).
   */
  readonly commit: (plan: CleaningPlan, groups: readonly CleanedGroup[]) => Promise<boolean>;
}

/** Plans, cleans and commits; stats are zero when nothing was worth cleaning or the commit was refused. */
export async function runCompaction(run: CompactionRun): Promise<CompactionStats> {
  const plan = await planCleaning(run.segments, run.firstDirtyOffset, run.nowMs, run.config);
  if (plan === null) return NOTHING;
  const { groups, stats } = await cleanSegments(plan, run.env, run.config, run.nowMs);
  let committed = false;
  try {
    committed = await run.commit(plan, groups);
  } finally {
    if (!committed) for (const g of groups) await g.cleaned.discard();
  }
  return committed ? stats : NOTHING;
}

export async function cleanSegments(plan: CleaningPlan, env: SegmentEnv, config: LogConfig, nowMs: number): Promise<{ groups: CleanedGroup[]; stats: CompactionStats }> {
  const tombstoneHorizon = BigInt(nowMs - config.deleteRetentionMs);
  const groups: CleanedGroup[] = [];
  let recordsRemoved = 0;
  let bytesBefore = 0;
  let bytesAfter = 0;
  try {
    for (const originals of groupSegments(plan.segments, config.segmentBytes)) {
      const first = originals[0];
      if (first === undefined) continue;
      const cleaned = await Segment.create(env, first.baseOffset, nowMs, LOG_SUFFIX + CLEANED_SUFFIX);
      groups.push({ originals, cleaned });
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const write = async (): Promise<void> => {
        if (pending.length === 0) return;
        const bytes = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        const views = scanBatches(bytes);
        await cleaned.append(views, bytes, { intervalBytes: config.indexIntervalBytes, sync: false, nowMs, maxTimestamp: -1n, offsetOfMaxTimestamp: -1n });
      };
      for (const seg of originals) {
        bytesBefore += seg.size;
        await forEachBatch(seg, true, async (batch) => {
          const out = await cleanBatch(batch, plan, tombstoneHorizon);
          recordsRemoved += out.removed;
          if (out.bytes === null) return;
          pending.push(out.bytes);
          pendingBytes += out.bytes.length;
          if (pendingBytes >= WRITE_CHUNK) await write();
        });
      }
      await write();
      await cleaned.sealScratch();
      bytesAfter += cleaned.size;
    }
  } catch (err) {
    for (const g of groups) await g.cleaned.discard();
    throw err;
  }
  return { groups, stats: { segmentsRewritten: plan.segments.length, recordsRemoved, bytesBefore, bytesAfter } };
}

/**
 * Puts a cleaned segment in place of its originals: `.cleaned` → `.swap` (from here recovery
 * finishes the swap), originals renamed `.deleted` (unlinked after `deleteDelayMs`), `.swap` →
 * `.log`, then its indexes written.
 */
export async function swapCleanedGroup(env: SegmentEnv, group: CleanedGroup, deleteOriginal: (s: Segment) => Promise<void>): Promise<void> {
  await group.cleaned.renameLog(LOG_SUFFIX + SWAP_SUFFIX);
  await fsyncDir(env.dir);
  for (const original of group.originals) await deleteOriginal(original);
  await group.cleaned.renameLog(LOG_SUFFIX);
  await group.cleaned.persistIndexes();
}

/** Consecutive segments whose total size fits `maxBytes` and whose offsets fit int32 of the first base. */
function groupSegments(segments: readonly Segment[], maxBytes: number): Segment[][] {
  const groups: Segment[][] = [];
  let current: Segment[] = [];
  let size = 0;
  for (const s of segments) {
    const first = current[0];
    if (first !== undefined && (size + s.size > maxBytes || s.nextOffset - first.baseOffset > BigInt(INT32_MAX))) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(s);
    size += s.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function cleanBatch(batch: RecordBatchView, plan: CleaningPlan, tombstoneHorizon: bigint): Promise<{ bytes: Buffer | null; removed: number }> {
  if (batch.isControl) return { bytes: batch.bytes(), removed: 0 };
  if (plan.abortedBatches.has(batch.baseOffset)) return { bytes: null, removed: batch.recordsCount };
  const decoded = await decodeRecordBatch(batch, { verifyCrc: false });
  const kept = decoded.records.filter((r) => {
    if (r.key === null) return true;
    const latest = plan.latestOffsetOfKey.get(keyOf(r.key));
    if (latest !== undefined && r.offset < latest) return false;
    return !(r.value === null && r.timestamp < tombstoneHorizon);
  });
  const removed = decoded.records.length - kept.length;
  const lastOfProducer = batch.producerId >= 0n && plan.lastBatchOfProducer.get(batch.producerId) === batch.baseOffset;
  if (kept.length === 0 && !lastOfProducer) return { bytes: null, removed };
  if (removed === 0) return { bytes: batch.bytes(), removed };
  return { bytes: await reencode(decoded, kept), removed };
}

/** The batch with only `kept`, every other field as it was. */
async function reencode(b: RecordBatch, kept: readonly KafkaRecord[]): Promise<Buffer> {
  const logAppendTime = b.timestampType === 'log-append-time';
  const maxTimestamp = logAppendTime || kept.length === 0 ? b.maxTimestamp : kept.reduce((m, r) => (r.timestamp > m ? r.timestamp : m), -1n);
  return encodeRecordBatch({
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    compression: b.compression,
    timestampType: b.timestampType,
    transactional: b.transactional,
    control: false,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    baseTimestamp: b.baseTimestamp,
    maxTimestamp,
    lastOffsetDelta: b.lastOffsetDelta,
    records: kept.map((r) => ({ offsetDelta: Number(r.offset - b.baseOffset), timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
  });
}
