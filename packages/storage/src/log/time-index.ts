/*
 * Time index of one segment: entries (timestamp int64 BE, relative offset int32 BE). An entry
 * (T, o) is written at an offset-index point when the segment's largest timestamp so far has grown
 * to T; o is the base offset (relative) of the batch that first reached T. Hence every record before
 * offset o has a timestamp below T, and a lookup for the earliest record with timestamp ≥ t may
 * start scanning at the batch of the last entry with T ≤ t. Timestamps strictly increase; offsets
 * never decrease.
 */
import { lastAtOrBelow } from './sorted-search.js';

export const TIME_INDEX_ENTRY_BYTES = 12;

export class TimeIndex {
  #timestamp: BigInt64Array;
  #relative: Int32Array;
  #length = 0;

  constructor(capacity = 16) {
    this.#timestamp = new BigInt64Array(Math.max(1, capacity));
    this.#relative = new Int32Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.#length;
  }

  timestamp(i: number): bigint {
    return this.#timestamp[i] ?? -1n;
  }

  relativeOffset(i: number): number {
    return this.#relative[i] ?? -1;
  }

  /** Timestamp of the last entry, -1 when empty. */
  lastTimestamp(): bigint {
    return this.#length === 0 ? -1n : this.timestamp(this.#length - 1);
  }

  append(timestamp: bigint, relativeOffset: number): void {
    if (this.#length === this.#relative.length) {
      const ts = new BigInt64Array(this.#length * 2);
      ts.set(this.#timestamp);
      const rel = new Int32Array(this.#length * 2);
      rel.set(this.#relative);
      this.#timestamp = ts;
      this.#relative = rel;
    }
    this.#timestamp[this.#length] = timestamp;
    this.#relative[this.#length] = relativeOffset;
    this.#length++;
  }

  /** Index of the last entry whose timestamp is ≤ `timestamp`, or -1. */
  floor(timestamp: bigint): number {
    return lastAtOrBelow(this.#length, (i) => this.#timestamp[i] ?? 0n, timestamp);
  }

  truncate(length: number): void {
    this.#length = Math.max(0, Math.min(length, this.#length));
  }

  /** Drops the entries whose relative offset is ≥ `relativeOffset`. */
  truncateToRelativeOffset(relativeOffset: number): void {
    while (this.#length > 0 && (this.#relative[this.#length - 1] ?? 0) >= relativeOffset) this.#length--;
  }

  encode(from = 0, to = this.#length): Buffer {
    const out = Buffer.allocUnsafe((to - from) * TIME_INDEX_ENTRY_BYTES);
    for (let i = from; i < to; i++) {
      const at = (i - from) * TIME_INDEX_ENTRY_BYTES;
      out.writeBigInt64BE(this.#timestamp[i] ?? 0n, at);
      out.writeInt32BE(this.#relative[i] ?? 0, at + 8);
    }
    return out;
  }

  /** Reads a time index file, keeping the longest well-formed prefix (see OffsetIndex.decode). */
  static decode(bytes: Buffer): { index: TimeIndex; intact: boolean } {
    const count = Math.floor(bytes.length / TIME_INDEX_ENTRY_BYTES);
    const index = new TimeIndex(count);
    let prevTs = -1n;
    let prevRel = 0;
    for (let i = 0; i < count; i++) {
      const ts = bytes.readBigInt64BE(i * TIME_INDEX_ENTRY_BYTES);
      const rel = bytes.readInt32BE(i * TIME_INDEX_ENTRY_BYTES + 8);
      if (ts <= prevTs || rel < prevRel) return { index, intact: false };
      index.append(ts, rel);
      prevTs = ts;
      prevRel = rel;
    }
    return { index, intact: count * TIME_INDEX_ENTRY_BYTES === bytes.length };
  }
}
