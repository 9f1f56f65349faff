import { compress, uncompress } from 'snappy';
import { ProtocolError } from '../errors/protocol-error.js';

/**
 * Snappy as Kafka clients write it. The Java client wraps raw snappy in the xerial "snappy-java"
 * stream framing: a 16-byte header (magic `\x82SNAPPY\0`, version, compatible version) followed by
 * blocks of `int32 length` + raw snappy data. librdkafka writes raw snappy. We read both and write
 * the xerial framing, which every client reads.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK_SIZE = 32 * 1024;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.subarray(0, 8).equals(XERIAL_MAGIC);
}

/** Reads the uncompressed length from a raw snappy block's varint preamble. */
function rawUncompressedLength(data: Buffer): number {
  let value = 0;
  for (let i = 0; i < 5 && i < data.length; i++) {
    const b = data[i] as number;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return value;
  }
  throw new ProtocolError('CORRUPT_RECORD', 'snappy block has a bad length preamble');
}

async function uncompressRaw(data: Buffer, budget: number): Promise<Buffer> {
  const n = rawUncompressedLength(data);
  if (n > budget) throw new ProtocolError('CORRUPT_RECORD', `snappy block inflates to ${n} bytes, over the limit of ${budget}`);
  try {
    return (await uncompress(data)) as Buffer;
  } catch (err) {
    throw new ProtocolError('CORRUPT_RECORD', 'snappy data does not decompress', -1, '', { cause: err });
  }
}

export async function snappyDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  if (!isXerialFramed(data)) return uncompressRaw(data, maxBytes);
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new ProtocolError('CORRUPT_RECORD', 'xerial snappy block length is truncated', pos);
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw new ProtocolError('CORRUPT_RECORD', `xerial snappy block of ${len} bytes overruns the data`, pos);
    const block = await uncompressRaw(data.subarray(pos, pos + len), maxBytes - total);
    parts.push(block);
    total += block.length;
    pos += len;
  }
  return Buffer.concat(parts, total);
}

export async function snappyCompress(data: Buffer): Promise<Buffer> {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
    const block = (await compress(data.subarray(pos, pos + XERIAL_BLOCK_SIZE)));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}
