/*
 * Sparse offset index of one segment: entries (relative offset int32 BE, file position int32 BE),
 * both strictly increasing. An entry points at the start of a batch; the relative offset is that
 * batch's base offset minus the segment's base offset. Kept in memory as typed arrays; the file is
 * the same entries back to back.
 */
import { lastAtOrBelow } from './sorted-search.js';

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export class OffsetIndex {
  #relative: Int32Array;
  #position: Int32Array;
  #length = 0;

  constructor(capacity = 16) {
    this.#relative = new Int32Array(Math.max(1, capacity));
    this.#position = new Int32Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.#length;
  }

  relativeOffset(i: number): number {
    return this.#relative[i] ?? -1;
  }

  position(i: number): number {
    return this.#position[i] ?? -1;
  }

  /** Appends an entry; callers keep both columns strictly increasing. */
  append(relativeOffset: number, position: number): void {
    if (this.#length === this.#relative.length) {
      const rel = new Int32Array(this.#length * 2);
      rel.set(this.#relative);
      const pos = new Int32Array(this.#length * 2);
      pos.set(this.#position);
      this.#relative = rel;
      this.#position = pos;
    }
    this.#relative[this.#length] = relativeOffset;
    this.#position[this.#length] = position;
    this.#length++;
  }

  /** Index of the last entry whose relative offset is ≤ `relativeOffset`, or -1. */
  floor(relativeOffset: number): number {
    return lastAtOrBelow(this.#length, (i) => this.#relative[i] ?? 0, relativeOffset);
  }

  /** Keeps the first `length` entries. */
  truncate(length: number): void {
    this.#length = Math.max(0, Math.min(length, this.#length));
  }

  /** Drops the entries pointing at or past `position`. */
  truncateToPosition(position: number): void {
    while (this.#length > 0 && (this.#position[this.#length - 1] ?? 0) >= position) this.#length--;
  }

  /** Entries `from..to-1` as file bytes. */
  encode(from = 0, to = this.#length): Buffer {
    const out = Buffer.allocUnsafe((to - from) * OFFSET_INDEX_ENTRY_BYTES);
    for (let i = from; i < to; i++) {
      const at = (i - from) * OFFSET_INDEX_ENTRY_BYTES;
      out.writeInt32BE(this.#relative[i] ?? 0, at);
      out.writeInt32BE(this.#position[i] ?? 0, at + 4);
    }
    return out;
  }

  /**
   * Reads an index file, keeping the longest prefix of well-formed entries: both columns strictly
   * increasing, non-negative, positions below `fileSize`. `intact` is false when anything was
   * dropped (a torn last entry, zeros from a crash, garbage).
   */
  static decode(bytes: Buffer, fileSize: number): { index: OffsetIndex; intact: boolean } {
    const count = Math.floor(bytes.length / OFFSET_INDEX_ENTRY_BYTES);
    const index = new OffsetIndex(count);
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < count; i++) {
      const rel = bytes.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES);
      const pos = bytes.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= fileSize) return { index, intact: false };
      index.append(rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    return { index, intact: count * OFFSET_INDEX_ENTRY_BYTES === bytes.length };
  }
}
