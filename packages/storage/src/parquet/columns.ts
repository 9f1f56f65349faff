import { ATTR_LOG_APPEND_TIME, decodeRecordBatch, scanBatches, type RecordBatchView } from '@oxbow/protocol';
import { ParquetCodecError } from './errors.js';
import { TIMESTAMP_TYPE_ID } from './schema.js';

/** A record header as stored in the `headers` list. */
export interface HeaderCell {
  readonly key: string;
  readonly value: Uint8Array | null;
}

/** Batch header fields (the `batch_*` columns, and the footer entries of batches without records). */
export interface BatchHeader {
  readonly baseOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly partitionLeaderEpoch: number;
  readonly baseTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

/** A batch without records (compaction can leave one to keep producer state); stored in the footer. */
export interface EmptyBatchEntry extends BatchHeader {
  /** Index of the row group it sits before (row group count when it follows them all). */
  readonly rowGroup: number;
}

/** The records of a run of batches, column by column (row i of every array is record i). */
export interface RecordColumns {
  rows: number;
  readonly offset: bigint[];
  readonly timestamp: bigint[];
  readonly timestampType: number[];
  readonly key: (Uint8Array | null)[];
  readonly value: (Uint8Array | null)[];
  readonly headers: HeaderCell[][];
  readonly producerId: bigint[];
  readonly producerEpoch: number[];
  readonly sequence: number[];
  readonly isTransactional: boolean[];
  readonly isControl: boolean[];
  readonly createTimestamp: (bigint | null)[];
  readonly batchBaseOffset: bigint[];
  readonly batchLastOffsetDelta: number[];
  readonly batchAttributes: number[];
  readonly batchPartitionLeaderEpoch: number[];
  readonly batchBaseTimestamp: bigint[];
  readonly batchMaxTimestamp: bigint[];
  readonly batchBaseSequence: number[];
}

/** A row group as planned: rows [rowStart, rowStart + rows), batches aligned. */
export interface PlannedRowGroup {
  readonly rowStart: number;
  readonly rows: number;
  readonly batches: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
}

export interface ColumnarBatches {
  readonly columns: RecordColumns;
  readonly rowGroups: PlannedRowGroup[];
  readonly emptyBatches: EmptyBatchEntry[];
  readonly batchCount: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly minTimestamp: bigint;
  readonly maxTimestamp: bigint;
}

const INT32_MAX = 0x7fffffff;

/** Kafka's sequence of the record at `offsetDelta` in a batch (wraps past INT32_MAX, -1 stays -1). */
export function recordSequence(baseSequence: number, offsetDelta: number): number {
  if (baseSequence < 0) return -1;
  const s = baseSequence + offsetDelta;
  return s > INT32_MAX ? s - INT32_MAX - 1 : s;
}

function emptyColumns(): RecordColumns {
  return {
    rows: 0,
    offset: [],
    timestamp: [],
    timestampType: [],
    key: [],
    value: [],
    headers: [],
    producerId: [],
    producerEpoch: [],
    sequence: [],
    isTransactional: [],
    isControl: [],
    createTimestamp: [],
    batchBaseOffset: [],
    batchLastOffsetDelta: [],
    batchAttributes: [],
    batchPartitionLeaderEpoch: [],
    batchBaseTimestamp: [],
    batchMaxTimestamp: [],
    batchBaseSequence: [],
  };
}

function headerOf(view: RecordBatchView): BatchHeader {
  return {
    baseOffset: view.baseOffset,
    lastOffsetDelta: view.lastOffsetDelta,
    attributes: view.attributes,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    baseTimestamp: view.baseTimestamp,
    maxTimestamp: view.maxTimestamp,
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
  };
}

/**
 * Decodes concatenated v2 record batches (one partition, increasing offsets) into columns and plans
 * row groups of about `rowGroupBytes` uncompressed record bytes, each ending on a batch boundary.
 */
export async function batchesToColumns(input: Buffer, rowGroupBytes: number, verifyCrc: boolean): Promise<ColumnarBatches> {
  let views: RecordBatchView[];
  try {
    views = scanBatches(input, { verifyCrc });
  } catch (error) {
    throw new ParquetCodecError('INVALID_INPUT', `record batches do not parse: ${(error as Error).message}`, { cause: error });
  }
  const first = views[0];
  const last = views[views.length - 1];
  if (first === undefined || last === undefined) throw new ParquetCodecError('INVALID_INPUT', 'no record batches to encode');

  const c = emptyColumns();
  const rowGroups: PlannedRowGroup[] = [];
  const emptyBatches: EmptyBatchEntry[] = [];
  let groupStartRow = 0;
  let groupBatches = 0;
  let groupBytes = 0;
  let groupFirst = 0n;
  let groupLast = 0n;
  let previousLast = -1n;
  let minTs: bigint | undefined;
  let maxTs: bigint | undefined;

  for (const view of views) {
    const header = headerOf(view);
    const batchLast = view.lastOffset;
    if (header.baseOffset <= previousLast && previousLast >= 0n) {
      throw new ParquetCodecError('INVALID_INPUT', `batch at offset ${header.baseOffset} follows one ending at ${previousLast}: batches must be in increasing offset order`);
    }
    previousLast = batchLast;
    const logAppend = view.timestampType === 'log-append-time';
    let batch;
    try {
      // A LogAppendTime batch's records report the batch's max timestamp; the producer's own
      // timestamps stay in the bytes (create_timestamp), so decode a copy with the bit cleared.
      batch = await decodeRecordBatch(logAppend ? withoutLogAppendBit(view) : view, { verifyCrc: false });
    } catch (error) {
      throw new ParquetCodecError('INVALID_INPUT', `batch at offset ${header.baseOffset} does not decode: ${(error as Error).message}`, { cause: error });
    }
    if (batch.records.length === 0) {
      emptyBatches.push({ ...header, rowGroup: rowGroups.length });
      continue;
    }
    const typeId = logAppend ? TIMESTAMP_TYPE_ID['log-append-time'] : TIMESTAMP_TYPE_ID['create-time'];
    const transactional = view.isTransactional;
    const control = view.isControl;
    let plainBytes = 61;
    for (const rec of batch.records) {
      const offsetDelta = Number(rec.offset - header.baseOffset);
      const visible = logAppend ? header.maxTimestamp : rec.timestamp;
      c.offset.push(rec.offset);
      c.timestamp.push(visible);
      c.timestampType.push(typeId);
      c.key.push(rec.key);
      c.value.push(rec.value);
      let headers: HeaderCell[] = NO_HEADERS;
      if (rec.headers.length > 0) {
        headers = rec.headers.map((h) => ({ key: h.key, value: h.value }));
        for (const h of rec.headers) plainBytes += 4 + h.key.length + (h.value?.length ?? 0);
      }
      c.headers.push(headers);
      c.producerId.push(header.producerId);
      c.producerEpoch.push(header.producerEpoch);
      c.sequence.push(recordSequence(header.baseSequence, offsetDelta));
      c.isTransactional.push(transactional);
      c.isControl.push(control);
      c.createTimestamp.push(logAppend ? rec.timestamp : null);
      c.batchBaseOffset.push(header.baseOffset);
      c.batchLastOffsetDelta.push(header.lastOffsetDelta);
      c.batchAttributes.push(header.attributes);
      c.batchPartitionLeaderEpoch.push(header.partitionLeaderEpoch);
      c.batchBaseTimestamp.push(header.baseTimestamp);
      c.batchMaxTimestamp.push(header.maxTimestamp);
      c.batchBaseSequence.push(header.baseSequence);
      plainBytes += 12 + (rec.key?.length ?? 0) + (rec.value?.length ?? 0);
      if (minTs === undefined || visible < minTs) minTs = visible;
      if (maxTs === undefined || visible > maxTs) maxTs = visible;
    }
    if (groupBatches === 0) groupFirst = header.baseOffset;
    groupLast = batchLast;
    groupBatches++;
    groupBytes += plainBytes;
    c.rows += batch.records.length;
    if (groupBytes >= rowGroupBytes) {
      rowGroups.push({ rowStart: groupStartRow, rows: c.rows - groupStartRow, batches: groupBatches, firstOffset: groupFirst, lastOffset: groupLast });
      groupStartRow = c.rows;
      groupBatches = 0;
      groupBytes = 0;
    }
  }
  if (groupBatches > 0) {
    rowGroups.push({ rowStart: groupStartRow, rows: c.rows - groupStartRow, batches: groupBatches, firstOffset: groupFirst, lastOffset: groupLast });
  }
  return {
    columns: c,
    rowGroups,
    emptyBatches,
    batchCount: views.length,
    firstOffset: first.baseOffset,
    lastOffset: last.lastOffset,
    minTimestamp: minTs ?? -1n,
    maxTimestamp: maxTs ?? -1n,
  };
}

const NO_HEADERS: HeaderCell[] = [];

/** A copy of the batch with the LogAppendTime attribute cleared (CRC not recomputed: not verified). */
function withoutLogAppendBit(view: RecordBatchView): Buffer {
  const copy = Buffer.from(view.bytes());
  copy.writeInt16BE(view.attributes & ~ATTR_LOG_APPEND_TIME, 21);
  return copy;
}
