import { decodeControlKey, decodeRecordBatch, type RecordBatchView } from '@oxbow/protocol';
import type { Segment } from './segment.js';
import { StorageError, type LogConfig } from './types.js';

/*
 * What one compaction pass cleans (Kafka's log cleaner):
 * - segments split at the cleaner checkpoint into a clean part (compacted before) and a dirty part;
 * - the dirty part ends before the active segment, before the first segment holding records newer
 *   than min.compaction.lag.ms, and before the first transaction whose outcome (commit/abort
 *   marker) is not in the cleanable range yet, so undecided transactions are never touched;
 * - it runs only when dirty bytes / (clean + dirty bytes) ≥ min.cleanable.dirty.ratio;
 * - the key map holds, per key, the offset of its latest record in the dirty part; aborted
 *   transactional records never enter it.
 */

export interface CleaningPlan {
  /** Every segment to rewrite: the clean part followed by the dirty part. */
  readonly segments: readonly Segment[];
  readonly dirtyCount: number;
  /** Base offsets of aborted transactional data batches (dropped whole). */
  readonly abortedBatches: ReadonlySet<bigint>;
  /** Producer id → base offset of its last data batch in the range (kept, if only as an empty batch, so the producer's sequence survives). */
  readonly lastBatchOfProducer: ReadonlyMap<bigint, bigint>;
  /** Key (latin1 of its bytes) → offset of its latest record in the dirty part. */
  readonly latestOffsetOfKey: ReadonlyMap<string, bigint>;
  /** The cleaner checkpoint once this plan is done: the base offset of the segment after the dirty part. */
  readonly nextDirtyOffset: bigint;
}

/** Key of the key map for a record key. */
export function keyOf(key: Buffer): string {
  return key.toString('latin1');
}

/** `segments` includes the active segment (last), which is never cleaned. Null when there is nothing worth cleaning. */
export async function planCleaning(segments: readonly Segment[], firstDirtyOffset: bigint, nowMs: number, config: LogConfig): Promise<CleaningPlan | null> {
  const endOf = (i: number): bigint => segments[i + 1]?.baseOffset ?? segments[i]?.nextOffset ?? 0n;
  const candidates = segments.slice(0, -1);
  const firstDirty = candidates.findIndex((_, i) => endOf(i) > firstDirtyOffset);
  if (firstDirty < 0) return null;
  const lagHorizon = nowMs - config.minCompactionLagMs;
  let dirtyEnd = firstDirty;
  while (dirtyEnd < candidates.length) {
    const s = candidates[dirtyEnd] as Segment;
    const newest = s.largestTimestamp >= 0n ? Number(s.largestTimestamp) : s.lastModifiedMs;
    if (newest > lagHorizon) break;
    dirtyEnd++;
  }
  if (dirtyEnd === firstDirty) return null;

  const txn = await scanTransactions(candidates.slice(0, dirtyEnd));
  if (txn.firstUndecided !== null) {
    const undecided = txn.firstUndecided;
    while (dirtyEnd > firstDirty && endOf(dirtyEnd - 1) > undecided) dirtyEnd--;
    if (dirtyEnd === firstDirty) return null;
  }
  const cleanBytes = candidates.slice(0, firstDirty).reduce((n, s) => n + s.size, 0);
  const dirtyBytes = candidates.slice(firstDirty, dirtyEnd).reduce((n, s) => n + s.size, 0);
  if (dirtyBytes === 0 || dirtyBytes / (cleanBytes + dirtyBytes) < config.minCleanableDirtyRatio) return null;

  const latestOffsetOfKey = new Map<string, bigint>();
  for (const seg of candidates.slice(firstDirty, dirtyEnd)) {
    await forEachBatch(seg, true, async (batch) => {
      if (batch.isControl || txn.aborted.has(batch.baseOffset)) return;
      for (const r of (await decodeRecordBatch(batch)).records) {
        if (r.key !== null) latestOffsetOfKey.set(keyOf(r.key), r.offset);
      }
    });
  }
  return {
    segments: candidates.slice(0, dirtyEnd),
    dirtyCount: dirtyEnd - firstDirty,
    abortedBatches: txn.aborted,
    lastBatchOfProducer: txn.lastBatchOfProducer,
    latestOffsetOfKey,
    nextDirtyOffset: endOf(dirtyEnd - 1),
  };
}

/** Runs `fn` on every batch of `seg` (whole batches, CRC-checked, when `whole`); a damaged segment is a StorageError. */
export async function forEachBatch(seg: Segment, whole: boolean, fn: (batch: RecordBatchView, position: number) => Promise<void> | void): Promise<void> {
  const scanner = seg.scanner(0, whole, whole);
  for (let v = await scanner.next(); v !== null; v = await scanner.next()) await fn(v, scanner.position);
  const stop = scanner.stop;
  if (stop !== null && stop.reason !== 'end') throw new StorageError('corrupt', `${seg.path} at ${stop.position}: ${stop.detail}`);
}

interface TransactionScan {
  readonly aborted: Set<bigint>;
  readonly lastBatchOfProducer: Map<bigint, bigint>;
  /** Base offset of the first transactional batch whose marker was not found. */
  readonly firstUndecided: bigint | null;
}

/** Pairs transactional data batches with their commit/abort markers. */
async function scanTransactions(segments: readonly Segment[]): Promise<TransactionScan> {
  const open = new Map<bigint, bigint[]>();
  const aborted = new Set<bigint>();
  const lastBatchOfProducer = new Map<bigint, bigint>();
  for (const seg of segments) {
    await forEachBatch(seg, false, async (batch, position) => {
      const pid = batch.producerId;
      if (!batch.isControl) {
        if (pid >= 0n) lastBatchOfProducer.set(pid, batch.baseOffset);
        if (batch.isTransactional) open.set(pid, [...(open.get(pid) ?? []), batch.baseOffset]);
        return;
      }
      if (!batch.isTransactional) return;
      const whole = await seg.readBatch(position, batch.size);
      for (const r of (await decodeRecordBatch(whole)).records) {
        const { type } = decodeControlKey(r.key);
        if (type === 'abort') for (const b of open.get(pid) ?? []) aborted.add(b);
        if (type === 'abort' || type === 'commit') open.delete(pid);
      }
    });
  }
  let firstUndecided: bigint | null = null;
  for (const batches of open.values()) {
    const first = batches[0];
    if (first !== undefined && (firstUndecided === null || first < firstUndecided)) firstUndecided = first;
  }
  return { aborted, lastBatchOfProducer, firstUndecided };
}
