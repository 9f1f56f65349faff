import { parquetMetadata, parquetReadObjects, type AsyncBuffer, type FileMetaData, type ParquetRow } from 'hyparquet';
import { crc32c, encodeRecordBatch, compressionName, ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_LOG_APPEND_TIME, ATTR_TRANSACTIONAL, type CompressionName, type RecordInput } from '@oxbow/protocol';
import type { BatchHeader, EmptyBatchEntry } from './columns.js';
import { hyparquetDecompressors } from './compression.js';
import { ParquetCodecError } from './errors.js';
import { decodeIndexMetadata } from './file-index.js';
import { PARQUET_COLUMNS as C } from './schema.js';
import type { ParquetDecodeOptions, ParquetDecodeResult, ParquetInput } from './types.js';

/** Reads only from the fetched ranges; a read outside them is MISSING_RANGE. */
class RangesBuffer implements AsyncBuffer {
  readonly byteLength: number;
  readonly #ranges: readonly { readonly offset: number; readonly bytes: Buffer }[];

  constructor(fileSize: number, ranges: readonly { readonly offset: number; readonly bytes: Buffer }[]) {
    this.byteLength = fileSize;
    this.#ranges = ranges;
  }

  has(start: number, end: number): boolean {
    return this.#ranges.some((r) => r.offset <= start && end <= r.offset + r.bytes.length);
  }

