import type { CompressionName } from '@oxbow/protocol';

/** The Parquet writers Oxbow can encode with (docs/parquet.md compares them). */
export const PARQUET_WRITERS = ['hyparquet-writer', 'parquetjs-lite'] as const;
export type ParquetWriterName = (typeof PARQUET_WRITERS)[number];

/** Default writer: the fastest correct one measured (docs/parquet.md, bench/parquet-bench.ts). */
export const DEFAULT_PARQUET_WRITER: ParquetWriterName = 'hyparquet-writer';

/**
 * Page compression inside the Parquet file. What each writer supports (see
 * {@link parquetCompressionSupport}): hyparquet-writer none/snappy/gzip/brotli, and zstd only on a
 * Node with `zlib.zstdCompressSync` (22.15+); parquetjs-lite none/snappy/gzip.
 */
export const PARQUET_COMPRESSIONS = ['none', 'snappy', 'gzip', 'brotli', 'zstd'] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** Uncompressed record bytes per row group, by default (row groups end on batch boundaries). */
export const DEFAULT_ROW_GROUP_BYTES = 16 * 1024 * 1024;

export interface ParquetEncodeOptions {
  /** Writer to use; defaults to the codec's (or pool's) writer. */
  readonly writer?: ParquetWriterName;
  /** Page compression (default `snappy`). Unsupported by the writer → INVALID_OPTIONS. */
  readonly compression?: ParquetCompression;
  /**
   * Target uncompressed record bytes per row group (default 16 MiB). A row group closes after the
   * batch that reaches it: a batch never spans row groups, so Fetch reads whole row groups.
   */
  readonly rowGroupBytes?: number;
  /** Verify each input batch's CRC before encoding (default true). */
  readonly verifyCrc?: boolean;
}

/** A byte range of the file (offset from the file start). */
export interface ParquetByteRange {
  readonly offset: number;
  readonly length: number;
}

/** One row group, as a manifest records it so a reader can GET only what a Fetch needs. */
export interface ParquetRowGroupInfo {
  /** Base offset of the row group's first batch. */
  readonly firstOffset: bigint;
  /** Last offset of its last batch (base offset + last offset delta). */
  readonly lastOffset: bigint;
  readonly rows: number;
  readonly batches: number;
  /** The row group's column chunks (contiguous in every file we write). */
  readonly range: ParquetByteRange;
}

/** What a reader needs, besides the bytes, to find the row groups holding an offset. */
export interface ParquetFileIndex {
  readonly fileSize: number;
  /** Footer (Thrift metadata, its length and the trailing magic): always needed to decode. */
  readonly footer: ParquetByteRange;
  readonly rowGroups: readonly ParquetRowGroupInfo[];
}

export interface ParquetEncodeResult extends ParquetFileIndex {
  readonly file: Buffer;
  readonly writer: ParquetWriterName;
  readonly compression: ParquetCompression;
  /** Records (rows) in the file. */
  readonly rows: number;
  /** Record batches encoded (including batches without records, kept in the footer index). */
  readonly batches: number;
  /** Base offset of the first batch. */
  readonly firstOffset: bigint;
  /** Last offset of the last batch: the next offset is lastOffset + 1. */
  readonly lastOffset: bigint;
  /** Smallest and largest Kafka-visible record timestamp (-1 when there are no records). */
  readonly minTimestamp: bigint;
  readonly maxTimestamp: bigint;
  /** Size of the record batches given to encode. */
  readonly inputBytes: number;
}

/**
 * Parquet bytes to decode: the whole file, or the ranges of it that were fetched (the footer and
 * the row groups a Fetch needs, see {@link planParquetRead}) plus the file size.
 */
export type ParquetInput = Buffer | ParquetRanges;

export interface ParquetRanges {
  readonly fileSize: number;
  readonly ranges: readonly { readonly offset: number; readonly bytes: Buffer }[];
}

export interface ParquetDecodeOptions {
  /**
   * Compression of the rebuilt batches: `original` (default) recompresses each batch with the codec
   * it was produced with; any other value re-encodes every batch with that codec.
   */
  readonly batchCompression?: CompressionName | 'original';
}

export interface ParquetDecodeResult {
  /** Record batches v2, starting at the batch containing `fromOffset` (or the first after it). */
  readonly batches: Buffer;
  readonly batchCount: number;
  /** Next offset after the last batch returned (fromOffset when none). */
  readonly nextOffset: bigint;
  /** True when the file has no batch at or after the last one returned (the file is exhausted). */
  readonly endOfFile: boolean;
}

/**
 * Encodes a partition's record batches as a Parquet file and rebuilds record batches from one.
 *
 * Contract:
 * - `encode` MUST accept any sequence of valid v2 batches in increasing offset order (compressed,
 *   transactional, control, LogAppendTime, gaps between offsets) and MUST keep every value exact
 *   (int64 through BigInt).
 * - `decode(encode(x).file, o, n)` MUST return batches that carry the same Kafka-visible fields as
 *   the input batches from the one containing `o` (or the first after `o`): base offset, last offset
 *   delta, leader epoch, attributes other than compression (timestamp type, transactional, control),
 *   base/max timestamps, producer id/epoch, base sequence, and every record's offset, timestamp,
 *   key, value and headers byte for byte (null distinct from empty). Batches are added while their
 *   total stays within `maxBytes`, but the first batch is always returned whole (Kafka's Fetch rule).
 * - Implementations that run on the event loop MUST NOT be used by the broker directly: it goes
 *   through {@link ParquetWorkerPool}.
 */
export interface ParquetCodec {
  encode(batches: Buffer, options?: ParquetEncodeOptions): Promise<ParquetEncodeResult>;
  decode(input: ParquetInput, fromOffset: bigint, maxBytes: number, options?: ParquetDecodeOptions): Promise<ParquetDecodeResult>;
}
