import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import { compressFrame as lz4Compress, decompressFrame as lz4Decompress } from 'lz4-napi';
import { ProtocolError } from '../errors/protocol-error.js';
import { snappyCompress, snappyDecompress } from './snappy-xerial.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Compression ids as stored in the low three bits of a record batch's attributes. */
export const COMPRESSION = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof COMPRESSION;

const NAME_BY_ID: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Default ceiling on one batch's decompressed size (a compressed bomb must not exhaust memory). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

export function compressionName(id: number): CompressionName {
  const name = NAME_BY_ID[id];
  if (name === undefined) throw new ProtocolError('UNSUPPORTED_COMPRESSION', `unknown compression type ${id}`);
  return name;
}

/**
 * The compression Kafka's record batches use, backed by native libraries: zlib (gzip), snappy
 * (napi, with the Java client's xerial framing), lz4-napi (LZ4 frame format, as Kafka specifies
 * for magic v2) and @mongodb-js/zstd. All run off the event loop in libuv's thread pool.
 */
export async function compress(codec: CompressionName, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipAsync(data);
    case 'snappy':
      return snappyCompress(data);
    case 'lz4':
      return lz4Compress(data);
    case 'zstd':
      return zstdCompress(data, 3);
  }
}

/**
 * Decompresses one batch's records. Output beyond `maxBytes` fails with CORRUPT_RECORD: gzip and
 * snappy stop before allocating more; lz4 and zstd frames are checked after inflating.
 */
export async function decompress(codec: CompressionName, data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Promise<Buffer> {
  let out: Buffer;
  try {
    switch (codec) {
      case 'none':
        return data;
      case 'gzip':
        out = await gunzipAsync(data, { maxOutputLength: maxBytes });
        break;
      case 'snappy':
        return await snappyDecompress(data, maxBytes);
      case 'lz4':
        out = await lz4Decompress(data);
        break;
      case 'zstd':
        out = await zstdDecompress(data);
        break;
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError('CORRUPT_RECORD', `${codec} data does not decompress`, -1, '', { cause: err });
  }
  if (out.length > maxBytes) {
    throw new ProtocolError('CORRUPT_RECORD', `${codec} batch inflates to ${out.length} bytes, over the limit of ${maxBytes}`);
  }
  return out;
}
