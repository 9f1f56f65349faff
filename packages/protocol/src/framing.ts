import { ProtocolError } from './errors/protocol-error.js';
import { Reader } from './io/reader.js';
import { Writer } from './io/writer.js';
import type { Api, RequestInputOf, ResponseInputOf, RequestOf, ResponseOf } from './schema/api.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  type RequestHeader,
} from './header.js';

/** Kafka's default `socket.request.max.bytes`. */
export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

/**
 * Gives the buffer a frame that spans several chunks is copied into. `head` is the part of the
 * frame in its first chunk (at least one byte), so a caller can pick by the frame's first bytes.
 * It MUST return a buffer of exactly `size` bytes that nothing else writes to while the frame is used.
 */
export type FrameAllocator = (size: number, head: Buffer) => Buffer;

const allocateFresh: FrameAllocator = (size) => Buffer.allocUnsafe(size);

/**
 * Splits a byte stream into size-prefixed frames (int32 size, then that many bytes). The size is
 * checked against `maxFrameBytes` before anything is allocated for the frame, so a client that
 * announces a 2 GiB frame costs nothing. Sans-io: feed it chunks, get frames back.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #allocate: FrameAllocator;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #need = -1;

  /** `allocate` gives the buffers for frames that span chunks (default: a fresh buffer each). */
  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES, allocate: FrameAllocator = allocateFresh) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#allocate = allocate;
  }

  /** Bytes received but not yet returned as a frame. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /** Size of the frame being assembled, or -1 while its size prefix is incomplete. */
  get pendingFrameSize(): number {
    return this.#need;
  }

  /** Adds bytes; returns every frame now complete (each frame without its size prefix). */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
    }
    for (;;) {
      if (this.#need < 0) {
        if (this.#pendingBytes < 4) return frames;
        const size = this.#take(4).readInt32BE(0);
        if (size < 0) throw new ProtocolError('NEGATIVE_LENGTH', `frame size ${size}`, 0);
        if (size > this.#maxFrameBytes) {
          throw new ProtocolError('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${this.#maxFrameBytes}`, 0);
        }
        this.#need = size;
      }
      if (this.#pendingBytes < this.#need) return frames;
      frames.push(this.#take(this.#need));
      this.#need = -1;
    }
  }

  #take(n: number): Buffer {
    const first = this.#pending[0];
    if (first !== undefined && first.length >= n) {
      // Common case: the whole frame is inside one chunk; return a view.
      const out = first.subarray(0, n);
      if (first.length === n) this.#pending.shift();
      else this.#pending[0] = first.subarray(n);
      this.#pendingBytes -= n;
      return out;
    }
    // A split size prefix (4 bytes, read and dropped at once) is not worth the allocator.
    const out = n === 4 || first === undefined ? Buffer.allocUnsafe(n) : this.#allocate(n, first);
    let filled = 0;
    while (filled < n) {
      const c = this.#pending[0] as Buffer;
      const take = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, take);
      filled += take;
      if (take === c.length) this.#pending.shift();
      else this.#pending[0] = c.subarray(take);
    }
    this.#pendingBytes -= n;
    return out;
  }
}

/** A decoded request frame. `body` is typed by narrowing on `api`. */
export interface DecodedRequest<A extends Api = Api> {
  readonly header: RequestHeader;
  readonly api: A;
  readonly body: RequestOf<A>;
  /**
   * Bytes left after the body. Kafka ignores them, and real clients send them (librdkafka 2.0
   * writes ListGroups v3+ with its empty tag buffer twice), so they are reported, not rejected.
   */
  readonly trailingBytes: number;
}

/** Decodes a whole request frame (without its size prefix). */
export function decodeRequestFrame(frame: Buffer, lookup: (apiKey: number) => Api | undefined): DecodedRequest {
  const r = new Reader(frame);
  const { header, api } = decodeRequestHeader(r, lookup);
  const body = api.decodeRequest(r, header.apiVersion);
  return { header, api, body, trailingBytes: r.remaining };
}

/** Encodes a request with its size prefix. */
export function encodeRequestFrame<A extends Api>(api: A, header: Omit<RequestHeader, 'apiKey'>, body: RequestInputOf<A>): Buffer[] {
  const w = new Writer();
  w.writeInt32(0);
  encodeRequestHeader(w, api, { ...header, apiKey: api.apiKey });
  api.encodeRequest(w, header.apiVersion, body);
  w.patchInt32(0, w.length - 4);
  return w.toChunks();
}

/** Encodes a response with its size prefix, as chunks for `writev`. */
export function encodeResponseFrame<A extends Api>(api: A, version: number, correlationId: number, body: ResponseInputOf<A>): Buffer[] {
  const w = new Writer();
  w.writeInt32(0);
  encodeResponseHeader(w, api, version, { correlationId });
  api.encodeResponse(w, version, body);
  w.patchInt32(0, w.length - 4);
  return w.toChunks();
}

/** Decodes a response frame (without its size prefix) for a request of `api` at `version`. */
export function decodeResponseFrame<A extends Api>(frame: Buffer, api: A, version: number): { correlationId: number; body: ResponseOf<A> } {
  const r = new Reader(frame);
  const { correlationId } = decodeResponseHeader(r, api, version);
  const body = api.decodeResponse(r, version) as ResponseOf<A>;
  if (r.remaining !== 0) {
    throw new ProtocolError('TRAILING_BYTES', `${r.remaining} bytes after the ${api.name} v${version} response`, r.offset);
  }
  return { correlationId, body };
}
