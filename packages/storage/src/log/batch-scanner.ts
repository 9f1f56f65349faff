import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, RecordBatchView } from '@oxbow/protocol';
import { readFully, type LogFile } from './log-file.js';

const MAGIC_AT = 16;
const LENGTH_AT = 8;
const INT32_MAX = 0x7fffffff;

export interface BatchScannerOptions {
  /**
   * Hold each whole batch in memory (needed for CRC checks, decoding, copying). Otherwise only
   * headers are read and the returned views are valid for header fields only.
   */
  readonly wholeBatches: boolean;
  /** Verify each batch's CRC (implies wholeBatches). */
  readonly verifyCrc: boolean;
  /**
   * Segment base offset: when set, batches must have base offsets ≥ it, strictly increasing
   * offsets, and offsets within int32 of it (what recovery requires of a segment).
   */
  readonly segmentBase?: bigint;
  /** Bytes read per file access (default 64 KiB; 1 MiB suits whole-batch scans). */
  readonly chunkBytes?: number;
}

/** Why a scan ended: `end` at `end`; `torn` (a batch runs past the end) or `corrupt` otherwise. */
export type ScanStop = { readonly reason: 'end' } | { readonly reason: 'torn' | 'corrupt'; readonly position: number; readonly detail: string };

/**
 * Walks the batches of a segment file between two positions, checking structure (v2 magic, sane
 * length, inside the range) and optionally CRCs. Reads in chunks, so a 1 GiB segment never sits in
 * memory; each returned view owns its buffer and stays valid after further calls.
 */
export class BatchScanner {
  readonly #file: LogFile;
  readonly #end: number;
  readonly #options: BatchScannerOptions;
  readonly #chunk: number;
  #pos: number;
  #buf: Buffer = Buffer.alloc(0);
  #bufAt = 0;
  #batchAt = -1;
  #nextMinOffset: bigint | null;
  #stop: ScanStop | null = null;

  constructor(file: LogFile, start: number, end: number, options: BatchScannerOptions) {
    this.#file = file;
    this.#pos = start;
    this.#end = end;
    this.#options = options;
    this.#chunk = options.chunkBytes ?? 64 * 1024;
    this.#nextMinOffset = options.segmentBase ?? null;
  }

  /** File position of the batch last returned by next(). */
  get position(): number {
    return this.#batchAt;
  }

  /** End of the last valid batch (the start position before any). */
  get validEnd(): number {
    return this.#pos;
  }

  /** Set once next() has returned null. */
  get stop(): ScanStop | null {
    return this.#stop;
  }

  /** The next valid batch, or null at the end of the range or at the first invalid batch. */
  async next(): Promise<RecordBatchView | null> {
    if (this.#stop !== null) return null;
    const pos = this.#pos;
    const left = this.#end - pos;
    if (left <= 0) return this.#finish({ reason: 'end' });
    if (left < BATCH_HEADER_SIZE) return this.#finish({ reason: 'torn', position: pos, detail: `${left} trailing bytes` });
    if (!(await this.#ensure(pos, BATCH_HEADER_SIZE))) return this.#finish({ reason: 'torn', position: pos, detail: 'file shorter than expected' });
    let header = new RecordBatchView(this.#buf, pos - this.#bufAt);
    const magic = this.#buf.readInt8(header.start + MAGIC_AT);
    const length = this.#buf.readInt32BE(header.start + LENGTH_AT);
    if (magic !== 2) return this.#finish({ reason: 'corrupt', position: pos, detail: `magic ${magic}` });
    if (length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD) return this.#finish({ reason: 'corrupt', position: pos, detail: `batch length ${length}` });
    const size = length + BATCH_LOG_OVERHEAD;
    if (size > left) return this.#finish({ reason: 'torn', position: pos, detail: `batch of ${size} bytes, ${left} left` });
    if (header.lastOffsetDelta < 0 || header.recordsCount < 0) return this.#finish({ reason: 'corrupt', position: pos, detail: 'negative offset delta or count' });
    const base = this.#options.segmentBase;
    if (base !== undefined) {
      const min = this.#nextMinOffset ?? base;
      if (header.baseOffset < min) return this.#finish({ reason: 'corrupt', position: pos, detail: `offset ${header.baseOffset} not above ${min - 1n}` });
      if (header.lastOffset - base > BigInt(INT32_MAX)) return this.#finish({ reason: 'corrupt', position: pos, detail: 'offset beyond int32 of the segment base' });
    }
    if (this.#options.wholeBatches || this.#options.verifyCrc) {
      if (!(await this.#ensure(pos, size))) return this.#finish({ reason: 'torn', position: pos, detail: 'file shorter than expected' });
      header = new RecordBatchView(this.#buf, pos - this.#bufAt);
      if (this.#options.verifyCrc && !header.isCrcValid()) return this.#finish({ reason: 'corrupt', position: pos, detail: 'CRC mismatch' });
    }
    this.#nextMinOffset = header.lastOffset + 1n;
    this.#batchAt = pos;
    this.#pos = pos + size;
    return header;
  }

  #finish(stop: ScanStop): null {
    this.#stop = stop;
    return null;
  }

  /** Makes bytes [pos, pos+n) available in the buffer; false if the file ends first. */
  async #ensure(pos: number, n: number): Promise<boolean> {
    if (pos >= this.#bufAt && pos + n <= this.#bufAt + this.#buf.length) return true;
    const want = Math.min(Math.max(n, this.#chunk), this.#end - pos);
    // A fresh buffer per refill: views handed out earlier keep their bytes.
    const buf = Buffer.allocUnsafe(want);
    const got = await readFully(this.#file, buf, want, pos);
    this.#buf = buf.subarray(0, got);
    this.#bufAt = pos;
    return got >= n;
  }
}
