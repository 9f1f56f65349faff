import { AddPartitionsToTxn, KafkaErrorCode } from '@oxbow/protocol';
import { defineHandler, type RequestContext } from './handler.js';

type TopicResult = { name: string; resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[] };

/** Kafka ≥ 2.7 says PRODUCER_FENCED; clients of older versions only know INVALID_PRODUCER_EPOCH. */
export function fencedFor(version: number, errorCode: number, fencedSince: number): number {
  return errorCode === KafkaErrorCode.PRODUCER_FENCED && version < fencedSince ? KafkaErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}

function allWith(topics: readonly { name: string; partitions: readonly number[] }[], code: (topic: string, partition: number) => number): TopicResult[] {
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })) }));
}

async function addPartitions(ctx: RequestContext, transactionalId: string, producerId: bigint, producerEpoch: number, topics: readonly { name: string; partitions: readonly number[] }[]): Promise<TopicResult[]> {
  // Unknown partitions fail the whole request: those get UNKNOWN_TOPIC_OR_PARTITION, the rest OPERATION_NOT_ATTEMPTED.
  const exists = (topic: string, p: number): boolean => {
    const t = ctx.services.coordinator.topic(topic);
    return t !== undefined && p >= 0 && p < t.partitions.length;
  };
  if (topics.some((t) => t.partitions.some((p) => !exists(t.name, p)))) {
    return allWith(topics, (t, p) => (exists(t, p) ? KafkaErrorCode.OPERATION_NOT_ATTEMPTED : KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  }
  const code = await ctx.services.transactions.addPartitions(transactionalId, producerId, producerEpoch, topics.map((t) => ({ topic: t.name, partitions: t.partitions })));
  return allWith(topics, () => fencedFor(ctx.apiVersion, code, 2));
}

/**
 * AddPartitionsToTxn (24), v0-3: the client-facing versions (v4+ are broker-to-broker, KIP-890,
 * and not advertised). Adds partitions to the producer's open transaction (or opens one).
 */
export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const results = await addPartitions(ctx, request.v3AndBelowTransactionalId, request.v3AndBelowProducerId, request.v3AndBelowProducerEpoch, request.v3AndBelowTopics);
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, resultsByTopicV3AndBelow: allWith(request.v3AndBelowTopics, () => errorCode) }),
});
