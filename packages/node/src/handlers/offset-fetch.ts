import { KafkaErrorCode, OffsetFetch } from '@oxbow/protocol';
import type { FetchedOffset } from '../groups/group-offsets.js';
import { defineHandler } from './handler.js';

function byTopic(offsets: readonly (FetchedOffset & { errorCode?: number })[], errorCode = 0): { name: string; partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string; errorCode: number }[] }[] {
  const topics = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string; errorCode: number }[]>();
  for (const o of offsets) {
    const list = topics.get(o.topic) ?? [];
    list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: o.errorCode ?? errorCode });
    topics.set(o.topic, list);
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}

/**
 * With `require_stable` (v7+), partitions an open transaction has committed an offset for answer
 * UNSTABLE_OFFSET_COMMIT (retriable; the consumer asks again once the transaction ended).
 */
function stable(groupId: string, offsets: readonly FetchedOffset[], requireStable: boolean, isPending: (groupId: string, topic: string, partition: number) => boolean): (FetchedOffset & { errorCode?: number })[] {
  if (!requireStable) return [...offsets];
  return offsets.map((o) => (isPending(groupId, o.topic, o.partition) ? { ...o, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: KafkaErrorCode.UNSTABLE_OFFSET_COMMIT } : o));
}

/**
 * OffsetFetch (9), v1-9: committed offsets of one group (v1-7) or several (v8+); unknown
 * partitions answer offset -1.
 */
export const offsetFetchHandler = defineHandler({
  api: OffsetFetch,
  minVersion: 1,
  maxVersion: 9,
  handle(request, ctx) {
    const { offsets } = ctx.services.groups;
    const requireStable = ctx.apiVersion >= 7 && request.requireStable;
    const isPending = (g: string, t: string, p: number): boolean => offsets.hasPending(g, t, p);
    const toQuery = (topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null): { name: string; partitions: readonly number[] }[] | null =>
      topics === null ? null : topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes }));
    if (ctx.apiVersion >= 8) {
      const groups = request.groups.map((g) => {
        const r = offsets.fetch(g.groupId, toQuery(g.topics));
        return { groupId: g.groupId, topics: byTopic(stable(g.groupId, r.offsets, requireStable, isPending)), errorCode: r.errorCode };
      });
      return Promise.resolve({ throttleTimeMs: 0, groups });
    }
    const r = offsets.fetch(request.groupId, toQuery(request.topics));
    // Before v2 there is no top-level error code: the error goes into every partition.
    if (r.errorCode !== 0 && ctx.apiVersion < 2) {
      const failed = (request.topics ?? []).flatMap((t) => t.partitionIndexes.map((p) => ({ topic: t.name, partition: p, offset: -1n, leaderEpoch: -1, metadata: '' })));
      return Promise.resolve({ throttleTimeMs: 0, topics: byTopic(failed, r.errorCode) });
    }
    return Promise.resolve({ throttleTimeMs: 0, topics: byTopic(stable(request.groupId, r.offsets, requireStable, isPending)), errorCode: r.errorCode });
  },
  errorResponse: (request, errorCode, ctx) =>
    ctx.apiVersion >= 8
      ? { groups: request.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) }
      : { topics: [], errorCode: ctx.apiVersion >= 2 ? errorCode : 0 },
});
