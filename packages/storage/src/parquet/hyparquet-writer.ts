import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnarBatches } from './columns.js';
import { hyparquetCompressors, PARQUET_CODEC_NAME } from './compression.js';
import { encodeIndexMetadata } from './file-index.js';
import { OXBOW_INDEX_METADATA_KEY, PARQUET_COLUMNS as C, PARQUET_SCHEMA_ELEMENTS } from './schema.js';
import type { ParquetCompression } from './types.js';

type WriteOptions = Parameters<typeof parquetWriteBuffer>[0];

/** Columns whose min/max statistics are worth their cost (offset and time pruning by lake readers). */
const WITH_STATISTICS = new Set<string>([C.offset, C.timestamp, C.batchBaseOffset, C.producerId]);

/**
 * Writes the columns with hyparquet-writer (pure JS, columnar: it encodes each column array in one
 * pass, with exact int64 through bigint). Row group sizes are given exactly, so row groups end on
 * batch boundaries as planned.
 */
export function writeWithHyparquet(data: ColumnarBatches, compression: ParquetCompression, createdBy: string): Buffer {
  const c = data.columns;
  const column = (name: string, values: unknown[]): WriteOptions['columnData'][number] => ({
    name,
    data: values as WriteOptions['columnData'][number]['data'],
    statistics: WITH_STATISTICS.has(name),
  });
  const columnData: WriteOptions['columnData'] = [
    column(C.offset, c.offset),
    column(C.timestamp, c.timestamp),
    column(C.timestampType, c.timestampType),
    column(C.key, c.key),
    column(C.value, c.value),
    column(C.headers, c.headers),
    column(C.producerId, c.producerId),
    column(C.producerEpoch, c.producerEpoch),
    column(C.sequence, c.sequence),
    column(C.isTransactional, c.isTransactional),
    column(C.isControl, c.isControl),
    column(C.createTimestamp, c.createTimestamp),
    column(C.batchBaseOffset, c.batchBaseOffset),
    column(C.batchLastOffsetDelta, c.batchLastOffsetDelta),
    column(C.batchAttributes, c.batchAttributes),
    column(C.batchPartitionLeaderEpoch, c.batchPartitionLeaderEpoch),
    column(C.batchBaseTimestamp, c.batchBaseTimestamp),
    column(C.batchMaxTimestamp, c.batchMaxTimestamp),
    column(C.batchBaseSequence, c.batchBaseSequence),
  ];
  const sizes = data.rowGroups.map((g) => g.rows);
  const out = parquetWriteBuffer({
    columnData,
    schema: PARQUET_SCHEMA_ELEMENTS as unknown as WriteOptions['schema'],
    codec: PARQUET_CODEC_NAME[compression],
    compressors: hyparquetCompressors(),
    // An exact size per row group; the last size repeats, so a trailing 0 can never split a group.
    rowGroupSize: sizes.length === 0 ? [1] : [...sizes, Number.MAX_SAFE_INTEGER],
    kvMetadata: [{ key: OXBOW_INDEX_METADATA_KEY, value: encodeIndexMetadata(data.rowGroups, data.emptyBatches) }],
    createdBy,
  });
  return Buffer.from(out);
}
