/**
 * Capture-server responders for idempotent and transactional producers: InitProducerId hands out
 * fixed producer ids, and every transaction API succeeds.
 */
import { AddOffsetsToTxn, AddPartitionsToTxn, EndTxn, InitProducerId, TxnOffsetCommit } from '../../../src/index.js';
import { IDEMPOTENT_PRODUCER, TRANSACTIONAL_PRODUCER } from './fake-cluster.js';
import type { On } from './handlers.js';

export function registerTransactionResponders(on: On): void {
  on(InitProducerId, (b, _v, _req, respond) =>
    respond(InitProducerId, { throttleTimeMs: 0, errorCode: 0, ...(b.transactionalId === null ? IDEMPOTENT_PRODUCER : TRANSACTIONAL_PRODUCER) }),
  );

  on(AddPartitionsToTxn, (b, v, _req, respond) => {
    const result = (tt: { name: string; partitions: number[] }) => ({
      name: tt.name,
      resultsByPartition: tt.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: 0 })),
    });
    return respond(
      AddPartitionsToTxn,
      v <= 3
        ? { throttleTimeMs: 0, resultsByTopicV3AndBelow: b.v3AndBelowTopics.map(result) }
        : {
            throttleTimeMs: 0,
            errorCode: 0,
            resultsByTransaction: b.transactions.map((tx) => ({ transactionalId: tx.transactionalId, topicResults: tx.topics.map(result) })),
          },
    );
  });

  on(AddOffsetsToTxn, (_b, _v, _req, respond) => respond(AddOffsetsToTxn, { throttleTimeMs: 0, errorCode: 0 }));

  on(TxnOffsetCommit, (b, _v, _req, respond) =>
    respond(TxnOffsetCommit, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => ({ partitionIndex: pp.partitionIndex, errorCode: 0 })),
      })),
    }),
  );

  on(EndTxn, (_b, v, _req, respond) =>
    respond(EndTxn, { throttleTimeMs: 0, errorCode: 0, ...(v >= 5 ? TRANSACTIONAL_PRODUCER : {}) }),
  );
}
