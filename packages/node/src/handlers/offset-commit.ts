import { OffsetCommit } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/**
 * OffsetCommit (8), v2-9 (Kafka 4's range): group members commit for their generation; simple
 * consumers commit with generation -1 to an empty or unknown group. Retention is the broker's
 * (offsets.retention.minutes); v2-4's per-request retention time is ignored, as Kafka 4 does.
 */
export const offsetCommitHandler = defineHandler({
  api: OffsetCommit,
  minVersion: 2,
  maxVersion: 9,
  async handle(request, ctx) {
    const offsets = request.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata })),
    );
    const errors = await ctx.services.groups.offsets.commit({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      offsets,
    });
    let i = 0;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++] ?? 0 })) })),
    };
  },
  errorResponse: (request, errorCode) => ({
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
});
