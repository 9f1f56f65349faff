import { InitProducerId, KafkaErrorCode } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;

/**
 * InitProducerId (22), v0-5, for idempotent producers (`enable.idempotence`, kafkajs
 * `idempotent: true`).
 *
 * - Null transactional id: a fresh producer id from this broker's block (never reused, see
 *   `ProducerIdAllocator`) with epoch 0. As in Kafka's TransactionCoordinator, a v3+ request
 *   carrying its current producer id and epoch (KIP-360) also gets a fresh id at epoch 0 rather
 *   than a bump of the old one: the broker keeps no per-producer record outside the partitions, and
 *   a new id can never collide with state a partition still holds. A request with exactly one of
 *   producer id / epoch set is INVALID_REQUEST, as in Kafka.
 * - Non-null transactional id: transactions are not served yet. The answer is
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which every client treats as fatal (Java and
 *   librdkafka raise a fatal error, kafkajs a non-retriable one), so a transactional producer
 *   fails at `initTransactions()` instead of retrying forever as it would on a retriable
 *   COORDINATOR_NOT_AVAILABLE. An empty transactional id is INVALID_REQUEST, as in Kafka.
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
    if (request.transactionalId !== null) {
      if (request.transactionalId === '') return fail(KafkaErrorCode.INVALID_REQUEST);
      ctx.services.logger.info(
        { transactionalId: request.transactionalId, remote: ctx.remote, clientId: ctx.header.clientId },
        'InitProducerId with a transactional id refused: transactions are not supported yet',
      );
      return fail(KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    const hasId = request.producerId !== NO_PRODUCER_ID;
    const hasEpoch = request.producerEpoch !== NO_PRODUCER_EPOCH;
    if (hasId !== hasEpoch) return fail(KafkaErrorCode.INVALID_REQUEST);
    const producerId = await ctx.services.producerIds.next();
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch: 0 };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH }),
});
