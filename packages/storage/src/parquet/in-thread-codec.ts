import { parquetMetadata } from 'hyparquet';
import { batchesToColumns } from './columns.js';
import { checkCompression } from './compression.js';
import { ParquetCodecError } from './errors.js';
import { fileIndexOf } from './file-index.js';
import { writeWithHyparquet } from './hyparquet-writer.js';
import { writeWithParquetjsLite } from './parquetjs-lite-writer.js';
import { decodeParquet } from './read.js';
import {
  DEFAULT_PARQUET_WRITER,
  DEFAULT_ROW_GROUP_BYTES,
  PARQUET_COMPRESSIONS,
  PARQUET_WRITERS,
  type ParquetCodec,
  type ParquetDecodeOptions,
  type ParquetDecodeResult,
  type ParquetEncodeOptions,
  type ParquetEncodeResult,
  type ParquetInput,
  type ParquetWriterName,
} from './types.js';

const CREATED_BY = 'oxbow (Kafka record batches, layout v1)';

export interface InThreadParquetCodecOptions {
  /** Default writer (per-call options may override it). */
  readonly writer?: ParquetWriterName;
}

/**
 * The codec itself, running on the calling thread. It blocks that thread for the whole encode or
 * decode, so the broker MUST use it only inside workers ({@link ParquetWorkerPool}); tests and
 * benchmarks call it directly. Decoding always uses hyparquet, whichever writer wrote the file.
 */
export class InThreadParquetCodec implements ParquetCodec {
  readonly writer: ParquetWriterName;

  constructor(options: InThreadParquetCodecOptions = {}) {
    this.writer = options.writer ?? DEFAULT_PARQUET_WRITER;
  }

  async encode(batches: Buffer, options: ParquetEncodeOptions = {}): Promise<ParquetEncodeResult> {
    const writer = options.writer ?? this.writer;
    const compression = options.compression ?? 'snappy';
    const rowGroupBytes = options.rowGroupBytes ?? DEFAULT_ROW_GROUP_BYTES;
    if (!PARQUET_WRITERS.includes(writer)) throw new ParquetCodecError('INVALID_OPTIONS', `unknown Parquet writer ${String(writer)}`);
    if (!PARQUET_COMPRESSIONS.includes(compression)) throw new ParquetCodecError('INVALID_OPTIONS', `unknown Parquet compression ${String(compression)}`);
    if (!(rowGroupBytes > 0)) throw new ParquetCodecError('INVALID_OPTIONS', `rowGroupBytes must be positive, not ${rowGroupBytes}`);
    checkCompression(writer, compression);

    const data = await batchesToColumns(batches, rowGroupBytes, options.verifyCrc ?? true);
    const file = writer === 'hyparquet-writer' ? writeWithHyparquet(data, compression, CREATED_BY) : await writeWithParquetjsLite(data, compression);
    const index = fileIndexOf(parquetMetadata(file.buffer.slice(file.byteOffset, file.byteOffset + file.length) as ArrayBuffer), file.length);
    return {
      ...index,
      file,
      writer,
      compression,
      rows: data.columns.rows,
      batches: data.batchCount,
      firstOffset: data.firstOffset,
      lastOffset: data.lastOffset,
      minTimestamp: data.minTimestamp,
      maxTimestamp: data.maxTimestamp,
      inputBytes: batches.length,
    };
  }

  decode(input: ParquetInput, fromOffset: bigint, maxBytes: number, options?: ParquetDecodeOptions): Promise<ParquetDecodeResult> {
    return decodeParquet(input, fromOffset, maxBytes, options);
  }
}
