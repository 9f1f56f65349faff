import type { TimestampOffset } from '@oxbow/storage';
import type { AppendInfo, PartitionBackend } from '../src/backend.js';

type Operation = 'append' | 'read' | 'offsetForTimestamp' | 'deleteRecordsBefore';

/**
 * A PartitionBackend that delegates to a real one and misbehaves on demand: fails chosen operations
 * with a given error (an I/O failure, say), and can hold appends open after the real append has
 * stored the bytes, so a test can look at the partition between "stored" and "acknowledged".
 */
export class TestFailingBackend implements PartitionBackend {
  readonly #inner: PartitionBackend;
  readonly #failures = new Map<Operation, Error>();
  #hold: Promise<void> | null = null;
  /** How many appends reached the real backend. */
  appendsStored = 0;

  constructor(inner: PartitionBackend) {
    this.#inner = inner;
  }

  /** Every later call of `op` throws `err` (until `heal`). */
  failOn(op: Operation, err: Error): void {
    this.#failures.set(op, err);
  }

  heal(): void {
    this.#failures.clear();
  }

  /** Appends store their bytes, then wait until the returned function is called. */
  holdAppends(): () => void {
    let release = (): void => undefined;
    this.#hold = new Promise<void>((resolve) => {
      release = () => {
        this.#hold = null;
        resolve();
      };
    });
    return release;
  }

  get logStartOffset(): bigint {
    return this.#inner.logStartOffset;
  }

  get logEndOffset(): bigint {
    return this.#inner.logEndOffset;
  }

  async append(batches: Buffer, info: AppendInfo): Promise<void> {
    this.#check('append');
    await this.#inner.append(batches, info);
    this.appendsStored++;
    if (this.#hold !== null) await this.#hold;
  }

  read(offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Promise<Buffer> {
    this.#check('read');
    return this.#inner.read(offset, maxBytes, maxOffset, minOneBatch);
  }

  offsetForTimestamp(timestamp: bigint): Promise<TimestampOffset | null> {
    this.#check('offsetForTimestamp');
    return this.#inner.offsetForTimestamp(timestamp);
  }

  maxTimestamp(): TimestampOffset | null {
    return this.#inner.maxTimestamp();
  }

  deleteRecordsBefore(offset: bigint): Promise<void> {
    this.#check('deleteRecordsBefore');
    return this.#inner.deleteRecordsBefore(offset);
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: bigint } {
    return this.#inner.endOffsetForEpoch(epoch);
  }

  assignEpochStartOffset(epoch: number, offset: bigint): Promise<void> {
    return this.#inner.assignEpochStartOffset(epoch, offset);
  }

  latestEpoch(): number {
    return this.#inner.latestEpoch();
  }

  truncateTo(offset: bigint): Promise<void> {
    return this.#inner.truncateTo(offset);
  }

  housekeeping(nowMs: number): Promise<void> {
    return this.#inner.housekeeping(nowMs);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }

  #check(op: Operation): void {
    const err = this.#failures.get(op);
    if (err !== undefined) throw err;
  }

  readProducerSnapshot(): Promise<Buffer | null> {
    return this.#inner.readProducerSnapshot();
  }

  writeProducerSnapshot(offset: bigint, data: Buffer): Promise<void> {
    return this.#inner.writeProducerSnapshot(offset, data);
  }
}
