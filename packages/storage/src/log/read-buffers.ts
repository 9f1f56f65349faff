/** Reads smaller than this get ordinary buffers: not worth a slab. */
const MIN_POOLED_BYTES = 64 * 1024;
/** Reads larger than this get ordinary buffers: rare, and not worth keeping around. */
const MAX_SLAB_BYTES = 16 * 1024 * 1024;
/** Idle slabs kept at most, in bytes (for the whole process). */
const MAX_FREE_BYTES = 64 * 1024 * 1024;

/** Slabs come in powers of two so that reads of similar size (a consumer's fetches) share them. */
function slabSize(size: number): number {
  let s = MIN_POOLED_BYTES;
  while (s < size) s *= 2;
  return s;
}

/**
 * Reusable buffers for log reads, one pool per process.
 *
 * Why: a consumer's fetches read megabytes per request into fresh buffers, and V8 answers that much
 * new external memory with full (mark-compact) collections; profiled, those were about half of the
 * broker's CPU while serving fetches. A reader that knows when it is done with the bytes (the Kafka
 * connection, once a Fetch response is written to the socket) gives them back with `recycle`.
 *
 * Contract: `recycle` MUST only be called when no one uses the buffer, or any other view of the same
 * memory, any more; the slab is handed to the next read. Buffers that are never recycled are simply
 * collected. `recycle` of a buffer that did not come from here, or a second `recycle`, does nothing.
 */
class ReadBufferPool {
  readonly #free: Buffer[] = [];
  #freeBytes = 0;
  /**
   * Slabs handed out and not yet recycled, by their memory. Weak: a slab whose bytes are dropped
   * instead of recycled (a follower's read, a long-poll pass that is read again) is collected.
   */
  readonly #inUse = new WeakMap<ArrayBufferLike, Buffer>();

  /** A buffer of exactly `size` bytes (contents undefined). */
  acquire(size: number): Buffer {
    if (size < MIN_POOLED_BYTES || size > MAX_SLAB_BYTES) return Buffer.allocUnsafe(size);
    const index = this.#free.findIndex((s) => s.length >= size && s.length <= size * 4);
    let slab: Buffer;
    if (index >= 0) {
      slab = this.#free[index] as Buffer;
      this.#free.splice(index, 1);
      this.#freeBytes -= slab.length;
    } else {
      slab = Buffer.allocUnsafeSlow(slabSize(size));
    }
    this.#inUse.set(slab.buffer, slab);
    return slab.subarray(0, size);
  }

  recycle(bytes: Buffer): void {
    const slab = this.#inUse.get(bytes.buffer);
    if (slab === undefined) return;
    this.#inUse.delete(bytes.buffer);
    if (this.#freeBytes + slab.length > MAX_FREE_BYTES) return;
    this.#free.push(slab);
    this.#freeBytes += slab.length;
  }
}

export const readBuffers = new ReadBufferPool();
