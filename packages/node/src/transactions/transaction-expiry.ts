import type { BrokerConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { TransactionCompletion } from './transaction-completion.js';
import type { TxnMetadata } from './transaction-metadata.js';
import type { TransactionQueue } from './transaction-queue.js';
import type { TransactionStateLog } from './transaction-state-log.js';

export interface TransactionExpiryOptions {
  readonly txns: Map<string, TxnMetadata>;
  readonly log: TransactionStateLog;
  readonly queue: TransactionQueue;
  readonly completion: TransactionCompletion;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly now: () => number;
  /** True once the coordinator is closed: the sweep stops. */
  readonly closed: () => boolean;
}

/** Timeouts and expiry: the coordinator's periodic sweep over the transactional ids it holds. */
export class TransactionExpiry {
  readonly #o: TransactionExpiryOptions;

  constructor(options: TransactionExpiryOptions) {
    this.#o = options;
  }

  /**
   * Aborts open transactions past their timeout, bumping the epoch so the producer is fenced
   * (its next request fails with PRODUCER_FENCED / INVALID_PRODUCER_EPOCH), retries markers of
   * transactions left in a Prepare state and forgets ids idle past transactional.id.expiration.ms.
   */
  async sweep(): Promise<void> {
    const { txns, queue, completion } = this.#o;
    const now = this.#o.now();
    for (const txn of [...txns.values()]) {
      if (this.#o.closed()) return;
      if (this.#o.log.status(txn.transactionalId) !== 0) continue;
      if (txn.state === 'Ongoing' && now - txn.startMs > txn.timeoutMs) {
        this.#o.logger.info({ transactionalId: txn.transactionalId, producerId: String(txn.producerId), timeoutMs: txn.timeoutMs }, 'aborting transaction past its timeout');
        await queue.run(txn.transactionalId, 'abort timed-out txn', () => {
          const current = txns.get(txn.transactionalId);
          if (current?.state !== 'Ongoing' || now - current.startMs <= current.timeoutMs) return Promise.resolve(0);
          return completion.end(current, false, true);
        });
      } else if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') {
        await queue.run(txn.transactionalId, 'complete txn', () => completion.complete(txn.transactionalId));
      } else if (txn.state !== 'Ongoing' && now - txn.lastUpdateMs > this.#o.config.broker['transactional.id.expiration.ms']) {
        // transactional.id.expiration.ms: an idle id is forgotten (a tombstone in the log).
        await queue.run(txn.transactionalId, 'expire transactional id', async () => {
          const current = txns.get(txn.transactionalId);
          if (current === undefined || current.state === 'Ongoing' || now - current.lastUpdateMs <= this.#o.config.broker['transactional.id.expiration.ms']) return 0;
          const error = await this.#o.log.write(txn.transactionalId, null);
          if (error === 0) txns.delete(txn.transactionalId);
          return error;
        });
      }
    }
  }
}
