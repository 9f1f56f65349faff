import { OffsetCommit } from '@oxbow/protocol';
import { defineHandler } from './handler.js';
import { commitEntries, commitResults } from './offset-commit-entries.js';

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
    const errors = await ctx.services.groups.offsets.commit({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      offsets: commitEntries(request),
    });
    return { throttleTimeMs: 0, topics: commitResults(request, errors) };
  },
  errorResponse: (request, errorCode) => ({ topics: commitResults(request, errorCode) }),
});
