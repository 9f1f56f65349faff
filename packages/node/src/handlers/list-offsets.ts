import { KafkaErrorCode, ListOffsets } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/**
 * ListOffsets (2), v1+: earliest (-2), latest (-1), max timestamp (-3, v7+), earliest local (-4,
 * v8+) and by timestamp; read_committed answers are bounded by the last stable offset.
 */
export const listOffsetsHandler = defineHandler({
  api: ListOffsets,
  minVersion: 1,
  maxVersion: 10,
  async handle(request, ctx) {
    const isolation = request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const unsupported = (p.timestamp === -3n && ctx.apiVersion < 7) || (p.timestamp === -4n && ctx.apiVersion < 8) || (p.timestamp === -5n && ctx.apiVersion < 9);
            const found = ctx.services.partition(t.name, p.partitionIndex);
            if (unsupported || !found.ok) {
              return { partitionIndex: p.partitionIndex, errorCode: unsupported ? KafkaErrorCode.UNSUPPORTED_VERSION : found.ok ? 0 : found.errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 };
            }
            const r = await found.handle.listOffset(p.timestamp, isolation, p.currentLeaderEpoch);
            // leaderEpoch is carried from v4 only (and not ignorable).
            return { partitionIndex: p.partitionIndex, errorCode: r.errorCode, timestamp: r.timestamp, offset: r.offset, leaderEpoch: ctx.apiVersion >= 4 ? r.leaderEpoch : -1 };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
});
