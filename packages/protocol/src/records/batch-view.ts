import { ProtocolError } from '../errors/protocol-error.js';
import { compressionName, type CompressionName } from '../compression/codecs.js';
import { crc32c } from './crc32c.js';

/*
 * RecordBatch (magic v2), fixed part, byte offsets from the batch start:
 *   0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8
 *  17 crc uint32 (CRC32C of bytes 21..end) | 21 attributes int16 | 23 lastOffsetDelta int32
 *  27 baseTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16
 *  53 baseSequence int32 | 57 recordsCount int32 | 61 records...
 * attributes: bits 0-2 compression, 3 timestamp type (1 = LogAppendTime), 4 transactional,
 * 5 control, 6 delete horizon set.
 */
export const BATCH_LOG_OVERHEAD = 12;
export const BATCH_HEADER_SIZE = 61;
export const MAGIC_OFFSET = 16;
const LENGTH_OFFSET = 8;
const LEADER_EPOCH_OFFSET = 12;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const LAST_OFFSET_DELTA_OFFSET = 23;
const BASE_TIMESTAMP_OFFSET = 27;
const MAX_TIMESTAMP_OFFSET = 35;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;
const BASE_SEQUENCE_OFFSET = 53;
const RECORDS_COUNT_OFFSET = 57;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

/**
 * A record batch read in place: header fields are read from the buffer on demand, records are
 * neither decoded nor decompressed. Setters rewrite fields in place (base offset and leader epoch
 * sit outside the CRC; timestamp changes recompute it).
 */
export class RecordBatchView {
  readonly buffer: Buffer;
  readonly start: number;

  constructor(buffer: Buffer, start = 0) {
    this.buffer = buffer;
    this.start = start;
  }

  get baseOffset(): bigint {
    return this.buffer.readBigInt64BE(this.start);
  }
  set baseOffset(v: bigint) {
    this.buffer.writeBigInt64BE(v, this.start);
  }
  get batchLength(): number {
    return this.buffer.readInt32BE(this.start + LENGTH_OFFSET);
  }
  /** Whole batch size in bytes, including the offset and length fields. */
  get size(): number {
    return this.batchLength + BATCH_LOG_OVERHEAD;
  }
  get partitionLeaderEpoch(): number {
    return this.buffer.readInt32BE(this.start + LEADER_EPOCH_OFFSET);
  }
  set partitionLeaderEpoch(v: number) {
    this.buffer.writeInt32BE(v, this.start + LEADER_EPOCH_OFFSET);
  }
  get magic(): number {
    return this.buffer.readInt8(this.start + MAGIC_OFFSET);
  }
  get crc(): number {
    return this.buffer.readUInt32BE(this.start + CRC_OFFSET);
  }
  get attributes(): number {
    return this.buffer.readInt16BE(this.start + ATTRIBUTES_OFFSET);
  }
  get compression(): CompressionName {
    return compressionName(this.attributes & ATTR_COMPRESSION_MASK);
  }
  get timestampType(): 'create-time' | 'log-append-time' {
    return (this.attributes & ATTR_LOG_APPEND_TIME) !== 0 ? 'log-append-time' : 'create-time';
  }
  get isTransactional(): boolean {
    return (this.attributes & ATTR_TRANSACTIONAL) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & ATTR_CONTROL) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.buffer.readInt32BE(this.start + LAST_OFFSET_DELTA_OFFSET);
  }
  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta);
  }
  get baseTimestamp(): bigint {
    return this.buffer.readBigInt64BE(this.start + BASE_TIMESTAMP_OFFSET);
  }
  get maxTimestamp(): bigint {
    return this.buffer.readBigInt64BE(this.start + MAX_TIMESTAMP_OFFSET);
  }
  get producerId(): bigint {
    return this.buffer.readBigInt64BE(this.start + PRODUCER_ID_OFFSET);
  }
  get producerEpoch(): number {
    return this.buffer.readInt16BE(this.start + PRODUCER_EPOCH_OFFSET);
  }
  get baseSequence(): number {
    return this.buffer.readInt32BE(this.start + BASE_SEQUENCE_OFFSET);
  }
  get recordsCount(): number {
    return this.buffer.readInt32BE(this.start + RECORDS_COUNT_OFFSET);
  }

  /** The batch's bytes (a view into the underlying buffer). */
  bytes(): Buffer {
    return this.buffer.subarray(this.start, this.start + this.size);
  }

  /** The compressed (or plain) records section. */
  recordsBytes(): Buffer {
    return this.buffer.subarray(this.start + BATCH_HEADER_SIZE, this.start + this.size);
  }

  computeCrc(): number {
    return crc32c(this.buffer.subarray(this.start + ATTRIBUTES_OFFSET, this.start + this.size));
  }

  isCrcValid(): boolean {
    return this.computeCrc() === this.crc;
  }

  /** Fails with CRC_MISMATCH when the stored CRC does not match the bytes. */
  verifyCrc(): void {
    const actual = this.computeCrc();
    if (actual !== this.crc) {
      throw new ProtocolError('CRC_MISMATCH', `batch CRC is ${this.crc.toString(16)}, bytes give ${actual.toString(16)}`, this.start + CRC_OFFSET);
    }
  }

  /**
   * Stamps the batch with LogAppendTime `timestamp` (max timestamp and attribute bit, as Kafka
   * does for topics with `message.timestamp.type=LogAppendTime`) and recomputes the CRC.
   */
  setLogAppendTime(timestamp: bigint): void {
    this.buffer.writeInt16BE(this.attributes | ATTR_LOG_APPEND_TIME, this.start + ATTRIBUTES_OFFSET);
    this.buffer.writeBigInt64BE(timestamp, this.start + MAX_TIMESTAMP_OFFSET);
    this.buffer.writeUInt32BE(this.computeCrc(), this.start + CRC_OFFSET);
  }
}

