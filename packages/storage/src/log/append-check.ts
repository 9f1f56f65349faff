import { ProtocolError, scanBatches, type RecordBatchView } from '@oxbow/protocol';
import { StorageError, type AppendBatchesInfo } from './types.js';

/** Structure check of appended batches against what the caller says about them (StorageError `invalid-append`). */
export function checkAppendBatches(batches: Buffer, info: AppendBatchesInfo): RecordBatchView[] {
  let views: RecordBatchView[];
  try {
    views = scanBatches(batches);
  } catch (err) {
    const detail = err instanceof ProtocolError ? err.message : String(err);
    throw new StorageError('invalid-append', `batches are malformed: ${detail}`, { cause: err });
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

/**
 * The AppendBatchesInfo of consecutive batches (at least one), as separate appends would record
 * them: the largest timestamp is the first batch to reach it, at that batch's last offset.
 */
export function appendInfoOf(views: readonly RecordBatchView[]): AppendBatchesInfo {
  const first = views[0];
  const last = views[views.length - 1];
  if (first === undefined || last === undefined) throw new StorageError('invalid-append', 'no batches to append');
  let max = first;
  let recordCount = 0;
  for (const v of views) {
    if (v.maxTimestamp > max.maxTimestamp) max = v;
    recordCount += v.recordsCount;
  }
  return { firstOffset: first.baseOffset, lastOffset: last.lastOffset, maxTimestamp: max.maxTimestamp, offsetOfMaxTimestamp: max.lastOffset, recordCount };
}
