import { KafkaErrorCode } from '@oxbow/protocol';

/**
 * Per-partition idempotent-producer state, after Kafka's ProducerStateManager: for each producer
 * id its epoch and the last {@link BATCHES_TO_RETAIN} batches appended (sequence range and
 * offsets). The actor asks {@link ProducerStateTable.check} before assigning offsets and calls
 * {@link ProducerStateTable.record} once the batch is stored; start-up rebuilds the table from a
 * snapshot plus the batch headers after it ({@link ProducerStateTable.replay}).
 *
 * Rules (client appends, batches with producerId ≥ 0):
 * - a batch with the producer's current epoch and the same first and last sequence as a retained
 *   batch is a duplicate: answered with the original base offset, nothing appended;
 * - an epoch lower than the producer's is INVALID_PRODUCER_EPOCH (Kafka ≥ 2.7 answers this, not
 *   PRODUCER_FENCED, on Produce);
 * - a higher epoch must start at sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - with the current epoch the first sequence must follow the last one (Int32 max wraps to 0),
 *   else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - a producer id the partition has no state for (new, or expired after producer.id.expiration.ms)
 *   is accepted at any sequence, as Kafka does since KIP-360 (2.5): brokers no longer answer
 *   UNKNOWN_PRODUCER_ID on Produce, clients reset their sequences on an epoch bump instead.
 */

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN: clients keep at most 5 requests in flight. */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;

/** The header fields of a record batch the table looks at (a RecordBatchView has them all). */
export interface ProducerBatch {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly lastOffsetDelta: number;
  readonly isControl: boolean;
}

export interface RetainedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  /** Broker time (ms) of the append, or the batch's max timestamp when rebuilt from the log. */
  readonly timestamp: bigint;
}

export interface ProducerEntry {
  readonly producerId: bigint;
  readonly epoch: number;
  /** Oldest first; at most BATCHES_TO_RETAIN, all of `epoch`. */
  readonly batches: readonly RetainedBatch[];
  /** Latest `timestamp` among its batches; expiry counts from it. */
  readonly lastTimestamp: bigint;
}

export type ProducerCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly batch: RetainedBatch }
  | { readonly kind: 'error'; readonly errorCode: number; readonly message: string };

const APPEND: ProducerCheck = { kind: 'append' };

/** Int32 sequence arithmetic as Kafka's DefaultRecordBatch.incrementSequence: wraps past Int32 max to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateTable {
  readonly #producers = new Map<bigint, ProducerEntry>();

  get size(): number {
    return this.#producers.size;
  }

  get(producerId: bigint): ProducerEntry | undefined {
    return this.#producers.get(producerId);
  }

  entries(): IterableIterator<ProducerEntry> {
    return this.#producers.values();
  }

  /** Decides what to do with a client's batch; never changes the table. */
  check(batch: ProducerBatch): ProducerCheck {
    if (batch.producerId < 0n) return APPEND;
    const where = `producer ${batch.producerId}`;
    if (batch.baseSequence < 0) {
      return { kind: 'error', errorCode: KafkaErrorCode.INVALID_RECORD, message: `Batch of ${where} has producer id but invalid sequence ${batch.baseSequence}` };
    }
    const entry = this.#producers.get(batch.producerId);
    if (entry === undefined) return APPEND;
    const firstSeq = batch.baseSequence;
    if (batch.producerEpoch === entry.epoch) {
      const lastSeq = incrementSequence(firstSeq, batch.lastOffsetDelta);
      const duplicate = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
      if (duplicate !== undefined) return { kind: 'duplicate', batch: duplicate };
      const last = entry.batches[entry.batches.length - 1];
      if (last !== undefined && !inSequence(last.lastSeq, firstSeq)) {
        return { kind: 'error', errorCode: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `Out of order sequence for ${where}: ${firstSeq}, expected ${incrementSequence(last.lastSeq, 1)}` };
      }
      return APPEND;
    }
    if (batch.producerEpoch < entry.epoch) {
      return { kind: 'error', errorCode: KafkaErrorCode.INVALID_PRODUCER_EPOCH, message: `Epoch ${batch.producerEpoch} of ${where} is older than its current epoch ${entry.epoch}` };
    }
    if (firstSeq !== 0) {
      return { kind: 'error', errorCode: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `New epoch ${batch.producerEpoch} of ${where} must start at sequence 0, not ${firstSeq}` };
    }
    return APPEND;
  }

  /** Remembers a batch stored at `firstOffset` (after a successful check, or replayed from the log). */
  record(batch: ProducerBatch, firstOffset: bigint, timestamp: bigint): void {
    if (batch.producerId < 0n || batch.isControl || batch.baseSequence < 0) return;
    const current = this.#producers.get(batch.producerId);
    const retained: RetainedBatch = {
      firstSeq: batch.baseSequence,
      lastSeq: incrementSequence(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset,
      lastOffsetDelta: batch.lastOffsetDelta,
      timestamp,
    };
    const previous = current !== undefined && current.epoch === batch.producerEpoch ? current.batches : [];
    const batches = [...previous, retained].slice(-BATCHES_TO_RETAIN);
    const lastTimestamp = current !== undefined && current.lastTimestamp > timestamp ? current.lastTimestamp : timestamp;
    this.#producers.set(batch.producerId, { producerId: batch.producerId, epoch: batch.producerEpoch, batches, lastTimestamp });
  }

  /**
   * A transaction marker written with `epoch` (by the transaction coordinator, which bumps the epoch
   * when it aborts a timed-out transaction): a newer epoch replaces the producer's, so batches of the
   * older epoch are refused from now on.
   */
  bumpEpoch(producerId: bigint, epoch: number, timestamp: bigint): void {
    const current = this.#producers.get(producerId);
    if (current !== undefined && current.epoch >= epoch) return;
    const lastTimestamp = current !== undefined && current.lastTimestamp > timestamp ? current.lastTimestamp : timestamp;
    this.#producers.set(producerId, { producerId, epoch, batches: [], lastTimestamp });
  }

  /** Rebuild from the log: the stored batches were validated when appended, so no checks. */
  replay(batch: ProducerBatch & { readonly baseOffset: bigint; readonly maxTimestamp: bigint }): void {
    this.record(batch, batch.baseOffset, batch.maxTimestamp);
  }

  /** Kafka's producer.id.expiration.ms: forgets producers idle for longer. Returns how many went. */
  expire(nowMs: number, expirationMs: number): number {
    const cutoff = BigInt(nowMs) - BigInt(expirationMs);
    let removed = 0;
    for (const [id, entry] of this.#producers) {
      if (entry.lastTimestamp < cutoff) {
        this.#producers.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Forgets producers whose last batch ends below `logStartOffset` (retention, DeleteRecords). */
  truncateBefore(logStartOffset: bigint): void {
    for (const [id, entry] of this.#producers) {
      const last = entry.batches[entry.batches.length - 1];
      if (last === undefined || last.firstOffset + BigInt(last.lastOffsetDelta) < logStartOffset) this.#producers.delete(id);
    }
  }

  clear(): void {
    this.#producers.clear();
  }

  /** Puts back an entry read from a snapshot. */
  restore(entry: ProducerEntry): void {
    this.#producers.set(entry.producerId, entry);
  }
}
