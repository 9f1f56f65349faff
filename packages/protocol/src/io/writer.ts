import { ProtocolError } from '../errors/protocol-error.js';

/** Appended buffers at least this large are kept by reference instead of copied. */
const ZERO_COPY_THRESHOLD = 4096;

/**
 * Growable writer. Small values go into a scratch buffer; large byte blobs (record batches) are
 * appended by reference, so a Fetch response carrying megabytes of records copies them at most
 * once, when the socket layer concatenates or writev()s `toChunks()`.
 */
export class Writer {
  #chunks: Buffer[] = [];
  #buf: Buffer;
  #pos = 0;
  #flushed = 0;

  constructor(initialSize = 256) {
    this.#buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.#flushed + this.#pos;
  }

  #reserve(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  writeInt8(v: number): this {
    this.#reserve(1);
    this.#buf.writeInt8(v, this.#pos);
    this.#pos += 1;
    return this;
  }

  writeUInt8(v: number): this {
    this.#reserve(1);
    this.#buf.writeUInt8(v, this.#pos);
    this.#pos += 1;
    return this;
  }

  writeBoolean(v: boolean): this {
    return this.writeInt8(v ? 1 : 0);
  }

  writeInt16(v: number): this {
    this.#reserve(2);
    this.#buf.writeInt16BE(v, this.#pos);
    this.#pos += 2;
    return this;
  }

  writeUInt16(v: number): this {
    this.#reserve(2);
    this.#buf.writeUInt16BE(v, this.#pos);
    this.#pos += 2;
    return this;
  }

  writeInt32(v: number): this {
    this.#reserve(4);
    this.#buf.writeInt32BE(v, this.#pos);
    this.#pos += 4;
    return this;
  }

  writeUInt32(v: number): this {
    this.#reserve(4);
    this.#buf.writeUInt32BE(v, this.#pos);
    this.#pos += 4;
    return this;
  }

  writeInt64(v: bigint): this {
    this.#reserve(8);
    this.#buf.writeBigInt64BE(v, this.#pos);
    this.#pos += 8;
    return this;
  }

  writeFloat64(v: number): this {
    this.#reserve(8);
    this.#buf.writeDoubleBE(v, this.#pos);
    this.#pos += 8;
    return this;
  }

  writeUnsignedVarint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new ProtocolError('INVALID_VALUE', `unsigned varint out of range: ${v}`);
    }
    this.#reserve(5);
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
    return this;
  }

  writeVarint(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw new ProtocolError('INVALID_VALUE', `varint out of range: ${v}`);
    }
    return this.writeUnsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  writeVarlong(v: bigint): this {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.#reserve(10);
    while (u >= 0x80n) {
      this.#buf[this.#pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.#buf[this.#pos++] = Number(u);
    return this;
  }

  writeUuid(uuid: string): this {
    const hex = uuid.replaceAll('-', '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ProtocolError('INVALID_VALUE', `not a UUID: ${uuid}`);
    return this.writeRaw(Buffer.from(hex, 'hex'));
  }

  /** Appends bytes; large buffers are kept by reference (do not mutate them afterwards). */
  writeRaw(bytes: Buffer): this {
    if (bytes.length >= ZERO_COPY_THRESHOLD) {
      this.#seal();
      this.#chunks.push(bytes);
      this.#flushed += bytes.length;
      return this;
    }
    this.#reserve(bytes.length);
    bytes.copy(this.#buf, this.#pos);
    this.#pos += bytes.length;
    return this;
  }

  writeNullableString(s: string | null): this {
    if (s === null) return this.writeInt16(-1);
    const len = Buffer.byteLength(s);
    if (len > 0x7fff) throw new ProtocolError('INVALID_VALUE', `string of ${len} bytes exceeds int16 length`);
    this.writeInt16(len);
    return this.#writeUtf8(s, len);
  }

  writeCompactNullableString(s: string | null): this {
    if (s === null) return this.writeUnsignedVarint(0);
    const len = Buffer.byteLength(s);
    this.writeUnsignedVarint(len + 1);
    return this.#writeUtf8(s, len);
  }

  writeNullableBytes(b: Buffer | null): this {
    if (b === null) return this.writeInt32(-1);
    this.writeInt32(b.length);
    return this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Buffer | null): this {
    if (b === null) return this.writeUnsignedVarint(0);
    this.writeUnsignedVarint(b.length + 1);
    return this.writeRaw(b);
  }

  writeArrayLength(n: number | null): this {
    return this.writeInt32(n === null ? -1 : n);
  }

  writeCompactArrayLength(n: number | null): this {
    return this.writeUnsignedVarint(n === null ? 0 : n + 1);
  }

  /** Overwrites 4 bytes at an absolute position already written (e.g. a size prefix). */
  patchInt32(position: number, v: number): this {
    if (position < this.#flushed) {
      // Find the sealed chunk holding the position; size prefixes sit in the first small chunk.
      let base = 0;
      for (const c of this.#chunks) {
        if (position < base + c.length) {
          if (position + 4 > base + c.length) throw new ProtocolError('INVALID_VALUE', 'patch crosses a chunk boundary');
          c.writeInt32BE(v, position - base);
          return this;
        }
        base += c.length;
      }
    }
    this.#buf.writeInt32BE(v, position - this.#flushed);
    return this;
  }

  #writeUtf8(s: string, len: number): this {
    this.#reserve(len);
    this.#buf.write(s, this.#pos, len, 'utf8');
    this.#pos += len;
    return this;
  }

  #seal(): void {
    if (this.#pos === 0) return;
    this.#chunks.push(this.#buf.subarray(0, this.#pos));
    this.#flushed += this.#pos;
    // Keep writing into the rest of the same allocation when enough of it is left.
    const rest = this.#buf.length - this.#pos;
    this.#buf = rest >= 256 ? this.#buf.subarray(this.#pos) : Buffer.allocUnsafe(256);
    this.#pos = 0;
  }

  /** Forgets everything written, keeping the current scratch buffer for reuse. */
  reset(): void {
    this.#chunks = [];
    this.#pos = 0;
    this.#flushed = 0;
  }

  /** The bytes written, as a list of buffers suitable for `socket.writev`/`cork`. */
  toChunks(): Buffer[] {
    this.#seal();
    return this.#chunks;
  }

  /** The bytes written, as one buffer. */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.length);
  }
}
