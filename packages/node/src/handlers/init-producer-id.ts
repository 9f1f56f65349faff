import { InitProducerId, KafkaErrorCode } from '@oxbow/protocol';
import { fencedFor } from './add-partitions-to-txn.js';
import { defineHandler } from './handler.js';

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;

/**
 * InitProducerId (22), v0-5.
 *
 * - Null transactional id (idempotent producers): a fresh producer id from this broker's block
 *   (never reused, see `ProducerIdAllocator`) with epoch 0. As in Kafka's TransactionCoordinator,
 *   a v3+ request carrying its current producer id and epoch (KIP-360) also gets a fresh id at
 *   epoch 0 rather than a bump of the old one: the broker keeps no per-producer record outside the
 *   partitions, and a new id can never collide with state a partition still holds.
 * - A transactional id: the transaction coordinator's answer (the id's producer id with its epoch
 *   bumped, fencing older instances and aborting their open transaction). Sent to another node,
 *   NOT_COORDINATOR.
 *
 * A request with exactly one of producer id / epoch set, or an empty transactional id, is
 * INVALID_REQUEST, as in Kafka. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v4.
 */
export const initProducerIdHandler = defineHandler({
  api: InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const fail = (errorCode: number): { throttleTimeMs: number; errorCode: number; producerId: bigint; producerEpoch: number } => ({
      throttleTimeMs: 0,
      errorCode,
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
    });
    const hasId = request.producerId !== NO_PRODUCER_ID;
    const hasEpoch = request.producerEpoch !== NO_PRODUCER_EPOCH;
    if (hasId !== hasEpoch) return fail(KafkaErrorCode.INVALID_REQUEST);
    if (request.transactionalId !== null) {
      if (request.transactionalId === '') return fail(KafkaErrorCode.INVALID_REQUEST);
      const r = await ctx.services.transactions.initProducerId(request.transactionalId, request.transactionTimeoutMs, request.producerId, request.producerEpoch);
      if (r.errorCode !== 0) return fail(fencedFor(ctx.apiVersion, r.errorCode, 4));
      return { throttleTimeMs: 0, errorCode: 0, producerId: r.producerId, producerEpoch: r.producerEpoch };
    }
    const producerId = await ctx.services.producerIds.next();
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch: 0 };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH }),
});
