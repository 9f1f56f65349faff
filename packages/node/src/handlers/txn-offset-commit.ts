import { TxnOffsetCommit } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/**
 * TxnOffsetCommit (28), v0-4: offsets committed inside a transaction (consume-transform-produce).
 * They are written to the group's partition as part of the producer's transaction and become the
 * group's committed offsets only if it commits.
 */
export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const offsets = request.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata })),
    );
    const errors = await ctx.services.groups.offsets.txnCommit({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      offsets,
    });
    let i = 0;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++] ?? 0 })) })),
    };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
});
