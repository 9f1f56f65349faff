import { isUtf8 } from 'node:buffer';
import { ProtocolError } from '../errors/protocol-error.js';

/**
 * Sequential reader over one buffer. Every read checks bounds first, so a lying length or count
 * fails with a ProtocolError instead of allocating or reading past the end. Method names follow
 * the primitive types of Kafka's protocol guide.
 */
export class Reader {
  readonly buffer: Buffer;
  #offset: number;
  readonly #end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.#offset = offset;
    this.#end = end;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#end - this.#offset;
  }

  /** Fails unless `n` more bytes are available. */
  ensure(n: number, what = 'value'): void {
    if (n > this.#end - this.#offset) {
      throw new ProtocolError('TRUNCATED', `${what} needs ${n} bytes, ${this.#end - this.#offset} left`, this.#offset);
    }
  }

  skip(n: number): void {
    this.ensure(n, 'skipped bytes');
    this.#offset += n;
  }

  readInt8(): number {
    this.ensure(1, 'int8');
    return this.buffer.readInt8(this.#offset++);
  }

  readUInt8(): number {
    this.ensure(1, 'uint8');
    return this.buffer.readUInt8(this.#offset++);
  }

  readBoolean(): boolean {
    return this.readInt8() !== 0;
  }

  readInt16(): number {
    this.ensure(2, 'int16');
    const v = this.buffer.readInt16BE(this.#offset);
    this.#offset += 2;
    return v;
  }

  readUInt16(): number {
    this.ensure(2, 'uint16');
    const v = this.buffer.readUInt16BE(this.#offset);
    this.#offset += 2;
    return v;
  }

  readInt32(): number {
    this.ensure(4, 'int32');
    const v = this.buffer.readInt32BE(this.#offset);
    this.#offset += 4;
    return v;
  }

  readUInt32(): number {
    this.ensure(4, 'uint32');
    const v = this.buffer.readUInt32BE(this.#offset);
    this.#offset += 4;
    return v;
  }

  readInt64(): bigint {
    this.ensure(8, 'int64');
    const v = this.buffer.readBigInt64BE(this.#offset);
    this.#offset += 8;
    return v;
  }

  readFloat64(): number {
    this.ensure(8, 'float64');
    const v = this.buffer.readDoubleBE(this.#offset);
    this.#offset += 8;
    return v;
  }

  /** UNSIGNED_VARINT: at most 5 bytes, value fits in 32 bits. */
  readUnsignedVarint(): number {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (this.#offset >= this.#end) throw new ProtocolError('TRUNCATED', 'varint runs past the end', this.#offset);
      const b = this.buffer[this.#offset++] as number;
      if (i === 4 && b > 0x0f) throw new ProtocolError('VARINT_OVERFLOW', 'unsigned varint exceeds 32 bits', this.#offset - 1);
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    throw new ProtocolError('VARINT_OVERFLOW', 'unsigned varint longer than 5 bytes', this.#offset);
  }

  /** VARINT: zig-zag encoded signed 32-bit integer. */
  readVarint(): number {
    const u = this.readUnsignedVarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** VARLONG: zig-zag encoded signed 64-bit integer, at most 10 bytes. */
  readVarlong(): bigint {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.#offset >= this.#end) throw new ProtocolError('TRUNCATED', 'varlong runs past the end', this.#offset);
      const b = this.buffer[this.#offset++] as number;
      if (i === 9 && b > 0x01) throw new ProtocolError('VARINT_OVERFLOW', 'varlong exceeds 64 bits', this.#offset - 1);
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return (value >> 1n) ^ -(value & 1n);
    }
    throw new ProtocolError('VARINT_OVERFLOW', 'varlong longer than 10 bytes', this.#offset);
  }

  readUuid(): string {
    this.ensure(16, 'uuid');
    const hex = this.buffer.toString('hex', this.#offset, this.#offset + 16);
    this.#offset += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** A view of the next `n` bytes (no copy). */
  readSlice(n: number, what = 'bytes'): Buffer {
    if (n < 0) throw new ProtocolError('NEGATIVE_LENGTH', `${what} length ${n}`, this.#offset);
    this.ensure(n, what);
    const s = this.buffer.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return s;
  }

  readUtf8(n: number): string {
    const start = this.#offset;
    const bytes = this.readSlice(n, 'string');
    if (!isUtf8(bytes)) throw new ProtocolError('INVALID_UTF8', 'string is not valid UTF-8', start);
    return bytes.toString('utf8');
  }

  /** STRING / NULLABLE_STRING: int16 length, -1 for null. */
  readNullableString(): string | null {
    const at = this.#offset;
    const n = this.readInt16();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError('NEGATIVE_LENGTH', `string length ${n}`, at);
    return this.readUtf8(n);
  }

  readString(): string {
    const at = this.#offset;
    const s = this.readNullableString();
    if (s === null) throw new ProtocolError('INVALID_VALUE', 'null where a string is required', at);
    return s;
  }

  /** COMPACT_(NULLABLE_)STRING: unsigned varint length + 1, 0 for null. */
  readCompactNullableString(): string | null {
    const n = this.readUnsignedVarint();
    return n === 0 ? null : this.readUtf8(n - 1);
  }

  readCompactString(): string {
    const at = this.#offset;
    const s = this.readCompactNullableString();
    if (s === null) throw new ProtocolError('INVALID_VALUE', 'null where a string is required', at);
    return s;
  }

  /** BYTES / NULLABLE_BYTES: int32 length, -1 for null. Returns a view, not a copy. */
  readNullableBytes(): Buffer | null {
    const at = this.#offset;
    const n = this.readInt32();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError('NEGATIVE_LENGTH', `bytes length ${n}`, at);
    return this.readSlice(n);
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUnsignedVarint();
    return n === 0 ? null : this.readSlice(n - 1);
  }

  /** ARRAY length: int32, -1 for null; a count that cannot fit in what is left is rejected. */
  readArrayLength(): number | null {
    const at = this.#offset;
    const n = this.readInt32();
    if (n === -1) return null;
    return this.#checkCount(n, at);
  }

  /** COMPACT_ARRAY length: unsigned varint count + 1, 0 for null. */
  readCompactArrayLength(): number | null {
    const at = this.#offset;
    const n = this.readUnsignedVarint();
    return n === 0 ? null : this.#checkCount(n - 1, at);
  }

  #checkCount(n: number, at: number): number {
    if (n < 0) throw new ProtocolError('NEGATIVE_LENGTH', `array length ${n}`, at);
    if (n > this.remaining) throw new ProtocolError('ARRAY_TOO_LONG', `array of ${n} elements in ${this.remaining} bytes`, at);
    return n;
  }
}
