import { TxnOffsetCommit } from '@oxbow/protocol';
import { defineHandler } from './handler.js';
import { commitEntries, commitResults } from './offset-commit-entries.js';

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
    const errors = await ctx.services.groups.offsets.txnCommit({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      offsets: commitEntries(request),
    });
    return { throttleTimeMs: 0, topics: commitResults(request, errors) };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, topics: commitResults(request, errorCode) }),
});