  slice(start: number, end = this.byteLength): ArrayBuffer {
    for (const r of this.#ranges) {
      if (r.offset <= start && end <= r.offset + r.bytes.length) return toArrayBuffer(r.bytes.subarray(start - r.offset, end - r.offset));
    }
    throw new ParquetCodecError('MISSING_RANGE', `bytes ${start}-${end} of the file were not fetched`);
  }
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Opens the input: whole file or fetched ranges (which must include the footer). */
export function openInput(input: ParquetInput): { file: RangesBuffer; metadata: FileMetaData } {
  const file = Buffer.isBuffer(input) ? new RangesBuffer(input.length, [{ offset: 0, bytes: input }]) : new RangesBuffer(input.fileSize, input.ranges);
  const size = file.byteLength;
  if (size < 12 || !file.has(size - 8, size)) throw new ParquetCodecError('MISSING_RANGE', 'the footer of the file was not fetched');
  const tail = Buffer.from(file.slice(size - 8, size));
  if (tail.toString('latin1', 4) !== 'PAR1') throw new ParquetCodecError('CORRUPT_FILE', 'not a Parquet file (no PAR1 trailer)');
  const footerStart = size - 8 - tail.readUInt32LE(0);
  if (footerStart < 4 || !file.has(footerStart, size)) throw new ParquetCodecError('MISSING_RANGE', 'the footer of the file was not fetched whole');
  try {
    // parquetMetadata reads the footer from the end of the buffer it is given.
    return { file, metadata: parquetMetadata(file.slice(footerStart, size)) };
  } catch (error) {
    throw new ParquetCodecError('CORRUPT_FILE', `Parquet footer does not parse: ${(error as Error).message}`, { cause: error });
  }
}

const ROW_COLUMNS = [C.offset, C.key, C.value, C.headers, C.createTimestamp, C.timestamp, C.batchBaseOffset, C.batchLastOffsetDelta, C.batchAttributes, C.batchPartitionLeaderEpoch, C.batchBaseTimestamp, C.batchMaxTimestamp, C.producerId, C.producerEpoch, C.batchBaseSequence];

interface PendingBatch {
  readonly header: BatchHeader;
  readonly records: RecordInput[];
}

/** Decodes record batches from an Oxbow Parquet file: see {@link ParquetCodec.decode}. */
export async function decodeParquet(input: ParquetInput, fromOffset: bigint, maxBytes: number, options: ParquetDecodeOptions = {}): Promise<ParquetDecodeResult> {
  const { file, metadata } = openInput(input);
  const index = decodeIndexMetadata(metadata);
  const override = options.batchCompression ?? 'original';
  const out: Buffer[] = [];
  let total = 0;
  let nextOffset = fromOffset;
  let full = false;

  const emit = async (header: BatchHeader, records: readonly RecordInput[]): Promise<void> => {
    if (header.baseOffset + BigInt(header.lastOffsetDelta) < fromOffset) return;
    const bytes = await rebuildBatch(header, records, override);
    if (out.length > 0 && total + bytes.length > maxBytes) {
      full = true;
      return;
    }
    out.push(bytes);
    total += bytes.length;
    nextOffset = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
  };
  const emitEmpty = async (rowGroup: number): Promise<void> => {
    for (const e of index.emptyBatches) if (e.rowGroup === rowGroup && !full) await emit(e, []);
  };

  let rowStart = 0;
  let stopped = false;
  for (let g = 0; g < index.rowGroups.length && !full; g++) {
    const group = index.rowGroups[g];
    const rg = metadata.row_groups[g];
    if (group === undefined || rg === undefined) break;
    const groupRows = Number(rg.num_rows);
    const rowEnd = rowStart + groupRows;
    if (group.lastOffset < fromOffset) {
      // Its rows are all before `fromOffset`, but an empty batch stored after them may not be
      // (compaction keeps record-less batches for their offsets): `emit` skips the earlier ones.
      await emitEmpty(g);
      rowStart = rowEnd;
      continue;
    }
    if (out.length > 0 && !rowGroupFetched(file, metadata, g)) {
      stopped = true; // the caller fetched no further: return what we have
      break;
    }
    const rows = await readRows(file, metadata, rowStart, rowEnd);
    await emitRowGroup(rows, index.emptyBatches.filter((e) => e.rowGroup === g), emit, () => full);
    rowStart = rowEnd;
  }
  if (!full && !stopped) await emitEmpty(index.rowGroups.length);
  const lastBatchEnd = lastOffsetOfFile(index.rowGroups, index.emptyBatches);
  return { batches: Buffer.concat(out, total), batchCount: out.length, nextOffset, endOfFile: !full && !stopped && nextOffset > lastBatchEnd };
}

function lastOffsetOfFile(groups: readonly { lastOffset: bigint }[], empty: readonly EmptyBatchEntry[]): bigint {
  let last = -1n;
  for (const g of groups) if (g.lastOffset > last) last = g.lastOffset;
  for (const e of empty) {
    const end = e.baseOffset + BigInt(e.lastOffsetDelta);
    if (end > last) last = end;
  }
  return last;
}

function rowGroupFetched(file: RangesBuffer, metadata: FileMetaData, g: number): boolean {
  const rg = metadata.row_groups[g];
  if (rg === undefined) return false;
  return rg.columns.every((col) => {
    const md = col.meta_data;
    if (md === undefined) return false;
    const start = Number(md.dictionary_page_offset !== undefined && md.dictionary_page_offset > 0n ? md.dictionary_page_offset : md.data_page_offset);
    return file.has(start, start + Number(md.total_compressed_size));
  });
}

async function readRows(file: RangesBuffer, metadata: FileMetaData, rowStart: number, rowEnd: number): Promise<ParquetRow[]> {
  try {
    return await parquetReadObjects({
      file,
      metadata,
      rowStart,
      rowEnd,
      columns: ROW_COLUMNS,
      utf8: false,
      compressors: hyparquetDecompressors(),
      // Keep INT64 timestamps as exact bigint milliseconds rather than Dates.
      parsers: { timestampFromMilliseconds: (millis: bigint) => millis },
    });
  } catch (error) {
    if (error instanceof ParquetCodecError) throw error;
    throw new ParquetCodecError('CORRUPT_FILE', `rows ${rowStart}-${rowEnd} do not decode: ${(error as Error).message}`, { cause: error });
  }
}

/** Groups a row group's rows into batches (rows of one batch are contiguous) and emits them in offset order. */
async function emitRowGroup(
  rows: readonly ParquetRow[],
  empty: readonly EmptyBatchEntry[],
  emit: (header: BatchHeader, records: readonly RecordInput[]) => Promise<void>,
  isFull: () => boolean,
): Promise<void> {
  let pending: PendingBatch | undefined;
  let e = 0;
  const flush = async (): Promise<void> => {
    if (pending === undefined) return;
    const p = pending;
    pending = undefined;
    while (e < empty.length && (empty[e]?.baseOffset ?? 0n) < p.header.baseOffset && !isFull()) await emit(empty[e++] as EmptyBatchEntry, []);
    if (!isFull()) await emit(p.header, p.records);
  };
  for (const row of rows) {
    const base = row[C.batchBaseOffset] as bigint;
    if (pending === undefined || pending.header.baseOffset !== base) {
      await flush();
      if (isFull()) return;
      pending = { header: headerOfRow(row, base), records: [] };
    }
    const offset = row[C.offset] as bigint;
    const createTs = row[C.createTimestamp] as bigint | null | undefined;
    pending.records.push({
      offsetDelta: Number(offset - base),
      timestamp: createTs ?? (row[C.timestamp] as bigint),
      key: asBuffer(row[C.key]),
      value: asBuffer(row[C.value]),
      headers: ((row[C.headers] as { key: Uint8Array | string; value: Uint8Array | null }[] | null) ?? []).map((h) => ({
        key: typeof h.key === 'string' ? h.key : Buffer.from(h.key).toString('utf8'),
        value: asBuffer(h.value),
      })),
    });
  }
  await flush();
  while (e < empty.length && !isFull()) await emit(empty[e++] as EmptyBatchEntry, []);
}

function headerOfRow(row: ParquetRow, base: bigint): BatchHeader {
  return {
    baseOffset: base,
    lastOffsetDelta: row[C.batchLastOffsetDelta] as number,
    attributes: row[C.batchAttributes] as number,
    partitionLeaderEpoch: row[C.batchPartitionLeaderEpoch] as number,
    baseTimestamp: row[C.batchBaseTimestamp] as bigint,
    maxTimestamp: row[C.batchMaxTimestamp] as bigint,
    producerId: row[C.producerId] as bigint,
    producerEpoch: row[C.producerEpoch] as number,
    baseSequence: row[C.batchBaseSequence] as number,
  };
}

function asBuffer(v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new ParquetCodecError('CORRUPT_FILE', `expected bytes, found ${typeof v}`);
}

/** Re-encodes one batch with its stored header (CRC recomputed; compression as asked). */
export async function rebuildBatch(header: BatchHeader, records: readonly RecordInput[], override: CompressionName | 'original'): Promise<Buffer> {
  const compression = override === 'original' ? compressionName(header.attributes & ATTR_COMPRESSION_MASK) : override;
  const batch = await encodeRecordBatch({
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression,
    timestampType: (header.attributes & ATTR_LOG_APPEND_TIME) !== 0 ? 'log-append-time' : 'create-time',
    transactional: (header.attributes & ATTR_TRANSACTIONAL) !== 0,
    control: (header.attributes & ATTR_CONTROL) !== 0,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    lastOffsetDelta: header.lastOffsetDelta,
    records,
  });
  // Attribute bits encodeRecordBatch does not set (e.g. delete horizon) are restored as stored.
  const rebuilt = batch.readInt16BE(21);
  const wanted = (header.attributes & ~ATTR_COMPRESSION_MASK) | (rebuilt & ATTR_COMPRESSION_MASK);
  if (rebuilt !== wanted) {
    batch.writeInt16BE(wanted, 21);
    batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  }
  return batch;
}
