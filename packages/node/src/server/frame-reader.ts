import { ProtocolError } from '@oxbow/protocol';

/**
 * Gives the buffer a frame is assembled in. `head` is the part of the frame already received (at
 * least one byte), so a caller can pick by the frame's first bytes (its api key). It MUST return
 * a buffer of exactly `size` bytes that nothing else writes to while the frame is used.
 */
export type FrameAllocator = (size: number, head: Buffer) => Buffer;

/** Below this many bytes still missing, a frame's rest is read through the scratch buffer. */
const DIRECT_READ_MIN_BYTES = 16 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Splits a socket's byte stream into size-prefixed frames (int32 size, then that many bytes),
 * choosing the memory each read lands in, for `net.Socket`'s `onread` mode:
 * `nextBuffer()` says where the next read goes, `onRead(n)` takes the `n` bytes that arrived there.
 *
 * Why: the default 'data' path gives every read a fresh 64 KiB buffer, which the frame's bytes
 * are then copied out of; at produce rates that is a gigabyte of short-lived external memory per
 * gigabyte ingested, and the garbage collector runs to match (docs/broker.md, Performance). Here
 * small frames are copied out of one reused scratch buffer, and the rest of a large frame is read
 * by the kernel straight into the frame's own (pooled) buffer, so its bytes are copied once.
 *
 * The size is checked against `maxFrameBytes` before anything is allocated for the frame.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  readonly #allocate: FrameAllocator;
  readonly #scratch: Buffer;
  /** The size prefix being read (it may be split across reads). */
  readonly #prefix = Buffer.alloc(4);
  #prefixFill = 0;
  /** Size of the frame being read, or -1 while its size prefix is incomplete. */
  #need = -1;
  /** The frame being filled (null before its first byte arrives). */
  #frame: Buffer | null = null;
  #fill = 0;
  /** Whether the buffer last returned by nextBuffer() is the rest of #frame. */
  #direct = false;

  constructor(maxFrameBytes: number, allocate: FrameAllocator, scratchBytes = 64 * 1024) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#allocate = allocate;
    this.#scratch = Buffer.allocUnsafeSlow(scratchBytes);
  }

  /** Where the next socket read should land: the rest of a large frame, or the scratch buffer. */
  nextBuffer(): Buffer {
    const frame = this.#frame;
    if (frame !== null && frame.length - this.#fill >= DIRECT_READ_MIN_BYTES) {
      this.#direct = true;
      return frame.subarray(this.#fill);
    }
    this.#direct = false;
    return this.#scratch;
  }

  /**
   * Takes `nread` bytes that arrived in the buffer last returned by nextBuffer(); returns every
   * frame now complete (without its size prefix). Throws ProtocolError for a negative or too large
   * size; the stream is unusable after that.
   */
  onRead(nread: number): Buffer[] {
    const frames: Buffer[] = [];
    if (this.#direct) {
      this.#fill += nread;
      this.#completeFrame(frames);
      return frames;
    }
    const src = this.#scratch;
    let p = 0;
    while (p < nread) {
      if (this.#need < 0) {
        const take = Math.min(4 - this.#prefixFill, nread - p);
        src.copy(this.#prefix, this.#prefixFill, p, p + take);
        this.#prefixFill += take;
        p += take;
        if (this.#prefixFill < 4) break;
        this.#prefixFill = 0;
        this.#startFrame(this.#prefix.readInt32BE(0), frames);
        continue;
      }
      let frame = this.#frame;
      const take = Math.min(this.#need - this.#fill, nread - p);
      if (frame === null) {
        frame = this.#allocate(this.#need, src.subarray(p, p + take));
        this.#frame = frame;
        this.#fill = 0;
      }
      src.copy(frame, this.#fill, p, p + take);
      this.#fill += take;
      p += take;
      this.#completeFrame(frames);
    }
    return frames;
  }

  #startFrame(size: number, frames: Buffer[]): void {
    if (size < 0) throw new ProtocolError('NEGATIVE_LENGTH', `frame size ${size}`, 0);
    if (size > this.#maxFrameBytes) {
      throw new ProtocolError('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${this.#maxFrameBytes}`, 0);
    }
    if (size === 0) {
      frames.push(EMPTY);
      return;
    }
    this.#need = size;
  }

  #completeFrame(frames: Buffer[]): void {
    if (this.#frame === null || this.#fill < this.#need) return;
    frames.push(this.#frame);
    this.#frame = null;
    this.#fill = 0;
    this.#need = -1;
  }
}
