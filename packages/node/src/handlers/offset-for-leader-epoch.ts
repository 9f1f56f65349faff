import { OffsetForLeaderEpoch } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** OffsetForLeaderEpoch (23): the end offset of a leader epoch, for consumers validating positions after a leader change. */
export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpoch,
  minVersion: 2,
  maxVersion: 4,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        topic: t.topic,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const found = ctx.services.partition(t.topic, p.partition);
            if (!found.ok) return { partition: p.partition, errorCode: found.errorCode, leaderEpoch: -1, endOffset: -1n };
            const r = await found.handle.endOffsetForEpoch(p.leaderEpoch, p.currentLeaderEpoch);
            return { partition: p.partition, errorCode: r.errorCode, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode, leaderEpoch: -1, endOffset: -1n })) })),
  }),
});
