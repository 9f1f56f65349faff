import type { LogConfig, PartitionLog, TimestampOffset } from '@oxbow/storage';
import type { AppendInfo, PartitionBackend } from './backend.js';
import { readLatestSnapshot, writeSnapshotFile } from './producer-snapshot.js';

/** `storage.mode=standard`: the partition's local log (segments and indexes on disk). */
export class LocalLogBackend implements PartitionBackend {
  readonly #log: PartitionLog;

  constructor(log: PartitionLog) {
    this.#log = log;
  }

  get logStartOffset(): bigint {
    return this.#log.logStartOffset;
  }

  get logEndOffset(): bigint {
    return this.#log.logEndOffset;
  }

  append(batches: Buffer, info: AppendInfo): Promise<void> {
    return this.#log.append(batches, info);
  }

  async read(offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Promise<Buffer> {
    const result = await this.#log.read(offset, { maxBytes, maxOffset, minOneBatch });
    return result.records;
  }

  offsetForTimestamp(timestamp: bigint): Promise<TimestampOffset | null> {
    return this.#log.offsetForTimestamp(timestamp);
  }

  maxTimestamp(): TimestampOffset | null {
    return this.#log.maxTimestamp();
  }

  deleteRecordsBefore(offset: bigint): Promise<void> {
    return this.#log.deleteRecordsBefore(offset);
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: bigint } {
    return this.#log.epochs.endOffsetForEpoch(epoch);
  }

  latestEpoch(): number {
    return this.#log.epochs.latestEpoch;
  }

  truncateTo(offset: bigint): Promise<void> {
    return this.#log.truncateTo(offset);
  }

  assignEpochStartOffset(epoch: number, offset: bigint): Promise<void> {
    return this.#log.epochs.assignEpochStartOffset(epoch, offset);
  }

  readProducerSnapshot(): Promise<Buffer | null> {
    return readLatestSnapshot(this.#log.dir);
  }

  writeProducerSnapshot(offset: bigint, data: Buffer): Promise<void> {
    return writeSnapshotFile(this.#log.dir, offset, data);
  }

  async housekeeping(nowMs: number): Promise<void> {
    const policy = this.#log.config.cleanupPolicy;
    if (policy.includes('compact')) await this.#log.compact(nowMs);
    if (policy.includes('delete')) await this.#log.applyRetention(nowMs);
  }

  updateConfig(config: LogConfig): void {
    this.#log.updateConfig(config);
  }

  close(): Promise<void> {
    return this.#log.close();
  }

  destroy(): Promise<void> {
    return this.#log.deleteLog();
  }
}
