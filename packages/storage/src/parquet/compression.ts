import * as zlib from 'node:zlib';
import type { Compressors } from 'hyparquet';
import { ParquetCodecError } from './errors.js';
import type { ParquetCompression, ParquetWriterName } from './types.js';

type SyncCodec = (data: Uint8Array) => Uint8Array;

/** zlib's zstd (Node 22.15+ / 23.8+); absent on Node 20, where Parquet zstd is unavailable. */
const zstd = zlib as unknown as { zstdCompressSync?: SyncCodec; zstdDecompressSync?: SyncCodec };

/** Parquet's codec name for each compression. */
export const PARQUET_CODEC_NAME = { none: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP', brotli: 'BROTLI', zstd: 'ZSTD' } as const;

/** Which page compressions each writer can produce on this Node. */
export function parquetCompressionSupport(writer: ParquetWriterName): readonly ParquetCompression[] {
  if (writer === 'parquetjs-lite') return ['none', 'snappy', 'gzip'];
  return zstd.zstdCompressSync === undefined ? ['none', 'snappy', 'gzip', 'brotli'] : ['none', 'snappy', 'gzip', 'brotli', 'zstd'];
}

export function checkCompression(writer: ParquetWriterName, compression: ParquetCompression): void {
  if (!parquetCompressionSupport(writer).includes(compression)) {
    throw new ParquetCodecError(
      'INVALID_OPTIONS',
      `${writer} cannot write ${compression} pages on Node ${process.versions.node} (supported: ${parquetCompressionSupport(writer).join(', ')})`,
    );
  }
}

/** Page compressors for hyparquet-writer (snappy is built in). Synchronous: they run in a worker. */
export function hyparquetCompressors(): Record<string, SyncCodec> {
  const out: Record<string, SyncCodec> = {
    GZIP: (data) => zlib.gzipSync(data, { level: 6 }),
    BROTLI: (data) => zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
  };
  if (zstd.zstdCompressSync !== undefined) out.ZSTD = zstd.zstdCompressSync;
  return out;
}

/** Page decompressors for hyparquet (snappy is built in). */
export function hyparquetDecompressors(): Compressors {
  const out: Compressors = {
    GZIP: (input) => zlib.gunzipSync(input),
    BROTLI: (input) => zlib.brotliDecompressSync(input),
  };
  const decompress = zstd.zstdDecompressSync;
  if (decompress !== undefined) out.ZSTD = (input) => decompress(input);
  return out;
}
