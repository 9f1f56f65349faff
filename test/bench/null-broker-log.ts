/**
 * The record batches the null broker keeps for one topic, in memory, so that it can serve them to
 * a consumer: the consumer's ceiling, as the null broker's Produce answer is the producer's. Batches
 * are packed into large chunks, so a Fetch answers with a view of one chunk and copies nothing.
 */
import { scanBatches } from '@oxbow/protocol';

const CHUNK_BYTES = 64 * 1024 * 1024;

interface Entry {
  readonly baseOffset: bigint;
  readonly nextOffset: bigint;
  readonly chunk: number;
  readonly start: number;
  readonly end: number;
}

class PartitionBatches {
  readonly entries: Entry[] = [];
  readonly chunks: Buffer[] = [];
  #used = CHUNK_BYTES;
  nextOffset = 0n;

  append(batch: Buffer, records: bigint): void {
    if (batch.length > CHUNK_BYTES) throw new Error(`batch of ${batch.length} B is larger than a chunk`);
    if (this.#used + batch.length > CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafe(CHUNK_BYTES));
      this.#used = 0;
    }
    const chunk = this.chunks.length - 1;
    const target = this.chunks[chunk] as Buffer;
    batch.copy(target, this.#used);
    target.writeBigInt64BE(this.nextOffset, this.#used); // baseOffset; not covered by the CRC
    this.entries.push({ baseOffset: this.nextOffset, nextOffset: this.nextOffset + records, chunk, start: this.#used, end: this.#used + batch.length });
    this.#used += batch.length;
    this.nextOffset += records;
  }

  /** Whole batches from the one holding `offset`, within one chunk, up to `maxBytes` (the first one even if larger). */
  read(offset: bigint, maxBytes: number): Buffer {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.entries[mid] as Entry).nextOffset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const first = this.entries[lo];
    if (first === undefined) return Buffer.alloc(0);
    let last = first;
    for (let i = lo + 1; i < this.entries.length; i++) {
      const e = this.entries[i] as Entry;
      if (e.chunk !== first.chunk || e.end - first.start > maxBytes) break;
      last = e;
    }
    return (this.chunks[first.chunk] as Buffer).subarray(first.start, last.end);
  }
}

export class NullBrokerLog {
  readonly #partitions = new Map<number, PartitionBatches>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps the batches of one Produce partition while under `maxBytes`; drops them once full. */
  append(partition: number, records: Buffer): void {
    if (this.#bytes + records.length > this.maxBytes) return;
    let p = this.#partitions.get(partition);
    if (p === undefined) {
      p = new PartitionBatches();
      this.#partitions.set(partition, p);
    }
    for (const b of scanBatches(records, { verifyCrc: false })) {
      p.append(b.bytes(), BigInt(b.lastOffsetDelta + 1));
      this.#bytes += b.size;
    }
  }

  endOffset(partition: number): bigint {
    return this.#partitions.get(partition)?.nextOffset ?? 0n;
  }

  read(partition: number, offset: bigint, maxBytes: number): Buffer {
    return this.#partitions.get(partition)?.read(offset, maxBytes) ?? Buffer.alloc(0);
  }
}
