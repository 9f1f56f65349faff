import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type { ColumnarBatches } from './columns.js';
import { PARQUET_CODEC_NAME } from './compression.js';
import { encodeIndexMetadata } from './file-index.js';
import { OXBOW_INDEX_METADATA_KEY, PARQUET_COLUMNS as C } from './schema.js';
import type { ParquetCompression } from './types.js';

/* parquetjs-lite is CommonJS without types: the little of it used here, typed. */
interface LiteWriter {
  appendRow(row: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
  setMetadata(key: string, value: string): void;
  setRowGroupSize(rows: number): void;
}
interface LiteModule {
  ParquetSchema: new (fields: Record<string, unknown>) => unknown;
  ParquetWriter: { openStream(schema: unknown, out: Writable, opts?: Record<string, unknown>): Promise<LiteWriter> };
}
interface LiteTypes {
  PARQUET_LOGICAL_TYPES: Record<string, { toPrimitive: (v: unknown) => unknown }>;
}

const require = createRequire(import.meta.url);
let lite: LiteModule | undefined;
const schemas = new Map<ParquetCompression, unknown>();

/**
 * Loads parquetjs-lite with exact int64: its INT64 and TIMESTAMP_MILLIS conversions go through
 * parseInt (rounding above 2^53, rejecting negative timestamps), so they are replaced by BigInt,
 * which its INT64 encoder already writes exactly. This patches the module's type table for the
 * whole thread; the pool's workers are the only users.
 */
function load(compression: ParquetCompression): { lite: LiteModule; schema: unknown } {
  if (lite === undefined) {
    lite = require('parquetjs-lite') as LiteModule;
    const types = require('parquetjs-lite/lib/types') as LiteTypes;
    const toBigInt = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number | string));
    const int64 = types.PARQUET_LOGICAL_TYPES.INT64;
    const tsMillis = types.PARQUET_LOGICAL_TYPES.TIMESTAMP_MILLIS;
    if (int64 !== undefined) int64.toPrimitive = toBigInt;
    if (tsMillis !== undefined) tsMillis.toPrimitive = toBigInt;
  }
  let schema = schemas.get(compression);
  if (schema === undefined) {
    // parquetjs-lite takes the compression per column, so there is one schema per compression.
    const codec = PARQUET_CODEC_NAME[compression];
    const col = (type: string, optional = false): Record<string, unknown> => ({ type, optional, compression: codec });
    const bytes = col('BYTE_ARRAY', true);
    schema = new lite.ParquetSchema({
      [C.offset]: col('INT64'),
      [C.timestamp]: col('TIMESTAMP_MILLIS'),
      [C.timestampType]: col('INT_8'),
      [C.key]: bytes,
      [C.value]: bytes,
      // parquetjs-lite writes a legacy 2-level repeated group (no LIST annotation); DuckDB, Spark
      // and hyparquet read it as list<struct<key, value>> all the same.
      [C.headers]: { repeated: true, fields: { key: col('UTF8'), value: bytes } },
      [C.producerId]: col('INT64'),
      [C.producerEpoch]: col('INT_16'),
      [C.sequence]: col('INT32'),
      [C.isTransactional]: col('BOOLEAN'),
      [C.isControl]: col('BOOLEAN'),
      [C.createTimestamp]: col('INT64', true),
      [C.batchBaseOffset]: col('INT64'),
      [C.batchLastOffsetDelta]: col('INT32'),
      [C.batchAttributes]: col('INT_16'),
      [C.batchPartitionLeaderEpoch]: col('INT32'),
      [C.batchBaseTimestamp]: col('INT64'),
      [C.batchMaxTimestamp]: col('INT64'),
      [C.batchBaseSequence]: col('INT32'),
    });
    schemas.set(compression, schema);
  }
  return { lite, schema };
}

/** Writes the columns with parquetjs-lite (row by row, as its API requires). */
export async function writeWithParquetjsLite(data: ColumnarBatches, compression: ParquetCompression): Promise<Buffer> {
  const { lite: mod, schema: liteSchema } = load(compression);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const writer = await mod.ParquetWriter.openStream(liteSchema, sink);
  writer.setMetadata(OXBOW_INDEX_METADATA_KEY, encodeIndexMetadata(data.rowGroups, data.emptyBatches));
  const c = data.columns;
  for (const group of data.rowGroups) {
    const end = group.rowStart + group.rows;
    writer.setRowGroupSize(Number.MAX_SAFE_INTEGER);
    for (let i = group.rowStart; i < end; i++) {
      // The writer flushes a row group once its row count reaches the size: do so exactly at the
      // planned boundary, so row groups end on batch boundaries.
      if (i === end - 1) writer.setRowGroupSize(1);
      await writer.appendRow({
        [C.offset]: c.offset[i],
        [C.timestamp]: c.timestamp[i],
        [C.timestampType]: c.timestampType[i],
        [C.key]: c.key[i] ?? null,
        [C.value]: c.value[i] ?? null,
        [C.headers]: c.headers[i],
        [C.producerId]: c.producerId[i],
        [C.producerEpoch]: c.producerEpoch[i],
        [C.sequence]: c.sequence[i],
        [C.isTransactional]: c.isTransactional[i],
        [C.isControl]: c.isControl[i],
        [C.createTimestamp]: c.createTimestamp[i] ?? null,
        [C.batchBaseOffset]: c.batchBaseOffset[i],
        [C.batchLastOffsetDelta]: c.batchLastOffsetDelta[i],
        [C.batchAttributes]: c.batchAttributes[i],
        [C.batchPartitionLeaderEpoch]: c.batchPartitionLeaderEpoch[i],
        [C.batchBaseTimestamp]: c.batchBaseTimestamp[i],
        [C.batchMaxTimestamp]: c.batchMaxTimestamp[i],
        [C.batchBaseSequence]: c.batchBaseSequence[i],
      });
    }
  }
  await writer.close();
  return Buffer.concat(chunks);
}
