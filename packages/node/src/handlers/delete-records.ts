import { DeleteRecords } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** DeleteRecords (21): moves each partition's log start offset (-1 = up to the high watermark). */
export const deleteRecordsHandler = defineHandler({
  api: DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const found = ctx.services.partition(t.name, p.partitionIndex);
            if (!found.ok) return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: found.errorCode };
            const r = await found.handle.deleteRecordsBefore(p.offset);
            return { partitionIndex: p.partitionIndex, lowWatermark: r.lowWatermark, errorCode: r.errorCode };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })) })),
  }),
});
