/** Frames above this size get a fresh buffer: rare, and not worth keeping around. */
const DEFAULT_MAX_SLAB_BYTES = 16 * 1024 * 1024;
/** Idle slabs one pool keeps at most, in bytes. */
const DEFAULT_MAX_FREE_BYTES = 8 * 1024 * 1024;
const MIN_SLAB_BYTES = 64 * 1024;

/** Slabs come in powers of two so that frames of similar size (a client's batches) share them. */
function slabSize(size: number): number {
  let s = MIN_SLAB_BYTES;
  while (s < size) s *= 2;
  return s;
}

/**
 * Reusable buffers for request frames that span socket reads, one pool per connection.
 *
 * Why: copying every ~1 MiB produce frame into a fresh buffer shows V8 that much new external
 * memory per request, and it answers with full collections every few tens of MiB (see
 * docs/broker.md, Performance). Reusing a few slabs removes the allocation, its page faults and
 * most of that garbage-collection work.
 *
 * Contract: the caller MUST NOT use a frame, or any view into it, after passing it to `release`;
 * the slab behind it is handed to the next frame. So only frames whose bytes provably die with
 * their request may come from here (Produce: storage writes the bytes to the file and keeps no
 * reference, producer state keeps numbers only). `release` of a frame that did not come from the
 * pool, or a second `release`, does nothing.
 */
export class FramePool {
  readonly #maxSlabBytes: number;
  readonly #maxFreeBytes: number;
  readonly #free: Buffer[] = [];
  #freeBytes = 0;
  /** Frames handed out and not yet released, each with the slab it is a view of. */
  readonly #inUse = new Map<Buffer, Buffer>();
  #closed = false;

  constructor(maxSlabBytes = DEFAULT_MAX_SLAB_BYTES, maxFreeBytes = DEFAULT_MAX_FREE_BYTES) {
    this.#maxSlabBytes = maxSlabBytes;
    this.#maxFreeBytes = maxFreeBytes;
  }

  /** A buffer of exactly `size` bytes (contents undefined), pooled unless it is too large. */
  acquire(size: number): Buffer {
    if (this.#closed || size > this.#maxSlabBytes) return Buffer.allocUnsafe(size);
    const index = this.#free.findIndex((s) => s.length >= size);
    let slab: Buffer;
    if (index >= 0) {
      slab = this.#free[index] as Buffer;
      this.#free.splice(index, 1);
      this.#freeBytes -= slab.length;
    } else {
      slab = Buffer.allocUnsafeSlow(slabSize(size));
    }
    const frame = slab.subarray(0, size);
    this.#inUse.set(frame, slab);
    return frame;
  }

  /** Gives a frame's slab back for reuse; the frame must not be used any more. */
  release(frame: Buffer): void {
    const slab = this.#inUse.get(frame);
    if (slab === undefined) return;
    this.#inUse.delete(frame);
    if (this.#closed || this.#freeBytes + slab.length > this.#maxFreeBytes) return;
    this.#free.push(slab);
    this.#freeBytes += slab.length;
  }

  /** Drops idle slabs; later acquires allocate fresh buffers and releases keep nothing. */
  close(): void {
    this.#closed = true;
    this.#free.length = 0;
    this.#freeBytes = 0;
  }
}