export interface ScanOptions {
  /**
   * Accept (and stop at) an incomplete batch at the end, as a Fetch response may carry. Produce
   * requests must not: there a partial batch is corrupt.
   */
  readonly allowPartialTail?: boolean;
  /** Verify every batch's CRC while scanning. */
  readonly verifyCrc?: boolean;
}

/**
 * Splits a `records` blob into batch views, checking structure: sizes within bounds, magic 2
 * (magic 0/1 message sets are rejected with UNSUPPORTED_MAGIC, never misread), non-negative counts.
 */
export function scanBatches(records: Buffer, options: ScanOptions = {}): RecordBatchView[] {
  const out: RecordBatchView[] = [];
  let pos = 0;
  while (pos < records.length) {
    const left = records.length - pos;
    if (left < BATCH_LOG_OVERHEAD + 5) {
      if (options.allowPartialTail === true) break;
      throw new ProtocolError('CORRUPT_RECORD', `${left} trailing bytes are not a record batch`, pos);
    }
    const batchLength = records.readInt32BE(pos + LENGTH_OFFSET);
    const magic = records.readInt8(pos + MAGIC_OFFSET);
    if (magic !== 2) {
      if (magic === 0 || magic === 1) {
        throw new ProtocolError('UNSUPPORTED_MAGIC', `legacy message set (magic ${magic}); only record batches v2 are accepted`, pos + MAGIC_OFFSET);
      }
      throw new ProtocolError('CORRUPT_RECORD', `unknown magic byte ${magic}`, pos + MAGIC_OFFSET);
    }
    if (batchLength < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD) {
      throw new ProtocolError('CORRUPT_RECORD', `batch length ${batchLength} is below the v2 header size`, pos + LENGTH_OFFSET);
    }
    if (batchLength + BATCH_LOG_OVERHEAD > left) {
      if (options.allowPartialTail === true) break;
      throw new ProtocolError('CORRUPT_RECORD', `batch of ${batchLength + BATCH_LOG_OVERHEAD} bytes overruns the ${left} left`, pos + LENGTH_OFFSET);
    }
    const view = new RecordBatchView(records, pos);
    if (view.recordsCount < 0 || view.lastOffsetDelta < 0) {
      throw new ProtocolError('CORRUPT_RECORD', `negative record count or offset delta`, pos + LAST_OFFSET_DELTA_OFFSET);
    }
    if (options.verifyCrc === true) view.verifyCrc();
    out.push(view);
    pos += view.size;
  }
  return out;
}
