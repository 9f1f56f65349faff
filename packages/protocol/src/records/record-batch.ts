import { ProtocolError } from '../errors/protocol-error.js';
import { Reader } from '../io/reader.js';
import { Writer } from '../io/writer.js';
import { COMPRESSION, compress, decompress, DEFAULT_MAX_DECOMPRESSED_BYTES, type CompressionName } from '../compression/codecs.js';
import {
  ATTR_CONTROL,
  ATTR_LOG_APPEND_TIME,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  RecordBatchView,
} from './batch-view.js';
import { crc32c } from './crc32c.js';

/*
 * Record =>
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
 *   keyLength varint | key bytes | valueLength varint | value bytes
 *   headersCount varint | [headerKeyLength varint | headerKey string | headerValueLength varint | value bytes]
 * Lengths of -1 mean null (key, value, header value).
 */

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface KafkaRecord {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface RecordBatch {
  readonly baseOffset: bigint;
  readonly partitionLeaderEpoch: number;
  readonly compression: CompressionName;
  readonly timestampType: 'create-time' | 'log-append-time';
  readonly transactional: boolean;
  readonly control: boolean;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly records: readonly KafkaRecord[];
}

export interface RecordInput {
  /** Defaults to the record's index in the batch. */
  readonly offsetDelta?: number;
  readonly timestamp: bigint;
  readonly key?: Buffer | null;
  readonly value?: Buffer | null;
  readonly headers?: readonly RecordHeader[];
}

export interface RecordBatchInput {
  readonly baseOffset?: bigint;
  readonly partitionLeaderEpoch?: number;
  readonly compression?: CompressionName;
  readonly timestampType?: 'create-time' | 'log-append-time';
  readonly transactional?: boolean;
  readonly control?: boolean;
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  /** Defaults to the smallest record timestamp. */
  readonly baseTimestamp?: bigint;
  /** Defaults to the largest record timestamp (LogAppendTime batches: set it to the append time). */
  readonly maxTimestamp?: bigint;
  /** Defaults to the last record's offset delta (compacted batches may keep a larger one). */
  readonly lastOffsetDelta?: number;
  readonly records: readonly RecordInput[];
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function uvarintSize(u: number): number {
  let size = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

function varlongSize(v: bigint): number {
  let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  let size = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    size++;
  }
  return size;
}

function varBytesSize(b: Buffer | null | undefined): number {
  return b === null || b === undefined ? 1 : uvarintSize(zigzag(b.length)) + b.length;
}

function writeVarBytes(w: Writer, b: Buffer | null | undefined): void {
  if (b === null || b === undefined) {
    w.writeVarint(-1);
    return;
  }
  w.writeVarint(b.length);
  w.writeRaw(b);
}

/** Writes the records section; each record's length is computed up front, so bytes are copied once. */
function encodeRecords(input: RecordBatchInput, baseTimestamp: bigint): Buffer {
  const w = new Writer(1024);
  input.records.forEach((rec, i) => {
    const timestampDelta = rec.timestamp - baseTimestamp;
    const offsetDelta = rec.offsetDelta ?? i;
    const headers = rec.headers ?? [];
    const headerKeys = headers.map((h) => Buffer.from(h.key, 'utf8'));
    let size = 1 + varlongSize(timestampDelta) + uvarintSize(zigzag(offsetDelta));
    size += varBytesSize(rec.key) + varBytesSize(rec.value) + uvarintSize(zigzag(headers.length));
    headers.forEach((h, j) => {
      size += varBytesSize(headerKeys[j]) + varBytesSize(h.value);
    });
    w.writeVarint(size);
    w.writeInt8(0);
    w.writeVarlong(timestampDelta);
    w.writeVarint(offsetDelta);
    writeVarBytes(w, rec.key);
    writeVarBytes(w, rec.value);
    w.writeVarint(headers.length);
    headers.forEach((h, j) => {
      writeVarBytes(w, headerKeys[j]);
      writeVarBytes(w, h.value);
    });
  });
  return w.toBuffer();
}

/** Encodes a record batch (magic v2), compressing its records and computing the CRC. */
export async function encodeRecordBatch(input: RecordBatchInput): Promise<Buffer> {
  const stamps = input.records.map((r) => r.timestamp);
  const minTs = stamps.length === 0 ? -1n : stamps.reduce((a, b) => (b < a ? b : a));
  const maxTs = stamps.length === 0 ? -1n : stamps.reduce((a, b) => (b > a ? b : a));
  const baseTimestamp = input.baseTimestamp ?? minTs;
  const compression = input.compression ?? 'none';
  const plain = encodeRecords(input, baseTimestamp);
  const recordsBytes = await compress(compression, plain);
  const lastOffsetDelta =
    input.lastOffsetDelta ?? input.records.reduce((m, r, i) => Math.max(m, r.offsetDelta ?? i), input.records.length === 0 ? 0 : -1);

  let attributes: number = COMPRESSION[compression];
  if (input.timestampType === 'log-append-time') attributes |= ATTR_LOG_APPEND_TIME;
  if (input.transactional === true) attributes |= ATTR_TRANSACTIONAL;
  if (input.control === true) attributes |= ATTR_CONTROL;

  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsBytes.length);
  out.writeBigInt64BE(input.baseOffset ?? 0n, 0);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(input.partitionLeaderEpoch ?? -1, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(attributes, 21);
  out.writeInt32BE(lastOffsetDelta, 23);
  out.writeBigInt64BE(baseTimestamp, 27);
  out.writeBigInt64BE(input.maxTimestamp ?? maxTs, 35);
  out.writeBigInt64BE(input.producerId ?? -1n, 43);
  out.writeInt16BE(input.producerEpoch ?? -1, 51);
  out.writeInt32BE(input.baseSequence ?? -1, 53);
  out.writeInt32BE(input.records.length, 57);
  recordsBytes.copy(out, BATCH_HEADER_SIZE);
  out.writeUInt32BE(crc32c(out.subarray(21)), 17);
  return out;
}

function readVarBytes(r: Reader): Buffer | null {
  const n = r.readVarint();
  if (n === -1) return null;
  return r.readSlice(n, 'record field');
}

export interface DecodeBatchOptions {
  /** Verify the CRC before decoding (default true). */
  readonly verifyCrc?: boolean;
  readonly maxDecompressedBytes?: number;
}

/**
 * Fully decodes one batch: verifies the CRC, decompresses and parses every record. Any structural
 * problem in the records is a CORRUPT_RECORD ProtocolError.
 */
export async function decodeRecordBatch(batch: RecordBatchView | Buffer, options: DecodeBatchOptions = {}): Promise<RecordBatch> {
  const view = Buffer.isBuffer(batch) ? new RecordBatchView(batch, 0) : batch;
  if (view.magic !== 2) throw new ProtocolError('UNSUPPORTED_MAGIC', `magic ${view.magic}`, view.start + 16);
  if (options.verifyCrc !== false) view.verifyCrc();
  const compression = view.compression;
  const plain = await decompress(compression, view.recordsBytes(), options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
  const baseOffset = view.baseOffset;
  const baseTimestamp = view.baseTimestamp;
  const logAppend = view.timestampType === 'log-append-time';
  const count = view.recordsCount;
  const r = new Reader(plain);
  const records: KafkaRecord[] = [];
  try {
    if (count > plain.length) throw new ProtocolError('CORRUPT_RECORD', `${count} records cannot fit in ${plain.length} bytes`);
    for (let i = 0; i < count; i++) {
      const len = r.readVarint();
      if (len < 0) throw new ProtocolError('CORRUPT_RECORD', `record length ${len}`, r.offset);
      const rr = new Reader(r.readSlice(len, 'record'));
      rr.readInt8(); // attributes: unused in v2
      const timestampDelta = rr.readVarlong();
      const offsetDelta = rr.readVarint();
      const key = readVarBytes(rr);
      const value = readVarBytes(rr);
      const headerCount = rr.readVarint();
      if (headerCount < 0 || headerCount > rr.remaining) throw new ProtocolError('CORRUPT_RECORD', `header count ${headerCount}`, rr.offset);
      const headers: RecordHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const keyLen = rr.readVarint();
        if (keyLen < 0) throw new ProtocolError('CORRUPT_RECORD', 'null header key', rr.offset);
        const hKey = rr.readUtf8(keyLen);
        headers.push({ key: hKey, value: readVarBytes(rr) });
      }
      if (rr.remaining !== 0) throw new ProtocolError('CORRUPT_RECORD', `${rr.remaining} bytes left over in record ${i}`);
      records.push({
        offset: baseOffset + BigInt(offsetDelta),
        timestamp: logAppend ? view.maxTimestamp : baseTimestamp + timestampDelta,
        key,
        value,
        headers,
      });
    }
    if (r.remaining !== 0) throw new ProtocolError('CORRUPT_RECORD', `${r.remaining} bytes after the last record`);
  } catch (err) {
    if (err instanceof ProtocolError && err.code !== 'CORRUPT_RECORD') {
      throw new ProtocolError('CORRUPT_RECORD', err.message, view.start, '', { cause: err });
    }
    throw err;
  }
  return {
    baseOffset,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    compression,
    timestampType: view.timestampType,
    transactional: view.isTransactional,
    control: view.isControl,
    lastOffsetDelta: view.lastOffsetDelta,
    baseTimestamp,
    maxTimestamp: view.maxTimestamp,
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    records,
  };
}
