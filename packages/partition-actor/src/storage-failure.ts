import { KafkaErrorCode } from '@oxbow/protocol';
import { StorageError } from '@oxbow/storage';
import type { PartitionLogger } from './partition-actor-options.js';
import type { AppendResult } from './partition-handle.js';

/** An answer's offset or timestamp when it has none. */
export const NO_OFFSET = -1n;

/** An append's answer when nothing was stored. */
export function appendError(errorCode: number, message: string, logStartOffset: bigint): AppendResult {
  return { errorCode, errorMessage: message, baseOffset: NO_OFFSET, logAppendTimeMs: NO_OFFSET, logStartOffset };
}

/**
 * Whether a partition's storage failed. After a storage I/O failure the partition answers
 * KAFKA_STORAGE_ERROR until it is reopened; the failure is logged once.
 */
export class StorageFailure {
  readonly #where: { readonly topic: string; readonly partition: number };
  readonly #logger: PartitionLogger | undefined;
  readonly #logStartOffset: () => bigint;
  #error: Error | null = null;

  constructor(where: { readonly topic: string; readonly partition: number }, logger: PartitionLogger | undefined, logStartOffset: () => bigint) {
    this.#where = where;
    this.#logger = logger;
    this.#logStartOffset = logStartOffset;
  }

  /** The I/O failure that took the partition offline, or null while it serves. */
  get error(): Error | null {
    return this.#error;
  }

  /** Takes the partition offline after an I/O failure (logged once); other errors are rethrown. */
  record(err: unknown): AppendResult {
    // Remote storage that may come back (an object store outage) fails this request only.
    if (err instanceof StorageError && err.code === 'unavailable') return appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, err.message, this.#logStartOffset());
    if (!(err instanceof StorageError) || err.code !== 'io') throw err;
    if (this.#error === null) {
      this.#error = err;
      this.#logger?.error({ err, topic: this.#where.topic, partition: this.#where.partition }, 'partition storage failed; answering KAFKA_STORAGE_ERROR until reopened');
    }
    return appendError(KafkaErrorCode.KAFKA_STORAGE_ERROR, err.message, this.#logStartOffset());
  }
}
