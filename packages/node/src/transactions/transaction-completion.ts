import { KafkaErrorCode } from '@oxbow/protocol';
import type { Logger } from '../observability/logger.js';
import { fromLog, fromSets, toLog, type TxnMetadata } from './transaction-metadata.js';
import type { TxnLogValue } from './transaction-records.js';
import type { TransactionStateLog } from './transaction-state-log.js';

/** Kafka's Short.MaxValue - 1: the last epoch a producer id may reach before a new id is handed out. */
export const MAX_PRODUCER_EPOCH = 32766;
/** Attempts at writing one marker before the transaction is left to the background retry. */
const MARKER_ATTEMPTS = 10;
const MARKER_BACKOFF_MS = 100;

/** Writes the transaction markers of an ending transaction (in-process on one node; WriteTxnMarkers in a cluster). */
export interface MarkerWriter {
  /** Resolves to a Kafka error code for the partition; UNKNOWN_TOPIC_OR_PARTITION means the partition is gone. */
  write(topic: string, partition: number, marker: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number; commit: boolean }): Promise<number>;
}

export interface TransactionCompletionOptions {
  readonly txns: Map<string, TxnMetadata>;
  readonly log: TransactionStateLog;
  readonly markers: MarkerWriter;
  readonly logger: Logger;
  readonly now: () => number;
  /** True once the coordinator is closed: marker retries stop. */
  readonly closed: () => boolean;
}

/**
 * Ending a transaction, in two phases: the Prepare state is written (the decision is durable),
 * then a marker goes to every partition in the transaction, then the Complete state is written.
 * Callers run these inside the transactional id's queue.
 */
export class TransactionCompletion {
  readonly #o: TransactionCompletionOptions;

  constructor(options: TransactionCompletionOptions) {
    this.#o = options;
  }

  /**
   * Ends an open transaction: Prepare state written, markers written to every partition, Complete
   * state written. `fence` bumps the epoch first (timeouts, a new producer instance), so markers
   * carry the new epoch and the old producer is fenced in every partition.
   */
  async end(txn: TxnMetadata, commit: boolean, fence: boolean): Promise<number> {
    const now = this.#o.now();
    const producerEpoch = fence && txn.producerEpoch < MAX_PRODUCER_EPOCH ? txn.producerEpoch + 1 : txn.producerEpoch;
    const prepare: TxnLogValue = { ...toLog(txn), producerEpoch, state: commit ? 'PrepareCommit' : 'PrepareAbort', lastUpdateMs: now };
    const error = await this.#o.log.write(txn.transactionalId, prepare);
    if (error !== 0) return error;
    this.#o.txns.set(txn.transactionalId, fromLog(txn.transactionalId, prepare));
    // The decision is durable: the client's EndTxn succeeds even if some markers must be retried later.
    await this.complete(txn.transactionalId);
    return 0;
  }

  /** Writes the markers of a transaction in a Prepare state, then its Complete state. */
  async complete(transactionalId: string): Promise<number> {
    const txn = this.#o.txns.get(transactionalId);
    if (txn === undefined || (txn.state !== 'PrepareCommit' && txn.state !== 'PrepareAbort')) return 0;
    const commit = txn.state === 'PrepareCommit';
    const coordinatorEpoch = this.#o.log.coordinatorEpoch(transactionalId);
    const results = await Promise.all(
      fromSets(txn.partitions).flatMap((t) =>
        t.partitions.map((p) => this.#writeMarker(t.topic, p, { producerId: txn.producerId, producerEpoch: txn.producerEpoch, coordinatorEpoch, commit })),
      ),
    );
    if (results.some((ok) => !ok)) {
      this.#o.logger.warn({ transactionalId, commit }, 'some transaction markers could not be written yet; retrying in the background');
      return 0;
    }
    const done: TxnLogValue = { ...toLog(txn), state: commit ? 'CompleteCommit' : 'CompleteAbort', partitions: [], lastUpdateMs: this.#o.now() };
    const error = await this.#o.log.write(transactionalId, done);
    if (error !== 0) {
      this.#o.logger.warn({ transactionalId, errorCode: error }, 'writing the completed transaction state failed; retrying in the background');
      return 0;
    }
    this.#o.txns.set(transactionalId, fromLog(transactionalId, done));
    return 0;
  }

  /** One marker with bounded retries; true once written (or the partition no longer exists). */
  async #writeMarker(topic: string, partition: number, marker: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number; commit: boolean }): Promise<boolean> {
    for (let attempt = 1; attempt <= MARKER_ATTEMPTS && !this.#o.closed(); attempt++) {
      const code = await this.#o.markers.write(topic, partition, marker).catch((err: unknown) => {
        this.#o.logger.warn({ err, topic, partition }, 'writing a transaction marker threw');
        return KafkaErrorCode.UNKNOWN_SERVER_ERROR;
      });
      if (code === 0 || code === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return true;
      // A stale epoch means a newer marker already ended this producer's transaction there.
      if (code === KafkaErrorCode.INVALID_PRODUCER_EPOCH) return true;
      await new Promise((resolve) => setTimeout(resolve, MARKER_BACKOFF_MS * attempt));
    }
    return false;
  }
}
