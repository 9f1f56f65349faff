import { DescribeProducers, KafkaErrorCode } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** DescribeProducers (61), v0: the producer state a partition leader keeps (idempotent and transactional producers). */
export const describeProducersHandler = defineHandler({
  api: DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitionIndexes.map(async (partitionIndex) => {
            const found = ctx.services.partition(t.name, partitionIndex);
            if (!found.ok) return { partitionIndex, errorCode: found.errorCode, errorMessage: null, activeProducers: [] };
            const { errorCode, producers } = await found.handle.describeProducers();
            return {
              partitionIndex,
              errorCode,
              errorMessage: null,
              activeProducers: producers.map((p) => ({ ...p, coordinatorEpoch: -1 })),
            };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: errorCode || KafkaErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null, activeProducers: [] })) })),
  }),
});
