import { OffsetDelete } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** OffsetDelete (47), v0: drops committed offsets of topics the group no longer subscribes to. */
export const offsetDeleteHandler = defineHandler({
  api: OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const r = await ctx.services.groups.offsets.deleteOffsets(
      request.groupId,
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    );
    if (r.errorCode !== 0) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    return {
      errorCode: 0,
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: r.results.find((x) => x.topic === t.name && x.partition === p.partitionIndex)?.errorCode ?? 0 })),
      })),
    };
  },
  errorResponse: (_request, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
});
